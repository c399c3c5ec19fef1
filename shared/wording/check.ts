/**
 * "Check wording": a review of the writer's OWN text (not the model's), as minimal word-level suggestions with
 * reasons. Runs the guard's term scan (the built-in term data plus the wording categories under ./terms) and its
 * personal-data detection over each paragraph; host-agnostic — the hosts turn suggestions into tracked changes
 * (Word), refactor-preview entries (VS Code) or marked-up text (playground).
 */
import {
  BUILTIN_TERM_SOURCES,
  detectLanguage,
  parseTermSet,
  redact,
  scanTerms,
  type GuardAction,
  type GuardLanguage,
  type RedactionType,
  type TermSet,
} from '../guard';
import wordingCategories from './terms/categories.json';
import wordingZh from './terms/zh.json';
import wordingEn from './terms/en.json';

/** What a suggestion does to the flagged words. `comment`: nothing is changed; the comment explains. */
export type WordingEditKind = 'replace' | 'delete' | 'comment';

/** One suggestion on the writer's text: a word-level change (or comment only) with its reason. */
export interface WordingSuggestion {
  /** Stable within one check: `p${paragraph}:${start}`. */
  id: string;
  /** Index of the paragraph in the checked list. */
  paragraph: number;
  /** Start offset (UTF-16 code units) in that paragraph. */
  start: number;
  /** End offset (exclusive). */
  end: number;
  /** The flagged text, exactly as written (`paragraph.slice(start, end)`). */
  before: string;
  /**
   * How many earlier, non-overlapping, case-sensitive occurrences of `before` the paragraph has before `start`:
   * a host that can only search text (Word) takes that search result.
   */
  occurrence: number;
  kind: WordingEditKind;
  /** The replacement text; `''` for a deletion, `before` for a comment-only suggestion. */
  after: string;
  /** Term category (e.g. `AGE`, `EXAGGERATION`) or `PERSONAL_DATA`. */
  category: string;
  /** Display name of the category in the check's language. */
  label: string;
  action: GuardAction;
  /** Why the words are a problem (one sentence for the writer). */
  reason: string;
  /** What to write instead. */
  advice: string;
  /** ESCALATE categories: who should handle the matter. */
  handler?: string;
}

/** Result of {@link checkWording}. */
export interface WordingCheck {
  language: GuardLanguage;
  suggestions: WordingSuggestion[];
  /** Number of suggestions per category: what an audit record keeps (never the text). */
  counts: Record<string, number>;
  /** Characters scanned. */
  chars: number;
}

/** Options of {@link checkWording}. */
export interface CheckWordingOptions {
  /** Language of reasons and replacements; detected from the whole text when absent. */
  language?: GuardLanguage;
  /** A custom term set (default: the built-in guard data merged with the wording data). */
  termSet?: TermSet;
  /** Detect third-party names (default false: in the writer's own draft names are usually the employee's). */
  detectNames?: boolean;
}

type Localized = Record<GuardLanguage, string>;
const LABELS = (wordingCategories as unknown as { labels: Record<string, Localized> }).labels;

/** The wording categories added by this check (their term-level rewrites are replacement phrases). */
export const WORDING_CATEGORIES: readonly string[] = Object.keys(
  (wordingCategories as unknown as { categories: Record<string, unknown> }).categories,
);

/** Display name of a category. */
export function wordingLabel(category: string, language: GuardLanguage): string {
  return LABELS[category]?.[language] ?? category;
}

type TermFileJson = { language: string; terms: Array<{ category: string; terms: Array<string | { term: string }> }>; patterns?: unknown[] };

const termText = (e: string | { term: string }): string => (typeof e === 'string' ? e : e.term).toLowerCase();

/** A guard term file without the terms the wording data redefines (the wording entry wins for this check). */
function withoutOverridden(file: TermFileJson, overridden: ReadonlySet<string>): TermFileJson {
  return {
    ...file,
    terms: file.terms.map((list) => ({ ...list, terms: list.terms.filter((e) => !overridden.has(termText(e))) })),
  };
}

let wordingSet: TermSet | undefined;

