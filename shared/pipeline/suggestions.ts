/**
 * Organisational improvement suggestions from exit analytics: the aggregated reason codes (counted by code) and
 * a few redacted quotes go to the model, which writes one suggestion per line tied to a code; the result is an
 * insertion plan (tracked changes like any record) whose numbers come from the counts, not from the model.
 */
import type { LlmEngine } from '../engine/port';
import { scanTerms } from '../guard';
import type { InsertionPlan, PlanTarget } from '../host/port';
import { suggestionGrammar } from '../output/summary-grammar';
import { renderImprovementSuggestions, type ReasonFact } from '../prompt/analytics';
import { quotesFor, type CodeCount, type ExitRecord } from './exit-analytics';
import { newAuditId } from './hash';

/** Reasons shown to the model: the most frequent ones. */
const TOP_REASONS = 6;
const MAX_SUGGESTIONS = 5;

/** One suggestion and the reason it answers. */
export interface Suggestion {
  code: string;
  label: string;
  /** Records giving that reason (from the counts). */
  records: number;
  text: string;
}

export interface SuggestionsResult {
  language: string;
  total: number;
  suggestions: Suggestion[];
  /** Lines the model wrote that were dropped (unknown code, empty, or flagged by the guard). */
  dropped: number;
  requests: number;
  aborted: boolean;
}

/** Asks the engine for suggestions from the distribution of `records`. */
export async function suggestImprovements(input: {
  records: readonly ExitRecord[];
  distribution: readonly CodeCount[];
  engine: LlmEngine;
  language: string;
  signal?: AbortSignal;
}): Promise<SuggestionsResult> {
  const lang = input.language.startsWith('zh') ? 'zh' : 'en';
  const facts: ReasonFact[] = input.distribution
    .filter((c) => c.code !== 'PERS-R')
    .slice(0, TOP_REASONS)
    .map((c) => ({ ...c, quotes: quotesFor(input.records, c.code, 2, lang) }));
  if (facts.length === 0) return { language: input.language, total: input.records.length, suggestions: [], dropped: 0, requests: 0, aborted: false };
  const codes = facts.map((f) => f.code);
  let text = '';
  let aborted = false;
  for await (const chunk of input.engine.generate({
    messages: renderImprovementSuggestions(input.language, input.records.length, facts, MAX_SUGGESTIONS),
    responseFormat: { type: 'grammar', grammar: suggestionGrammar(codes, MAX_SUGGESTIONS) },
    maxTokens: 400,
    temperature: 0,
    seed: 20240611,
    ...(input.signal ? { signal: input.signal } : {}),
  })) {
    if (chunk.type === 'text') text += chunk.text;
    else if (chunk.finishReason === 'abort') aborted = true;
  }
  const suggestions: Suggestion[] = [];
  let dropped = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const m = /^\s*([A-Z][A-Z-]*)\s*\|\s*(.+?)\s*$/.exec(line);
    const fact = m ? facts.find((f) => f.code === m[1]) : undefined;
    // A suggestion is model text like any record: the output guard applies (no protected traits, no names).
    if (!m || !fact || scanTerms(m[2]!, { language: lang }).some((h) => h.action !== 'WARN')) {
      dropped += 1;
      continue;
    }
    suggestions.push({ code: fact.code, label: fact.label, records: fact.records, text: m[2]! });
  }
  return { language: input.language, total: input.records.length, suggestions, dropped, requests: 1, aborted };
}

/** The suggestions as an insertion plan: the basis (counts) first, then one paragraph per suggestion. */
export function buildSuggestionsPlan(result: SuggestionsResult, target: PlanTarget): InsertionPlan {
  if (result.aborted) throw new Error('cancelled suggestions are not inserted');
  const zh = result.language.startsWith('zh');
  const basis = zh
    ? `依据:${result.total}份离职记录的原因统计(条数由程序统计)。`
    : `Basis: reason statistics of ${result.total} exit records (counted by Liuhen, not by the model).`;
  const paragraphs = result.suggestions.map((s) => (zh ? `${s.text}(对应原因:${s.label},${s.records}份)` : `${s.text} (reason: ${s.label}, ${s.records} records)`));
  return {
    auditId: newAuditId(),
    target,
    blocks: [{ heading: zh ? '【组织改进建议】' : '[Organisational improvement suggestions]', headingStyle: 'Heading3', paragraphs: [basis, ...paragraphs], comments: [] }],
  };
}
