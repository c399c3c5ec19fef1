/**
 * Third-party personal names (flag THIRD_PARTY_NAME). A record should name people by role ("直属上级", "a
 * colleague"), so any other person's name in the source or the output is worth a warning. Detection is rule
 * based and tuned for precision: a name is only reported in a name-like context.
 *
 * Chinese (surname = one of ~130 common single surnames or a double surname):
 * - surname + 0–2 given-name characters + a title: 王经理, 李总, 张姐, 刘工, 陈伟老师;
 * - surname + 1–2 given-name characters + a context word after it: 张婷也听到了, 刘洋吵, 王伟说;
 * - a preposition + surname + 1–2 given-name characters + punctuation or a few relation words: 跟王伟沟通, 和张婷一起;
 * - 老/小 + surname + context word or punctuation: 老王说, 小李,.
 * English: a title + capitalised word (Mr Smith, Ms. Chen); a listed first name + capitalised surname (Kevin
 * Zhang), or + a reporting verb (Sarah said) or a Chinese context word (Kevin也听到了); a pinyin surname +
 * capitalised given name (Zhang Wei).
 *
 * Limitations (by design, to keep false positives low):
 * - given-name characters come from a list of ~300 common ones; rarer names are missed unless a title follows;
 * - names without a context are missed (王伟的方案 is not reported: 的 after surname-like words is too common);
 * - words made of a surname + name-like character that are ordinary words (高兴, 沈阳, 黄金) are listed as stop
 *   words; any word missing from that list can still be reported in a name context (e.g. a place name followed by 也);
 * - English: first names outside the list, lower-case names, and names that are also common words (Will, May,
 *   Grace, Mark) are missed; a capitalised "First Last" pair where the first name is not listed is missed.
 */
import { z } from 'zod';

const TitleSchema = z.object({ t: z.string().min(1), notFollowedBy: z.string().optional() });

/** Shape of `terms/names.json`. */
export const NameDataSchema = z.object({
  zh: z.object({
    surnames: z.string().min(1),
    doubleSurnames: z.array(z.string().length(2)),
    givenChars: z.string().min(1),
    stopWords: z.array(z.string().min(2)),
    surnameNotAfter: z.record(z.string().length(1), z.string()),
    titles: z.array(TitleSchema),
    followContext: z.array(z.string().min(1)),
    precedeContext: z.string(),
    afterPrecedeContext: z.array(z.string().min(1)),
    diminutivePrefixes: z.string(),
    /** Characters that make a nickname with one given-name character after them (阿强). */
    nicknamePrefixes: z.string().optional(),
    /** Ordinary words that look like a nickname or diminutive + surname (阿姨, 小周末, 老黄牛). */
    nicknameStops: z.array(z.string().min(2)).optional(),
    /** Role words written BEFORE a name (记者王伟, 经理李娜): after one, any surname + 1–2 characters is a name. */
    rolesBefore: z.array(z.string().min(1)).optional(),
    /** Words that strongly mark the name before them (表示, 告诉, 先生): any surname + 1–2 characters before one. */
    strongFollow: z.array(z.string().min(1)).optional(),
    /** Characters that never occur inside a given name (的, 了, 在 …), to bound the loose rules. */
    notInName: z.string().optional(),
    /** Characters used to transliterate foreign names (斯 尔 克 …); a run of 3–6 of them reads as a name. */
    transliteration: z.string().optional(),
  }),
  en: z.object({
    titles: z.array(z.string().regex(/^[A-Za-z]+$/)),
    firstNames: z.array(z.string().regex(/^[A-Z][a-z]+$/)),
    pinyinSurnames: z.array(z.string().regex(/^[A-Z][a-z]+$/)),
    followVerbs: z.array(z.string().regex(/^[a-z]+$/)),
    notNames: z.array(z.string().regex(/^[A-Za-z]+$/)),
  }),
});

/** Name data as written in `terms/names.json`. */
export type NameData = z.infer<typeof NameDataSchema>;