/** The built-in guard term data merged with the wording categories, compiled on first use. */
export function wordingTermSet(): TermSet {
  if (wordingSet) return wordingSet;
  const mine = [wordingZh, wordingEn] as unknown as TermFileJson[];
  const overridden = new Set(mine.flatMap((f) => f.terms.flatMap((l) => l.terms.map(termText))));
  const builtinCats = (BUILTIN_TERM_SOURCES.categories as { categories: Record<string, unknown> }).categories;
  const ownCats = (wordingCategories as unknown as { categories: Record<string, unknown> }).categories;
  const r = parseTermSet({
    categories: { categories: { ...builtinCats, ...ownCats } },
    termFiles: [
      ...BUILTIN_TERM_SOURCES.termFiles.map(({ file, json }) => ({ file, json: withoutOverridden(json as TermFileJson, overridden) })),
      { file: 'wording/zh.json', json: wordingZh },
      { file: 'wording/en.json', json: wordingEn },
    ],
    names: BUILTIN_TERM_SOURCES.names,
  });
  if (!r.ok) throw new Error(`wording term data is invalid: ${r.problems.join('; ')}`);
  wordingSet = r.termSet;
  return wordingSet;
}

/** Escalations that are conclusions the writer should not make (deleted); other escalations are comment-only. */
const DELETE_ESCALATIONS = new Set(['LEGAL_CONCLUSION']);

const PII_LABEL: Record<RedactionType, Localized> = {
  CN_ID: { zh: '身份证号', en: 'ID number' },
  CN_MOBILE: { zh: '手机号', en: 'mobile number' },
  CN_LANDLINE: { zh: '座机号', en: 'phone number' },
  BANK_CARD: { zh: '银行卡号', en: 'bank card number' },
  EMAIL: { zh: '邮箱', en: 'email address' },
  ADDRESS: { zh: '住址', en: 'home address' },
  PASSPORT: { zh: '证件号', en: 'passport number' },
  IM_ACCOUNT: { zh: '社交账号', en: 'messaging account' },
};

/** The term-level (or pattern-level) rewrite of the wording term matched at [start, end), in `language`. */
function termRewriteOf(set: TermSet, text: string, start: number, end: number, language: GuardLanguage): string | undefined {
  // scanTerms gives the rewrite in the message language; the replacement must be in the paragraph's language.
  const hits = scanTerms(text.slice(start, end), { language, termSet: set, detectNames: false });
  const h = hits.find((x) => x.start === 0 && x.end === end - start);
  const info = h ? set.categories.get(h.category) : undefined;
  return h?.rewrite && h.rewrite !== info?.rewrite?.[language] ? h.rewrite : undefined;
}

/** "Needs to improve" -> "Needs to reach …": keep a capital at the start of the replaced words. */
function matchCase(replacement: string, before: string): string {
  const c = before.charAt(0);
  return c !== c.toLowerCase() && c === c.toUpperCase() ? replacement.charAt(0).toUpperCase() + replacement.slice(1) : replacement;
}

function occurrenceOf(text: string, needle: string, start: number): number {
  let n = 0;
  for (let i = text.indexOf(needle); i >= 0 && i < start; i = text.indexOf(needle, i + needle.length)) n++;
  return n;
}

/**
 * Checks the writer's paragraphs. Suggestions are sorted by paragraph then offset and never overlap; each
 * changes only the flagged words: a term-data rewrite replaces them (wording categories), a protected-trait
 * remark or a legal conclusion is deleted, personal data is replaced by its placeholder, anything else
 * (vague labels, hearsay, allegations to escalate) gets a comment only. Never throws on any string.
 */
