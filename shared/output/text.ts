/**
 * Small text helpers shared by parsing and repair: character counting, Markdown markup in body lines, and
 * the assistant chatter a chat model puts around a record.
 */

/** Number of Unicode code points (not UTF-16 units): `'😀'` counts 1. */
export function codePoints(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // A high surrogate followed by a low one is one code point.
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

/** The length a template's limits count: code points of a body, line breaks not counted. */
export function bodyChars(body: string): number {
  let n = codePoints(body);
  for (let i = 0; i < body.length; i++) if (body.charCodeAt(i) === 10) n--;
  return n;
}

/** Shortens text for messages. */
export function clip(s: string, max = 60): string {
  const cps = Array.from(s);
  return cps.length <= max ? s : `${cps.slice(0, max - 1).join('')}…`;
}

/** A Markdown code-fence line (```json, ~~~). Fences are markup only, never content. */
export function isFenceLine(line: string): boolean {
  return /^\s*(```|~~~)/u.test(line);
}

/** Canonical body: lines trimmed, blank lines dropped, CR removed. */
export function normaliseBody(body: string): string {
  return body
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .join('\n');
}

// Line-start markers: Markdown headings, blockquotes, bullets, numbered lists (1. 1) 1、), in that order.
const LINE_MARKERS: Array<{ re: RegExp; name: (m: RegExpExecArray) => string }> = [
  { re: /^#{1,6}(?=[ \t\u3000]|$)[ \t\u3000]*/u, name: (m) => m[0].trim() },
  { re: /^>[ \t\u3000]?/u, name: () => '>' },
  { re: /^[-*+](?=[ \t\u3000])[ \t\u3000]+/u, name: (m) => `${m[0].trim()} ` },
  { re: /^[•·●▪◦][ \t\u3000]*/u, name: (m) => m[0].trim() },
  { re: /^\d{1,2}[.)）、．](?!\d)[ \t\u3000]*/u, name: (m) => m[0].trim() },
];

// Inline emphasis and code. Each entry keeps the enclosed text ($1) and drops the markers.
const INLINE_MARKERS: Array<{ re: RegExp; name: string }> = [
  { re: /\*\*(?!\s)(.+?)\*\*/gu, name: '**' },
  { re: /__(?!\s)(.+?)__/gu, name: '__' },
  { re: /(?<![*A-Za-z0-9])\*(?![\s*])([^*\n]+?)(?<!\s)\*(?![*A-Za-z0-9])/gu, name: '*' },
  // A code span's backtick run may be longer than one (```x``` inline): strip whole runs, so repair is idempotent.
  { re: /(?<!`)`+(?!`)([^`\n]+?)(?<!`)`+(?!`)/gu, name: '`' },
];

/** Markdown markup found in one body line, e.g. `['- ', '**']`. */
export function lineMarkdown(line: string): string[] {
  return stripLineMarkdown(line).markups;
}

/**
 * Removes Markdown markup from one body line, keeping every content character: line-start markers (`#`,
 * `>`, bullets, `1.` list numbers) and inline emphasis/code markers. A lone `**` left unbalanced is dropped
 * too; a lone `*` is kept (it may be content, e.g. `3*4`).
 */
export function stripLineMarkdown(line: string): { text: string; markups: string[] } {
  const markups: string[] = [];
  let s = line.replace(/^[ \t\u3000]+/u, '');
  // Markers may stack ("> - **x**"), so strip repeatedly, at most a few times.
  for (let round = 0; round < 4; round++) {
    let changed = false;
    for (const m of LINE_MARKERS) {
      const hit = m.re.exec(s);
      if (hit && hit[0].length > 0) {
        markups.push(m.name(hit));
        s = s.slice(hit[0].length);
        changed = true;
      }
    }
    if (!changed) break;
  }
  for (const m of INLINE_MARKERS) {
    m.re.lastIndex = 0;
    if (m.re.test(s)) {
      markups.push(m.name);
      m.re.lastIndex = 0;
      s = s.replace(m.re, '$1');
    }
  }
  if (s.includes('**')) {
    markups.push('**');
    s = s.replace(/\*\*/g, '');
  }
  return { text: s.trim(), markups: [...new Set(markups)] };
}

// Assistant chatter: how chat models open and close an answer, in Chinese and English.
const PREAMBLE_RE =
  /^(好的|好|当然|可以|没问题|收到|以下是|以下为|下面是|这是|根据(您|你)?提供的|已为(您|你)|我已|我将|我来|为(您|你)整理|sure\b|certainly\b|of course\b|okay\b|ok\b|alright\b|here is\b|here's\b|here are\b|below is\b|i have\b|i've\b|i will\b|i'll\b|great\b|absolutely\b)/iu;
const TRAILING_RE =
  /^(希望(以上|这|本|对(您|你)|能(帮|对))|如需|如有(任何|其他|需要|疑问)|如果(您|你)(需要|还|有)|请(告诉|让)我|还需要|let me know\b|i hope\b|hope this\b|feel free\b|if you (need|have|want|would)\b|please let me\b|is there anything\b|would you like\b)/iu;

/** Whether text before the first heading is assistant chatter that can be dropped without losing content. */
export function isChatterPreamble(lines: readonly string[]): boolean {
  const content = lines.map((l) => l.trim()).filter((l) => l !== '');
  if (content.length === 0 || content.length > 3) return false;
  return content.every((l) => codePoints(l) <= 160 && (PREAMBLE_RE.test(stripLineMarkdown(l).text) || /[:：]$/u.test(l)));
}

/** Whether a final paragraph is assistant chatter ("希望以上内容对您有帮助", "Let me know if…"). */
export function isChatterTrailer(line: string): boolean {
  return TRAILING_RE.test(stripLineMarkdown(line).text);
}
