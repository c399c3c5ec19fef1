/**
 * Sensitive-term detection on the source and on the model's output: literal terms (one Aho–Corasick pass over
 * all lists), context patterns, and third-party names. Categories, actions, messages and rewrites come from
 * the term data (./terms); this module only matches and resolves overlaps.
 */
import { detectLanguage } from './language';
import { runSteps } from '../steps';
import { findNamesSteps } from './names';
import { normalizeText } from './normalize';
import { builtinTermSet, type CompiledTerm, type TermSet } from './terms';
import type { GuardAction, GuardHit, GuardLanguage, ScanOptions } from './types';

/** Higher wins when hits overlap. */
export const ACTION_SEVERITY: Readonly<Record<GuardAction, number>> = { ESCALATE: 3, BLOCK: 2, WARN: 1 };

const NAME_CATEGORY = 'THIRD_PARTY_NAME';

/** Options of {@link scanTerms} with a custom term set (e.g. a company's own lists). */
export interface ScanTermsOptions extends ScanOptions {
  termSet?: TermSet;
}

interface Candidate {
  category: string;
  start: number;
  end: number;
  rewrite?: Partial<Record<GuardLanguage, string>>;
}

const isWordChar = (c: number): boolean =>
  (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
const isLetter = (c: number): boolean => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);

/** Applies word boundaries (for Latin terms), `*` extension, case sensitivity and the exception contexts. */
function acceptTerm(t: string, term: CompiledTerm, start: number, end: number): number | undefined {
  if (isWordChar(term.text.charCodeAt(0)) && start > 0 && isWordChar(t.charCodeAt(start - 1))) return undefined;
  if (term.prefix) {
    while (end < t.length && isLetter(t.charCodeAt(end))) end++;
  } else if (isWordChar(term.text.charCodeAt(term.text.length - 1)) && end < t.length && isWordChar(t.charCodeAt(end))) {
    return undefined;
  }
  if (term.caseSensitive && !t.startsWith(term.text, start)) return undefined;
  for (const before of term.notAfter) {
    if (t.slice(Math.max(0, start - before.length - 2), start).includes(before)) return undefined;
  }
  for (const after of term.notBefore) if (t.startsWith(after, end)) return undefined;
  return end;
}

const REPORTING = /(?:说|讲|称|骂|表示|声称|放话|said|says|told|claimed)[ :,"]{0,3}$/i;

/**
 * True when the span at `start` is someone else's words: inside a quotation opened earlier on the same line,
 * or right after a reporting verb (组长当众说"女生…", he said women…).
 */
function isReported(t: string, start: number): boolean {
  const lineStart = t.lastIndexOf('\n', start - 1) + 1;
  const from = Math.max(lineStart, start - 80);
  let quotes = 0;
  for (let i = from; i < start; i++) if (t.charCodeAt(i) === 0x22) quotes++;
  if (quotes % 2 === 1) return true;
  return REPORTING.test(t.slice(Math.max(from, start - 8), start));
}

function severity(set: TermSet, category: string): number {
  const info = set.categories.get(category);
  return info ? ACTION_SEVERITY[info.action] : 0;
}

/**
 * Finds sensitive terms in `text` (source or model output). Hits are sorted by `start`, never overlap, and
 * index into `text` itself; where hits overlap, the more severe action wins (ESCALATE > BLOCK > WARN), then the
 * longer span. Never throws on any string.
 */
export function scanTerms(text: string, options: ScanTermsOptions = {}): GuardHit[] {
  return runSteps(scanTermsSteps(text, options));
}

/** {@link scanTerms} as steps: pauses between the literal terms, the context patterns and the name search's passes. */
export function* scanTermsSteps(text: string, options: ScanTermsOptions = {}): Generator<void, GuardHit[], void> {
  const set = options.termSet ?? builtinTermSet();
  const language = options.language ?? detectLanguage(text);
  const norm = normalizeText(text);
  const t = norm.text;
  const found: Candidate[] = [];

  for (const m of set.automaton.search(t)) {
    const term = set.terms[m.pattern];
    if (!term) continue;
    const end = acceptTerm(t, term, m.start, m.end);
    if (end === undefined) continue;
    const c: Candidate = { category: term.category, start: m.start, end };
    if (term.rewrite) c.rewrite = term.rewrite;
    found.push(c);
  }
  yield;
  for (const p of set.patterns) {
    for (const m of t.matchAll(p.regex)) {
      if (m[0].length === 0) continue;
      const category = p.reportedCategory && isReported(t, m.index) ? p.reportedCategory : p.category;
      const c: Candidate = { category, start: m.index, end: m.index + m[0].length };
      if (p.rewrite) c.rewrite = p.rewrite;
      found.push(c);
    }
  }
  yield;
  if (options.detectNames !== false && set.categories.has(NAME_CATEGORY)) {
    for (const s of yield* findNamesSteps(set.names, t)) found.push({ category: NAME_CATEGORY, start: s.start, end: s.end });
  }

  found.sort(
    (a, b) =>
      severity(set, b.category) - severity(set, a.category) || b.end - b.start - (a.end - a.start) || a.start - b.start,
  );
  const taken = new Uint8Array(t.length);
  const hits: GuardHit[] = [];
  for (const c of found) {
    const info = set.categories.get(c.category);
    if (!info) continue;
    let free = true;
    for (let i = c.start; i < c.end && free; i++) if (taken[i]) free = false;
    if (!free) continue;
    taken.fill(1, c.start, c.end);
    const start = norm.starts[c.start] ?? 0;
    const end = norm.ends[c.end - 1] ?? start;
    const hit: GuardHit = {
      action: info.action,
      category: c.category,
      flag: info.flag,
      start,
      end,
      match: text.slice(start, end),
      message: info.message[language],
    };
    const rewrite = c.rewrite?.[language] ?? info.rewrite?.[language];
    if (rewrite) hit.rewrite = rewrite;
    if (info.handler) hit.handler = info.handler[language];
    hits.push(hit);
  }
  return hits.sort((a, b) => a.start - b.start);
}