export function checkWording(paragraphs: readonly string[], options: CheckWordingOptions = {}): WordingCheck {
  const language = options.language ?? detectLanguage(paragraphs.join('\n'));
  const set = options.termSet ?? wordingTermSet();
  const ownCategories = new Set(WORDING_CATEGORIES);
  const suggestions: WordingSuggestion[] = [];
  let chars = 0;

  paragraphs.forEach((text, paragraph) => {
    chars += text.length;
    if (text.trim() === '') return;
    // Replacements follow the paragraph's own language (bilingual drafts); messages the requested one.
    const own = detectLanguage(text);
    const found: WordingSuggestion[] = [];
    const add = (s: Omit<WordingSuggestion, 'id' | 'paragraph' | 'before' | 'occurrence' | 'label'>): void => {
      const before = text.slice(s.start, s.end);
      found.push({
        id: `p${paragraph}:${s.start}`,
        paragraph,
        before,
        occurrence: occurrenceOf(text, before, s.start),
        label: wordingLabel(s.category, language),
        ...s,
      });
    };

    for (const r of redact(text, { language }).redactions) {
      const what = PII_LABEL[r.type][language];
      add({
        start: r.start,
        end: r.end,
        kind: 'replace',
        after: r.replacement,
        category: 'PERSONAL_DATA',
        action: 'BLOCK',
        reason: language === 'zh' ? `记录中出现了${what},属于个人信息,不应写入评价记录。` : `The record contains a ${what}; personal data does not belong in it.`,
        advice: language === 'zh' ? `删除${what};如需联系,见员工档案。` : `Remove the ${what}; contact details live in the employee file.`,
      });
    }
    const taken = (a: number, b: number): boolean => found.some((f) => f.start < b && a < f.end);

    for (const hit of scanTerms(text, { language, termSet: set, detectNames: options.detectNames ?? false })) {
      if (taken(hit.start, hit.end)) continue;
      const info = set.categories.get(hit.category);
      const advice = info?.rewrite?.[language] ?? hit.rewrite ?? '';
      const termRewrite = ownCategories.has(hit.category) ? termRewriteOf(set, text, hit.start, hit.end, own) : undefined;
      let kind: WordingEditKind;
      let after: string;
      if (termRewrite) {
        kind = 'replace';
        after = matchCase(termRewrite, hit.match);
      } else if (hit.action === 'BLOCK' || (hit.action === 'ESCALATE' && DELETE_ESCALATIONS.has(hit.category))) {
        kind = 'delete';
        after = '';
      } else {
        kind = 'comment';
        after = hit.match;
      }
      const s: Omit<WordingSuggestion, 'id' | 'paragraph' | 'before' | 'occurrence' | 'label'> = {
        start: hit.start,
        end: hit.end,
        kind,
        after,
        category: hit.category,
        action: hit.action,
        reason: hit.message,
        advice,
      };
      if (hit.handler) s.handler = hit.handler;
      add(s);
    }
    found.sort((a, b) => a.start - b.start);
    suggestions.push(...found);
  });

  const counts: Record<string, number> = {};
  for (const s of suggestions) counts[s.category] = (counts[s.category] ?? 0) + 1;
  return { language, suggestions, counts, chars };
}

/** The comment a host attaches to a suggestion: category, reason, what to write instead (and who handles it). */
export function wordingComment(s: WordingSuggestion, language: GuardLanguage): string {
  const lines =
    language === 'zh'
      ? [`【${s.label}】${s.reason}`, `建议:${s.advice}`]
      : [`[${s.label}] ${s.reason}`, `Instead: ${s.advice}`];
  if (s.handler) lines.push(language === 'zh' ? `请转交:${s.handler}` : `Refer to: ${s.handler}`);
  return lines.join('\n');
}

/** Applies suggestions to paragraph texts (what the writer sees once every tracked change is accepted). */
export function applyWordingToText(paragraphs: readonly string[], suggestions: readonly WordingSuggestion[]): string[] {
  const out = [...paragraphs];
  const byParagraph = new Map<number, WordingSuggestion[]>();
  for (const s of suggestions) if (s.kind !== 'comment') byParagraph.set(s.paragraph, [...(byParagraph.get(s.paragraph) ?? []), s]);
  for (const [i, list] of byParagraph) {
    let t = out[i] ?? '';
    // Last first, so earlier offsets stay valid.
    for (const s of [...list].sort((a, b) => b.start - a.start)) t = t.slice(0, s.start) + s.after + t.slice(s.end);
    out[i] = t;
  }
  return out;
}
