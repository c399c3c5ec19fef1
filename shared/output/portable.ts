/**
 * The runtime grammar rule: whether an EBNF grammar survives the way WebLLM compiles it. WebLLM's chat pipeline
 * compiles with the grammar cache on, so xgrammar parses the grammar, prints it, and parses the printed text
 * again; and the web-llm builds in use (0.2.86 pinned, 0.2.79 for the offline runtime test) differ in what
 * they parse. This checker needs no wasm, so the task pane can run it on every company template at load.
 *
 * What it rejects (each measured with the bundled xgrammar builds, see models/eval/xgrammar.ts):
 *  - a character the printer writes as `\xHH` (U+0000–U+001F except \t \n \r, U+007F–U+00FF) followed by a hex
 *    digit in the same string literal or class, or in the next literal (0.2.79 merges adjacent literals):
 *    `\x` is read greedily, so `é1` reads back as U+0E91 and `\x7f0` as U+07F0 (a backwards class range);
 *  - `{m,n}` repetition (0.2.79: "Expect element");
 *  - `\[` and `\^` in a class (0.2.79: "Invalid escape sequence"), and `\x` escapes in the source;
 *  - a class range whose lower bound is above its upper bound;
 *  - unpaired UTF-16 surrogates (they have no UTF-8 form).
 * And what a company server running llama.cpp (GBNF, the same text) cannot parse, measured with llama.cpp's own
 * parser (test/engine/llamacpp-grammar.test.ts):
 *  - a rule name with anything but letters, digits and `-` (`a_b`: "expecting newline or end");
 *  - `\-` in a class (builds before late 2026: "unknown escape"); write `-` as the class's last member.
 */

/** One reason a grammar would not compile (or would change) on the runtime path. */
export interface GrammarPortabilityProblem {
  /** 1-based line of the grammar text. */
  line: number;
  message: string;
}

const printsAsHexEscape = (c: number): boolean => (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || (c >= 0x7f && c <= 0xff);
const isHexDigit = (c: number): boolean => (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
const show = (c: number): string => (c >= 0x20 && c < 0x7f ? JSON.stringify(String.fromCodePoint(c)) : `U+${c.toString(16).toUpperCase().padStart(4, '0')}`);

/** Checks a grammar against the runtime grammar rule; an empty list means it compiles and reads back the same. */
export function grammarPortabilityProblems(grammar: string): GrammarPortabilityProblem[] {
  const problems: GrammarPortabilityProblem[] = [];
  const cps = Array.from(grammar, (ch) => ch.codePointAt(0) ?? 0);
  let line = 1;
  const report = (message: string): void => {
    problems.push({ line, message });
  };
  if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(grammar)) {
    problems.push({ line: 1 + (grammar.slice(0, grammar.search(/[\uD800-\uDFFF]/)).match(/\n/g)?.length ?? 0), message: 'an unpaired surrogate (not valid UTF-8)' });
  }

  /** Reads one escape after a backslash at cps[i]; returns the code point and the next index. */
  const escape = (i: number, inClass: boolean): { cp: number; next: number } => {
    const e = cps[i + 1] ?? 0;
    const ch = String.fromCodePoint(e);
    const hex = (n: number): { cp: number; next: number } => {
      const digits = String.fromCodePoint(...cps.slice(i + 2, i + 2 + n));
      if (!new RegExp(`^[0-9a-fA-F]{${n}}$`).test(digits)) report(`"\\${ch}" needs ${n} hex digits`);
      return { cp: parseInt(digits, 16) || 0, next: i + 2 + n };
    };
    if (ch === 'u') return hex(4);
    if (ch === 'U') return hex(8);
    if (ch === 'x') {
      report('a "\\x" escape: xgrammar reads it greedily; write "\\u" with four digits');
      return hex(2);
    }
    const simple: Record<string, number> = { n: 10, r: 13, t: 9, '\\': 92, '"': 34 };
    if (ch in simple) return { cp: simple[ch] ?? 0, next: i + 2 };
    if (inClass && ch === ']') return { cp: e, next: i + 2 };
    if (inClass && ch === '-') {
      report('"\\-" in a character class: llama.cpp (before late 2026) cannot read it; write "-" as the last member');
      return { cp: e, next: i + 2 };
    }
    report(`"\\${ch}" is not an escape every runtime reads${ch === '[' || ch === '^' ? ` (write ${ch} unescaped)` : ''}`);
    return { cp: e, next: i + 2 };
  };

  // Rule names as llama.cpp's GBNF reads them (xgrammar also takes `_`, `.`).
  grammar.split('\n').forEach((text, index) => {
    const name = /^\s*([^\s#"][^\s]*?)\s*::=/.exec(text)?.[1];
    if (name !== undefined && !/^[A-Za-z0-9-]+$/.test(name)) {
      problems.push({ line: index + 1, message: `the rule name "${name}": llama.cpp reads only letters, digits and "-" in rule names` });
    }
  });

  /** The last code point of the previous string literal, if the only thing since was white space. */
  let lastLiteralEnd: number | undefined;
  for (let i = 0; i < cps.length; ) {
    const c = cps[i] ?? 0;
    if (c === 0x0a) {
      line++;
      i++;
      lastLiteralEnd = undefined;
      continue;
    }
    if (c === 0x23 /* # */) {
      while (i < cps.length && cps[i] !== 0x0a) i++;
      continue;
    }
    if (c === 0x22 /* " */) {
      let prev = lastLiteralEnd;
      i++;
      while (i < cps.length && cps[i] !== 0x22) {
        let cp = cps[i] ?? 0;
        if (cp === 0x5c) ({ cp, next: i } = escape(i, false));
        else i++;
        if (prev !== undefined && printsAsHexEscape(prev) && isHexDigit(cp)) {
          report(`${show(prev)} followed by ${show(cp)} in a string: xgrammar prints it as "\\x${prev.toString(16).padStart(2, '0')}${String.fromCodePoint(cp)}", which reads back as another character`);
        }
        prev = cp;
      }
      i++;
      lastLiteralEnd = prev;
      continue;
    }
    if (c === 0x5b /* [ */) {
      i++;
      if (cps[i] === 0x5e) i++;
      let prev: number | undefined;
      let rangeFrom: number | undefined;
      while (i < cps.length && cps[i] !== 0x5d) {
        let cp = cps[i] ?? 0;
        if (cp === 0x2d /* - */ && prev !== undefined && cps[i + 1] !== 0x5d) {
          rangeFrom = prev;
          i++;
          continue;
        }
        if (cp === 0x5c) ({ cp, next: i } = escape(i, true));
        else i++;
        if (prev !== undefined && printsAsHexEscape(prev) && isHexDigit(cp)) {
          report(`${show(prev)} followed by ${show(cp)} in a character class: xgrammar prints "\\x${prev.toString(16).padStart(2, '0')}${String.fromCodePoint(cp)}", which reads back as another character; put hex digits first`);
        }
        if (rangeFrom !== undefined) {
          if (rangeFrom > cp) report(`the class range ${show(rangeFrom)}-${show(cp)} is backwards`);
          rangeFrom = undefined;
        }
        prev = cp;
      }
      i++;
      lastLiteralEnd = undefined;
      continue;
    }
    if (c === 0x7b /* { */) report('a "{m,n}" repetition: web-llm 0.2.79\'s xgrammar cannot parse it');
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d) lastLiteralEnd = undefined;
    i++;
  }
  return problems;
}
