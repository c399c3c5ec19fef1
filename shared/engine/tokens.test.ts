import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { estimateChatTokens, estimateTokens, TOKENS_PER_CHAT, TOKENS_PER_MESSAGE } from './tokens';

describe('estimateTokens (conservative)', () => {
  it('counts CJK characters one each, ASCII runs by thirds, digits one each', () => {
    expect(estimateTokens('')).toBe(0);
    expect(estimateTokens('离职原因')).toBe(4);
    expect(estimateTokens('abcdefg')).toBe(3);
    expect(estimateTokens('员工 Zhang 在2023年')).toBe(2 + 3 + 1 + 4 + 1); // 员工 | ' Zhang ' (7 → 3) | 在 | 2023 | 年
  });

  it('digits are one token each (Qwen splits numbers)', () => {
    expect(estimateTokens('13800138000')).toBe(11);
  });

  it('emoji count double', () => {
    expect(estimateTokens('👍')).toBe(2);
  });

  it('never counts a joined text as more than its parts', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 200 }), (a, b) => {
        expect(estimateTokens(a + b)).toBeLessThanOrEqual(estimateTokens(a) + estimateTokens(b));
      }),
      { numRuns: 200 },
    );
  });

  it('is at least a third of the number of characters', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (s) => {
        expect(estimateTokens(s)).toBeGreaterThanOrEqual(Math.ceil([...s].length / 3));
      }),
      { numRuns: 200 },
    );
  });

  it('adds the chat template overhead', () => {
    expect(estimateChatTokens([{ role: 'user', content: '离职' }])).toBe(TOKENS_PER_CHAT + TOKENS_PER_MESSAGE + 2);
  });
});
