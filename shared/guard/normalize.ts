/**
 * A normalised view of a text with a map back to the original offsets. Detectors match against the normalised
 * view so that their patterns need only one spelling of punctuation and spacing (writers paste full-width
 * digits, curly quotes, doubled spaces, non-breaking spaces from Word), while every reported span still indexes
 * the ORIGINAL text exactly.
 *
 * Rules (per UTF-16 code unit, so surrogate pairs pass through unchanged):
 * - full-width ASCII forms U+FF01–FF5E become ASCII (`，` → `,`, `１` → `1`, `：` → `:`);
 * - curly and corner quotes become `"` / `'`; dash variants become `-`;
 * - a run of whitespace becomes one character: `\n` if the run holds a line break, otherwise a space; a run
 *   without a line break BETWEEN two Chinese characters is dropped (`永 不 录 用` → `永不录用`);
 * - zero-width characters (U+200B–200D, U+2060, U+FEFF) and soft hyphens are dropped (`1\u200b3\u200b8…`);
 * - traditional Chinese characters become simplified, one character for one (table in ./terms/t2s.json,
 *   generated from OpenCC), so term lists and address patterns need only the simplified spelling.
 * Case is kept: matchers that ignore case fold it themselves. Dropped characters belong to no normalised unit,
 * but a span over them still maps back to an original span that covers them.
 */
import t2sJson from './terms/t2s.json';

/** Traditional → simplified code units (1:1). Built once from the data file. */
const T2S: Map<number, number> = (() => {
  const m = new Map<number, number>();
  const pairs = (t2sJson as { pairs: string }).pairs;
  for (let i = 0; i + 1 < pairs.length; i += 2) m.set(pairs.charCodeAt(i), pairs.charCodeAt(i + 1));
  return m;
})();

const isZeroWidth = (c: number): boolean => (c >= 0x200b && c <= 0x200d) || c === 0x2060 || c === 0xfeff || c === 0xad;
const isHanUnit = (c: number): boolean => (c >= 0x4e00 && c <= 0x9fff) || (c >= 0x3400 && c <= 0x4dbf);

/** Normalised text plus, for each of its code units, the original span it came from. */
export interface NormalizedText {
  text: string;
  /** `starts[i]`: original offset where normalised unit `i` begins. */
  starts: Int32Array;
  /** `ends[i]`: original offset (exclusive) where normalised unit `i` ends. */
  ends: Int32Array;
}

function mapUnit(c: number): number {
  if (c >= 0xff01 && c <= 0xff5e) return c - 0xfee0;
  switch (c) {
    case 0x201c: case 0x201d: case 0x201e: case 0x201f: case 0x300c: case 0x300d: case 0x300e: case 0x300f:
      return 0x22; // "
    case 0x2018: case 0x2019: case 0x201a: case 0x201b:
      return 0x27; // '
    case 0x2010: case 0x2011: case 0x2012: case 0x2013: case 0x2014: case 0x2015: case 0x2212:
      return 0x2d; // -
    default:
      return T2S.get(c) ?? c;
  }
}

function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d) || c === 0xa0 || c === 0x3000 || c === 0x2028 || c === 0x2029 ||
    c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x202f || c === 0x205f;
}

/** Builds the normalised view of `text`. Linear in the length of the text. */
export function normalizeText(text: string): NormalizedText {
  const n = text.length;
  const codes = new Uint16Array(n);
  const starts = new Int32Array(n);
  const ends = new Int32Array(n);
  let m = 0;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (isZeroWidth(c)) {
      i++;
      continue;
    }
    if (isSpace(c)) {
      let j = i;
      let newline = false;
      while (j < n && (isSpace(text.charCodeAt(j)) || isZeroWidth(text.charCodeAt(j)))) {
        const d = text.charCodeAt(j);
        if (d === 0x0a || d === 0x0d || d === 0x2028 || d === 0x2029) newline = true;
        j++;
      }
      // Spacing inside a Chinese word ("永 不 录 用") is not a word break: drop it.
      if (!newline && m > 0 && j < n && isHanUnit(codes[m - 1] ?? 0) && isHanUnit(text.charCodeAt(j))) {
        i = j;
        continue;
      }
      codes[m] = newline ? 0x0a : 0x20;
      starts[m] = i;
      ends[m] = j;
      m++;
      i = j;
      continue;
    }
    codes[m] = mapUnit(c);
    starts[m] = i;
    ends[m] = i + 1;
    m++;
    i++;
  }
  // Chunked to stay under the engine's argument-count limit on long inputs. `apply` takes the typed array as
  // it is (a spread goes through the iterator protocol, ~6x slower); no TextDecoder: it would replace lone
  // surrogates.
  let out = '';
  for (let k = 0; k < m; k += 8192) out += String.fromCharCode.apply(null, codes.subarray(k, Math.min(m, k + 8192)) as unknown as number[]);
  return { text: out, starts: starts.slice(0, m), ends: ends.slice(0, m) };
}

/** Maps a normalised span [start, end) back to the original text. `end > start` is required. */
export function toOriginal(norm: NormalizedText, start: number, end: number): { start: number; end: number } {
  return { start: norm.starts[start] ?? 0, end: norm.ends[end - 1] ?? 0 };
}
