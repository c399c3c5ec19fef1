import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chunkSource, contentOf, estimateTokens, normaliseSource, renderTurn, splitSentences } from './index';
import type { Chunk, NormalisedSource, Turn } from './index';

const exitCases = (
  JSON.parse(readFileSync(fileURLToPath(new URL('../../../shared/fixtures/exit-interviews.json', import.meta.url)), 'utf8')) as {
    cases: Array<{ id: string; kind: 'transcript' | 'notes'; source: string }>;
  }
).cases;

describe('splitSentences', () => {
  it('cuts after CJK and Latin terminators, keeping closers and trailing spaces with the sentence', () => {
    expect(splitSentences('主要是钱。还有晋升!通勤太远？')).toEqual(['主要是钱。', '还有晋升!', '通勤太远？']);
    expect(splitSentences('He said "go." Then 3.5 days later... fine')).toEqual(['He said "go." ', 'Then 3.5 days later... ', 'fine']);
    expect(splitSentences('他说:"算了。"然后走了')).toEqual(['他说:"算了。"', '然后走了']);
    expect(splitSentences('')).toEqual([]);
  });
});

/** Concatenation of texts per turn id, in order. */
function textsById(turns: readonly Turn[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const t of turns) {
    const last = out.at(-1);
    if (last !== undefined && last[0] === t.id && t.part !== undefined && t.part.index > 0) last[1] += t.text;
    else out.push([t.id, t.text]);
  }
  return out;
}

function checkChunks(src: NormalisedSource, chunks: Chunk[]): void {
  const all = chunks.flatMap((c) => c.turns);
  expect(textsById(all)).toEqual(src.turns.map((t) => [t.id, t.text]));
  expect(all.map((t) => t.text).join('')).toBe(src.turns.map((t) => t.text).join(''));
  chunks.forEach((chunk, i) => {
    expect(chunk.index).toBe(i);
    expect(chunk.count).toBe(chunks.length);
    expect(chunk.turns.length).toBeGreaterThan(0);
    expect(chunk.text).toBe(chunk.turns.map(renderTurn).join('\n'));
    expect(chunk.estimatedTokens).toBe(estimateTokens(chunk.text));
  });
  // Pieces of a split turn point at their own text in the input.
  for (const piece of all.filter((t) => t.part !== undefined)) {
    expect(contentOf(src.input!.slice(piece.start, piece.end))).toBe(contentOf(piece.text));
  }
}

