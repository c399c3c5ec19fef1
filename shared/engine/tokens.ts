/**
 * Prompt-token estimate of a chat, used to refuse a prompt that would not fit the model's context window BEFORE
 * it is sent (WebLLM would otherwise throw mid-request). The text estimate is shared/source's `estimateTokens`
 * (checked against Qwen2.5's tokenizer, errs high); this module adds what the chat template costs.
 */
import type { ChatMessage } from '../prompt/types';
import { estimateTokens } from '../source/tokens';

export { estimateTokens };

/** Tokens the chat template adds per message (`<|im_start|>role\n` … `<|im_end|>\n` in Qwen2.5). */
export const TOKENS_PER_MESSAGE = 6;
/** Tokens for the assistant turn's opening plus a margin for the template's default system prompt. */
export const TOKENS_PER_CHAT = 24;

/** Conservative estimate of the prompt tokens of a chat, template included. */
export function estimateChatTokens(messages: readonly ChatMessage[]): number {
  let total = TOKENS_PER_CHAT;
  for (const m of messages) total += TOKENS_PER_MESSAGE + estimateTokens(m.content);
  return total;
}