/** Name data compiled for scanning. */
export interface NameMatcher {
  surnames: Set<string>;
  doubleSurnames: Set<string>;
  givenChars: Set<string>;
  stopWords: WordIndex;
  /** Per surname: characters that, right before it, make it part of an ordinary word (上周, 提高). */
  surnameNotAfter: Map<string, string>;
  /** By first character, longest first, so 总经理 wins over 总. */
  titles: Map<string, Array<{ t: string; notFollowedBy: string }>>;
  followContext: WordIndex;
  precedeContext: Set<string>;
  afterPrecedeContext: WordIndex;
  diminutivePrefixes: Set<string>;
  enTitle: RegExp;
  enFirstNames: Set<string>;
  enNotNames: Set<string>;
  enFollowVerbs: Set<string>;
  /** Chinese context words after a name (张婷也, Kevin也), as a sticky test at a position. */
  zhContext: RegExp;
  enPinyin: RegExp;
  /** 阿 + one given-name character: 阿强, 阿华 (a nickname). */
  nicknamePrefixes: Set<string>;
  /** Words a nickname or a diminutive would otherwise take for a name (阿姨, 小周末). */
  nicknameStops: WordIndex;
  /** Role words before a name, indexed by their LAST character (the scan looks back from the surname). */
  rolesBefore: string[];
  strongFollow: WordIndex;
  notInName: Set<string>;
  transliteration: Set<string>;
}

/** Words by first character, longest first: a lookup costs one map access instead of a scan of the list. */
type WordIndex = Map<string, string[]>;

