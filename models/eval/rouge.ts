/**
 * Character-level ROUGE-L: the longest common subsequence of two texts' characters (code points, whitespace
 * ignored), as precision, recall and F1. Characters rather than words because Chinese has no spaces; for
 * English it is stricter than word ROUGE-L but still rewards the same wording in the same order.
 */

/** Code points of `text` without whitespace. */
function chars(text: string): string[] {
  return [...text.replace(/\s+/gu, '')];
}

/** Length of the longest common subsequence (two rows of the DP table: O(n·m) time, O(m) memory). */
export function lcsLength(a: readonly string[], b: readonly string[]): number {
  if (a.length === 0 || b.length === 0) return 0;
  let prev = new Array<number>(b.length + 1).fill(0);
  let cur = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    const ai = a[i - 1];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = ai === b[j - 1] ? (prev[j - 1] ?? 0) + 1 : Math.max(prev[j] ?? 0, cur[j - 1] ?? 0);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[b.length] ?? 0;
}

/** ROUGE-L scores of a candidate against a reference. Two empty texts score 1 (they agree). */
export interface RougeL {
  precision: number;
  recall: number;
  f1: number;
}

export function rougeL(candidate: string, reference: string): RougeL {
  const c = chars(candidate);
  const r = chars(reference);
  if (c.length === 0 && r.length === 0) return { precision: 1, recall: 1, f1: 1 };
  const lcs = lcsLength(c, r);
  const precision = c.length === 0 ? 0 : lcs / c.length;
  const recall = r.length === 0 ? 0 : lcs / r.length;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f1 };
}

/** The character bigrams of a text (whitespace ignored), for {@link jaccard}. */
export function bigrams(text: string): Set<string> {
  const c = chars(text);
  const s = new Set<string>();
  for (let i = 0; i + 1 < c.length; i++) s.add(`${c[i]}${c[i + 1]}`);
  if (c.length === 1 && c[0] !== undefined) s.add(c[0]);
  return s;
}

/** Jaccard similarity of two bigram sets. */
export function jaccard(ga: ReadonlySet<string>, gb: ReadonlySet<string>): number {
  if (ga.size === 0 && gb.size === 0) return 1;
  const [small, large] = ga.size <= gb.size ? [ga, gb] : [gb, ga];
  let inter = 0;
  for (const g of small) if (large.has(g)) inter++;
  return inter / (ga.size + gb.size - inter);
}
