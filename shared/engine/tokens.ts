/**
 * A conservative token estimate, used to refuse a prompt that would not fit the model's context window BEFORE
 * it is sent (WebLLM would otherwise throw mid-request). Placeholder until shared/source's `estimateTokens`
 * lands; it errs on the high side for Qwen2.5's tokenizer:
 * - a CJK character counts 1 token (Qwen averages ~1.4 characters per token on Chinese text);
 * - an ASCII digit counts 1 token (Qwen splits numbers into single digits);
 * - any other ASCII run counts ceil(length / 3) (English averages ~4 characters per token);
 * - any other character counts 1, or 2 outside the Basic Multilingual Plane (emoji are several byte tokens).
 */
import type { ChatMessage } from '../prompt/types';

const CJK =
  /[\u2E80-\u2FDF\u3000-\u303F\u3040-\u30FF\u3100-\u312F\u3130-\u318F\u31A0-\u31FF\u3200-\u4DBF\u4E00-\u9FFF\uA960-\uA97F\uAC00-\uD7AF\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFFEF]/u;

/** Conservative estimate of the tokens of `text`. */
export function estimateTokens(text: string): number {
  let tokens = 0;
  let asciiRun = 0;
  const flush = (): void => {
    tokens += Math.ceil(asciiRun / 3);
    asciiRun = 0;
  };
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    if (cp < 0x80) {
      if (cp >= 0x30 && cp <= 0x39) {
        flush();
        tokens += 1;
      } else {
        asciiRun += 1;
      }
      continue;
    }
    flush();
    if (CJK.test(ch)) tokens += 1;
    else tokens += cp > 0xffff ? 2 : 1;
  }
  flush();
  return tokens;
}

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
