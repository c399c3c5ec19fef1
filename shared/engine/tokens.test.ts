import { describe, expect, it } from 'vitest';
import { estimateTokens as sourceEstimate } from '../source/tokens';
import { estimateChatTokens, estimateTokens, TOKENS_PER_CHAT, TOKENS_PER_MESSAGE } from './tokens';

// The text estimate itself is tested in shared/source/tokens.test.ts (against measured Qwen2.5 token counts).
describe('estimateChatTokens', () => {
  it('uses the one text estimate of shared/source', () => {
    expect(estimateTokens).toBe(sourceEstimate);
  });

  it('adds the chat template overhead', () => {
    expect(estimateChatTokens([{ role: 'user', content: '离职' }])).toBe(TOKENS_PER_CHAT + TOKENS_PER_MESSAGE + 2);
    expect(estimateChatTokens([])).toBe(TOKENS_PER_CHAT);
  });
});
