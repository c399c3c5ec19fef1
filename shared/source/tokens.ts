/**
 * A tokenizer-free token estimate for Qwen2.5 (byte-level BPE, 151k vocabulary). It must run before a model
 * is loaded (to decide whether to chunk) and in the UI, so it only counts characters — and it errs high: a
 * prompt longer than the context window makes WebLLM throw, while a slightly small chunk costs nothing.
 *
 * The rules were checked against the real Qwen2.5/Qwen3 tokenizer (same vocabulary and merges): see the
 * measured samples in tokens.test.ts.
 */

/** Ranges of 3-byte UTF-8 characters that Qwen's vocabulary has as single tokens (common CJK, kana, hangul…). */
const ONE_TOKEN_RANGES: ReadonlyArray<readonly [number, number]> = [
  [0x2000, 0x206f], // general punctuation: — … “ ” ‘ ’
  [0x3000, 0x30ff], // CJK symbols and punctuation, hiragana, katakana
  [0x4e00, 0x9fff], // CJK unified ideographs (rare ones may cost more; Qwen averages ≈0.7 per Hanzi)
  [0xac00, 0xd7af], // hangul syllables
  [0xfe30, 0xfe4f], // CJK compatibility forms
  [0xff00, 0xffef], // full-width forms: ，：（）１
];

/** Tokens a non-letter character costs on its own: at most one per UTF-8 byte unless known to be one token. */
function charCost(cp: number): number {
  if (cp < 0x80) return 1;
  if (cp < 0x800) return 2; // é, Ж are one token, rarer 2-byte letters are two
  if (cp > 0xffff) return 4; // emoji, rare Hanzi: byte fallback
  for (const [from, to] of ONE_TOKEN_RANGES) if (cp >= from && cp <= to) return 1;
  return 3;
}

/**
 * Estimated Qwen2.5 tokens in `text`, meant never to be below the real count for ordinary Chinese and English:
 * - a run of ASCII letters, cut at case changes (`SuccessFactors`, `HRBPTeam` → `HRBP` + `Team`): ceil(length / 3)
 *   per piece (English averages ≈4 characters per token), ceil(length / 2) for an all-caps piece (`HRBP` is
 *   `HR` + `BP`);
 * - a digit: 1 (Qwen's pre-tokenizer splits numbers into single digits, so `ceil(len/3)` would be too low);
 * - a CJK ideograph, kana, hangul, CJK or full-width punctuation: 1; any other ASCII character: 1;
 * - another character: 2 (2-byte UTF-8), 3 (3-byte), 4 (emoji, rare Hanzi) — the byte-fallback worst case;
 * - each `\n` or `\r`: 1 (the per-line overhead);
 * - a run of spaces and tabs: ceil(length / 4), where a last space before a character joins it: 0 more
 *   before an ASCII letter or punctuation (` word`), 1 before a digit, 2 before any other character (` 员工`
 *   is four tokens: the space fuses with the first UTF-8 byte);
 * - other whitespace (NBSP, U+3000): 3 per character.
 *
 * Additive over lines: `estimateTokens(a + '\n' + b) === estimateTokens(a) + 1 + estimateTokens(b)`, which
 * lets the chunker add up line costs; and a longer prefix never costs less.
 */
export function estimateTokens(text: string): number {
  let tokens = 0;
  let letters = '';
  let spaces = '';
  const flushLetters = (): void => {
    if (letters === '') return;
    // camelCase and ACRONYMWords split where the case changes; an all-caps piece (`HRBP`, `OKR`) tokenizes
    // at about two letters a token, a word at about four.
    for (const piece of letters.match(/[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[A-Z]/g) ?? []) {
      tokens += /^[A-Z]+$/.test(piece) ? Math.ceil(piece.length / 2) : Math.ceil(piece.length / 3);
    }
    letters = '';
  };
  const flushSpaces = (next: number | undefined): void => {
    if (spaces === '') return;
    if (/^[ \t]+$/.test(spaces)) {
      if (spaces.endsWith(' ') && next !== undefined) {
        // The last space joins the next pre-token; what it costs depends on what follows.
        tokens += Math.ceil((spaces.length - 1) / 4) + (next >= 0x30 && next <= 0x39 ? 1 : next < 0x80 ? 0 : 2);
      } else {
        tokens += Math.ceil(spaces.length / 4);
      }
    } else {
      tokens += 3 * Array.from(spaces).length;
    }
    spaces = '';
  };
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    if (ch === '\n' || ch === '\r') {
      flushLetters();
      flushSpaces(undefined);
      tokens += 1;
      continue;
    }
    if (/\s/u.test(ch)) {
      flushLetters();
      spaces += ch;
      continue;
    }
    flushSpaces(cp);
    if ((cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a)) {
      letters += ch;
      continue;
    }
    flushLetters();
    tokens += charCost(cp);
  }
  flushLetters();
  flushSpaces(undefined);
  return tokens;
}