function indexWords<T>(items: readonly T[], word: (x: T) => string): Map<string, T[]> {
  const index = new Map<string, T[]>();
  for (const x of [...items].sort((a, b) => word(b).length - word(a).length)) {
    const list = index.get(word(x).charAt(0)) ?? [];
    list.push(x);
    index.set(word(x).charAt(0), list);
  }
  return index;
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const byLengthDesc = (a: string, b: string): number => b.length - a.length;

/** Compiles validated name data. */
export function compileNames(data: NameData): NameMatcher {
  const zh = data.zh;
  const en = data.en;
  const notNames = `(?!(?:${en.notNames.map(escapeRe).join('|')})\\b)`;
  const zhContext = [...zh.followContext].sort(byLengthDesc).map(escapeRe).join('|');
  return {
    surnames: new Set(zh.surnames),
    doubleSurnames: new Set(zh.doubleSurnames),
    givenChars: new Set(zh.givenChars),
    stopWords: indexWords(zh.stopWords, (w) => w),
    surnameNotAfter: new Map(Object.entries(zh.surnameNotAfter)),
    titles: indexWords(zh.titles.map((t) => ({ t: t.t, notFollowedBy: t.notFollowedBy ?? '' })), (t) => t.t),
    followContext: indexWords(zh.followContext, (w) => w),
    precedeContext: new Set(zh.precedeContext),
    afterPrecedeContext: indexWords(zh.afterPrecedeContext, (w) => w),
    diminutivePrefixes: new Set(zh.diminutivePrefixes),
    nicknamePrefixes: new Set(zh.nicknamePrefixes ?? ''),
    nicknameStops: indexWords(zh.nicknameStops ?? [], (w) => w),
    rolesBefore: [...(zh.rolesBefore ?? [])].sort(byLengthDesc),
    strongFollow: indexWords(zh.strongFollow ?? [], (w) => w),
    notInName: new Set(zh.notInName ?? ''),
    transliteration: new Set(zh.transliteration ?? ''),
    enTitle: new RegExp(`\\b(?:${en.titles.map(escapeRe).join('|')})\\.? ${notNames}[A-Z][A-Za-z'-]{1,30}(?: ${notNames}[A-Z][a-z'-]{1,30}\\b)?`, 'g'),
    // A listed first name followed by a capitalised surname (kept in the span), or by a reporting verb or a
    // Chinese context word (not kept).
    // A set, not a 3,000-way regex alternation: one lookup per capitalised word keeps the scan linear and fast.
    enFirstNames: new Set(en.firstNames),
    enNotNames: new Set(en.notNames),
    enFollowVerbs: new Set(en.followVerbs),
    zhContext: new RegExp(`(?:${zhContext})`, 'y'),
    enPinyin: new RegExp(`\\b(?:${en.pinyinSurnames.map(escapeRe).join('|')}) ${notNames}[A-Z][a-z]{1,12}\\b`, 'g'),
  };
}

/** A found name, in the offsets of the scanned (normalised) text. */
export interface NameSpan {
  start: number;
  end: number;
}

const PUNCT = new Set(',.!?;:、。"\')(\n '.split(''));

function startsWithAny(t: string, at: number, words: WordIndex): string | undefined {
  for (const w of words.get(t.charAt(at)) ?? []) if (t.startsWith(w, at)) return w;
  return undefined;
}

/** Length of the title at `at`, honouring its notFollowedBy characters; 0 when none. */
function titleAt(m: NameMatcher, t: string, at: number): number {
  for (const { t: title, notFollowedBy } of m.titles.get(t.charAt(at)) ?? []) {
    if (!t.startsWith(title, at)) continue;
    const after = t.charAt(at + title.length);
    if (after && notFollowedBy.includes(after)) continue;
    return title.length;
  }
  return 0;
}

/** Number of given-name characters (0..max) starting at `at`. */
function givenRun(m: NameMatcher, t: string, at: number, max: number): number {
  let g = 0;
  while (g < max && m.givenChars.has(t.charAt(at + g))) g++;
  return g;
}

/** Chinese name at position `i`, or undefined. */
function zhNameAt(m: NameMatcher, t: string, i: number): NameSpan | undefined {
  const two = t.slice(i, i + 2);
  const s = m.doubleSurnames.has(two) ? 2 : m.surnames.has(t.charAt(i)) ? 1 : 0;
  if (s === 0) return undefined;
  if (startsWithAny(t, i, m.stopWords)) return undefined;
  if (i > 0 && s === 1 && (m.surnameNotAfter.get(t.charAt(i)) ?? '').includes(t.charAt(i - 1))) return undefined;
  const after = i + s;
  const maxGiven = givenRun(m, t, after, 2);
  // Title: 王经理, 陈伟老师.
  for (let g = 0; g <= maxGiven; g++) {
    const title = titleAt(m, t, after + g);
    if (title > 0) return { start: i, end: after + g + title };
  }
  // Name + context word: 张婷也, 刘洋吵. Longer given names first.
  for (let g = maxGiven; g >= 1; g--) {
    if (startsWithAny(t, after + g, m.followContext)) return { start: i, end: after + g };
  }
  // Preposition + name + punctuation / relation word: 跟王伟沟通, 和张婷一起.
  if (i > 0 && m.precedeContext.has(t.charAt(i - 1))) {
    for (let g = maxGiven; g >= 1; g--) {
      const end = after + g;
      if (end === t.length || PUNCT.has(t.charAt(end)) || startsWithAny(t, end, m.afterPrecedeContext)) {
        return { start: i, end };
      }
    }
  }
  // Loose rules, bounded by characters that never sit inside a name: a role word before (记者王伟说), or a strong
  // marker after (王伟表示, 张先生) — then the given name need not be in the list of common given-name characters.
  const loose = (g: number): boolean => {
    for (let k = after; k < after + g; k++) if (!isHan(t.charCodeAt(k)) || m.notInName.has(t.charAt(k))) return false;
    return true;
  };
  const ends = (end: number): boolean =>
    end >= t.length || !isHan(t.charCodeAt(end)) || startsWithAny(t, end, m.strongFollow) !== undefined || startsWithAny(t, end, m.followContext) !== undefined;
  // A speaker label at a line start (张伟: …), or one name in a list (吴待秋、吴子深).
  const lineStart = i === 0 || '\n"【[(「'.includes(t.charAt(i - 1));
  if (lineStart) {
    for (const g of [2, 1]) if (loose(g) && (t.charAt(after + g) === ':' || t.charAt(after + g) === '】')) return { start: i, end: after + g };
  }
  if (i > 0 && (t.charAt(i - 1) === '、' || t.charAt(i + s + maxGiven) === '、')) {
    for (let g = maxGiven; g >= 1; g--) {
      const c = t.charAt(after + g);
      if ((c === '、' || (t.charAt(i - 1) === '、' && (PUNCT.has(c) || c === '等'))) && !startsWithAny(t, i, m.stopWords)) return { start: i, end: after + g };
    }
  }
  if (m.rolesBefore.some((r) => r.length <= i && t.startsWith(r, i - r.length))) {
    for (const g of [2, 1]) if (loose(g) && ends(after + g)) return { start: i, end: after + g };
  }
  for (const g of [2, 1]) if (loose(g) && startsWithAny(t, after + g, m.strongFollow)) return { start: i, end: after + g };
  // 老王说, 小李, 老李人挺好: a diminutive + surname is a way to call someone, wherever it stands, unless it is an
  // ordinary word (小周末, 老黄牛).
  if (i > 0 && s === 1 && m.diminutivePrefixes.has(t.charAt(i - 1)) && !startsWithAny(t, i - 1, m.nicknameStops)) {
    const before = i > 1 ? t.charCodeAt(i - 2) : 0;
    // Not inside a longer word (不老李…): the prefix starts the word.
    if (!isHan(before) || m.precedeContext.has(t.charAt(i - 2)) || startsWithAny(t, after, m.followContext) || PUNCT.has(t.charAt(after))) {
      return { start: i - 1, end: after };
    }
  }
  // A double surname is rarely anything else: 欧阳娜娜, 令狐平是…
  if (s === 2 && maxGiven >= 1) return { start: i, end: after + maxGiven };
  return undefined;
}

/** A nickname at `i` (阿强), or undefined. */
function nicknameAt(m: NameMatcher, t: string, i: number): NameSpan | undefined {
  if (!m.nicknamePrefixes.has(t.charAt(i)) || !m.givenChars.has(t.charAt(i + 1))) return undefined;
  if (startsWithAny(t, i, m.nicknameStops)) return undefined;
  if (i > 0 && isHan(t.charCodeAt(i - 1)) && !m.precedeContext.has(t.charAt(i - 1))) return undefined;
  return { start: i, end: i + 2 };
}

const CAPITALISED = /\b[A-Z][a-z'-]{1,30}\b/g;

/**
 * English names from the first-name list: "First Last" (a capitalised word after a listed first name), or a
 * listed first name alone when it is not the first word of a sentence (a capitalised word mid-sentence is a
 * proper noun), or when a verb or a Chinese context word follows ("Priya was great", "Kevin也听到了").
 */
function findEnNames(m: NameMatcher, t: string, found: NameSpan[]): void {
  CAPITALISED.lastIndex = 0;
  for (let x = CAPITALISED.exec(t); x; x = CAPITALISED.exec(t)) {
    const word = x[0];
    if (!m.enFirstNames.has(word) || m.enNotNames.has(word)) continue;
    const start = x.index;
    let end = start + word.length;
    // "First Last": the next word is capitalised and not a street, a month or a company word.
    const next = /^ ([A-Z][a-z'-]{1,30})\b/.exec(t.slice(end, end + 33));
    if (next?.[1] && !m.enNotNames.has(next[1])) {
      end += next[0].length;
      found.push({ start, end });
      CAPITALISED.lastIndex = end;
      continue;
    }
    let k = start - 1;
    while (k >= 0 && (t.charCodeAt(k) === 0x20 || t.charCodeAt(k) === 0x22)) k--;
    const prev = k >= 0 ? t.charAt(k) : '';
    const sentenceStart = prev === '' || '.!?\n。!?:;'.includes(prev) || isHan(prev.charCodeAt(0));
    const following = /^ ([a-z]+)\b/.exec(t.slice(end, end + 20))?.[1];
    m.zhContext.lastIndex = end;
    const context = (following !== undefined && m.enFollowVerbs.has(following)) || m.zhContext.test(t) || /^['’]s\b/.test(t.slice(end, end + 3));
    if (!sentenceStart || context) found.push({ start, end });
  }
}

const isHan = (c: number): boolean => (c >= 0x4e00 && c <= 0x9fff) || (c >= 0x3400 && c <= 0x4dbf);

// Transliterated foreign names are written with a middle dot: 迈克尔·乔丹, 让-保罗·萨特.
const DOTTED = /(?<![《“"\u4e00-\u9fff])[\u4e00-\u9fff]{1,5}(?:[·•・][\u4e00-\u9fff]{1,5}){1,3}(?![\u4e00-\u9fff])/g;

/** Finds third-party names in normalised text. Linear in the text length (bounded look-ahead per position). */
export function findNames(m: NameMatcher, t: string): NameSpan[] {
  const found: NameSpan[] = [];
  for (const x of t.matchAll(DOTTED)) found.push({ start: x.index, end: x.index + x[0].length });
  // Transliterated foreign names without a dot (贝鲁斯科尼, 莫耶斯): a run of transliteration characters.
  if (m.transliteration.size > 0) {
    let run = 0;
    for (let i = 0; i <= t.length; i++) {
      if (i < t.length && m.transliteration.has(t.charAt(i))) {
        run++;
        continue;
      }
      if (run >= 3 && run <= 6 && !startsWithAny(t, i - run, m.stopWords)) found.push({ start: i - run, end: i });
      run = 0;
    }
  }
  for (let i = 0; i < t.length; i++) {
    if (!isHan(t.charCodeAt(i))) continue;
    const span = zhNameAt(m, t, i) ?? nicknameAt(m, t, i);
    if (span) {
      found.push(span);
      i = span.end - 1;
    }
  }
  findEnNames(m, t, found);
  for (const re of [m.enTitle, m.enPinyin]) {
    for (const x of t.matchAll(re)) if (x[0].length > 0) found.push({ start: x.index, end: x.index + x[0].length });
  }
  return found;
}