describe('chunkSource', () => {
  it('keeps a short source in one chunk', () => {
    const src = normaliseSource(exitCases[0]!.source, 'transcript');
    const chunks = chunkSource(src, 2000);
    expect(chunks).toHaveLength(1);
    expect(chunks[0]!.text).toBe(src.text);
    expect(chunks[0]!.turns).toEqual(src.turns);
  });

  it('cuts the fixtures at turn boundaries within the budget', () => {
    for (const c of exitCases) {
      const src = normaliseSource(c.source, c.kind);
      const budget = Math.max(...src.turns.map((t) => estimateTokens(renderTurn(t)))) + 5;
      const chunks = chunkSource(src, budget);
      checkChunks(src, chunks);
      expect(chunks.length).toBeGreaterThan(1);
      for (const chunk of chunks) {
        expect(chunk.estimatedTokens).toBeLessThanOrEqual(budget);
        for (const t of chunk.turns) expect(t.part).toBeUndefined();
      }
    }
  });

  it('splits an over-long turn at sentence boundaries, keeping its id, with exact offsets', () => {
    const long = '需求变得太频繁,经常返工。'.repeat(12);
    const input = `T1 HR: 说说体验?\nT2 员工: ${long}\nT3 员工: 同事都挺好。`;
    const src = normaliseSource(input, 'transcript');
    const chunks = chunkSource(src, 40);
    checkChunks(src, chunks);
    const pieces = chunks.flatMap((c) => c.turns).filter((t) => t.id === 'T2');
    expect(pieces.length).toBeGreaterThan(1);
    pieces.forEach((p, i) => {
      expect(p.part).toEqual({ index: i, count: pieces.length });
      expect(p.text.endsWith('。')).toBe(true);
      expect(input.slice(p.start, p.end)).toBe(p.text);
      expect(p.speakerLabel).toBe('员工');
    });
    for (const chunk of chunks) expect(chunk.estimatedTokens).toBeLessThanOrEqual(40);
  });

  it('hard-splits a sentence longer than the budget, at a space where there is one', () => {
    const words = Array.from({ length: 80 }, (_, i) => `word${i}`).join(' ');
    const src = normaliseSource(`Employee: ${words}`, 'transcript');
    const chunks = chunkSource(src, 30);
    checkChunks(src, chunks);
    const pieces = chunks.flatMap((c) => c.turns);
    expect(pieces.length).toBeGreaterThan(3);
    for (const p of pieces.slice(0, -1)) expect(p.text.endsWith(' ')).toBe(true);
    for (const chunk of chunks) expect(chunk.estimatedTokens).toBeLessThanOrEqual(30);
    const cjk = normaliseSource(`N1 ${'钱'.repeat(100)}`, 'notes');
    const cjkChunks = chunkSource(cjk, 20);
    checkChunks(cjk, cjkChunks);
    expect(cjkChunks.every((c) => c.estimatedTokens <= 20)).toBe(true);
  });

  it('works without the original input (pieces keep the turn span) and on an empty source', () => {
    const src: NormalisedSource = { kind: 'notes', turns: [{ id: 'N1', text: '一。二。三。四。', start: 5, end: 13 }], text: 'N1: 一。二。三。四。' };
    const chunks = chunkSource(src, 9);
    expect(chunks.flatMap((c) => c.turns.map((t) => [t.text, t.start, t.end]))).toEqual([
      ['一。二。', 5, 13],
      ['三。四。', 5, 13],
    ]);
    expect(chunkSource(normaliseSource('', 'notes'), 100)).toEqual([]);
  });

  it('rejects a budget that is not a positive number', () => {
    const src = normaliseSource('N1 x', 'notes');
    for (const budget of [0, -5, Number.NaN, Number.POSITIVE_INFINITY]) expect(() => chunkSource(src, budget)).toThrow(RangeError);
  });

  it('property: never loses or repeats text; within budget whenever a label and one character fit', () => {
    const sentence = fc
      .array(fc.constantFrom('钱', '晋升', 'pay', 'promotion', ' ', ',', '30', '%', '😀', 'x', '.', '。', '!', '？', '\u00a0'), { maxLength: 40 })
      .map((p) => p.join(''));
    const line = fc.tuple(fc.constantFrom('T1 员工: ', 'HR: ', 'Employee: ', '', '- ', 'N7 '), fc.array(sentence, { maxLength: 6 }));
    fc.assert(
      fc.property(fc.array(line, { maxLength: 10 }), fc.integer({ min: 1, max: 120 }), fc.constantFrom<'transcript' | 'notes'>('transcript', 'notes'), (lines, budget, kind) => {
        const src = normaliseSource(lines.map(([label, body]) => label + body.join('')).join('\n'), kind);
        const chunks = chunkSource(src, budget);
        checkChunks(src, chunks);
        const worstLabel = Math.max(0, ...src.turns.map((t) => estimateTokens(renderTurn({ ...t, text: '' }))));
        if (budget >= worstLabel + 7) for (const chunk of chunks) expect(chunk.estimatedTokens).toBeLessThanOrEqual(budget);
        // Whole turns that fit are never split.
        for (const t of chunks.flatMap((c) => c.turns)) {
          if (t.part !== undefined) expect(estimateTokens(renderTurn(src.turns.find((s) => s.id === t.id)!))).toBeGreaterThan(budget);
        }
      }),
      { numRuns: 300 },
    );
  });
});
