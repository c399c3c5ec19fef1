/**
 * Character-level helpers shared by the transcript normaliser, the table reader and the token estimator: what
 * counts as content, how a line is cleaned, and how lines are re-joined.
 */

/**
 * Characters that are invisible and carry no content: zero-width space / word joiner / BOM, soft hyphen,
 * bidi marks, and C0/C1 control characters other than tab and line breaks (Word leaves \u0007 cell marks and
 * field delimiters \u0013–\u0015 in extracted text). ZWJ/ZWNJ are kept: they change how emoji and some
 * scripts render, so they are content.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const INVISIBLE = /[\u0000-\u0008\u000e-\u001f\u007f-\u0084\u0086-\u009f\u00ad\u200b\u200e\u200f\u2060-\u2064\u206a-\u206f\ufeff]/;

/** Line terminators of plain text, Word (\v soft break, \f page break) and Unicode. */
export const LINE_BREAK = /\r\n|[\n\r\v\f\u0085\u2028\u2029]/g;

/** True for a character that is dropped silently: an invisible format or control character. */
export function isInvisible(ch: string): boolean {
  return INVISIBLE.test(ch);
}

/** True for whitespace, including NBSP, the ideographic space U+3000 and line breaks. */
export function isWhitespace(ch: string): boolean {
  // JS \s lacks NEL (U+0085), which splitLines treats as a line break.
  return /^[\s\u0085]$/u.test(ch);
}

/**
 * True for a character that counts as content: neither whitespace nor invisible. The normaliser and the
 * table reader promise never to drop a content character (except inside labels they rewrite).
 */
export function isContentChar(ch: string): boolean {
  return !isWhitespace(ch) && !isInvisible(ch);
}

/** The content characters of `text`, in order, as one string (for "nothing was lost" checks). */
export function contentOf(text: string): string {
  let out = '';
  for (const ch of text) if (isContentChar(ch)) out += ch;
  return out;
}

/**
 * One line's cleaned form: invisibles removed, every whitespace run (tabs, NBSP, U+3000…) collapsed to one
 * ASCII space, trimmed. Content characters are kept as they are (no NFC/NFKC folding: a full-width comma
 * stays full-width, so offsets and quotations still match the document).
 */
export function cleanInline(text: string): string {
  let out = '';
  let pendingSpace = false;
  for (const ch of text) {
    if (isInvisible(ch)) continue;
    if (isWhitespace(ch)) {
      pendingSpace = out.length > 0;
      continue;
    }
    if (pendingSpace) out += ' ';
    pendingSpace = false;
    out += ch;
  }
  return out;
}

/** CJK ideographs, kana, hangul and CJK/full-width punctuation: text written without spaces between words. */
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\u3000-\u303f\uff00-\uffef\u2014\u2026\u201c\u201d\u2018\u2019]/u;

/** True when `ch` (one code point) belongs to a script written without spaces, or is CJK punctuation. */
export function isCjkChar(ch: string): boolean {
  return CJK.test(ch);
}

/**
 * Joins cleaned lines into one line: nothing where either side is CJK (a hard-wrapped Chinese sentence must
 * not get spaces, even after an ASCII comma or before an English word), one space between other
 * characters (English words must not run together).
 */
export function joinLines(parts: readonly string[]): string {
  let out = '';
  for (const part of parts) {
    if (part === '') continue;
    if (out === '') {
      out = part;
      continue;
    }
    const last = lastCodePoint(out);
    const first = String.fromCodePoint(part.codePointAt(0) ?? 32);
    out += isCjkChar(last) || isCjkChar(first) ? part : ` ${part}`;
  }
  return out;
}

function lastCodePoint(text: string): string {
  const low = text.charCodeAt(text.length - 1);
  if (low >= 0xdc00 && low <= 0xdfff && text.length >= 2) {
    const high = text.charCodeAt(text.length - 2);
    if (high >= 0xd800 && high <= 0xdbff) return text.slice(-2);
  }
  return text.slice(-1);
}

/** One physical line of an input, with its offsets (UTF-16 code units) in that input. */
export interface Line {
  text: string;
  start: number;
  end: number;
}

/** Splits `input` into lines at any line terminator, keeping offsets into the original string. */
export function splitLines(input: string): Line[] {
  const lines: Line[] = [];
  let start = 0;
  for (const m of input.matchAll(LINE_BREAK)) {
    lines.push({ text: input.slice(start, m.index), start, end: m.index });
    start = m.index + m[0].length;
  }
  lines.push({ text: input.slice(start), start, end: input.length });
  return lines;
}

/** Offsets of the first and one-past-last content character in `text`, or undefined when it has none. */
export function contentBounds(text: string): { start: number; end: number } | undefined {
  let start = -1;
  let end = -1;
  let i = 0;
  for (const ch of text) {
    if (isContentChar(ch)) {
      if (start < 0) start = i;
      end = i + ch.length;
    }
    i += ch.length;
  }
  return start < 0 ? undefined : { start, end };
}

/** True when `text` contains at least one Han character. */
export function hasHan(text: string): boolean {
  return /\p{Script=Han}/u.test(text);
}
