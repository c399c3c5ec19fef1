/**
 * A summary as an insertion plan, inserted as tracked changes like any record: one block with the totals and
 * how the counts were made, then one block per theme with its count, share and quotes. Plain text only.
 */
import type { InsertionPlan, PlanBlock, PlanTarget } from '../host/port';
import { summaryLang } from '../prompt/summary';
import { newAuditId } from './hash';
import type { SummaryResult } from './summary';

const WORDS = {
  zh: {
    title: '【调研汇总】',
    intro: (r: SummaryResult) =>
      `共${r.total}条,归为${r.themes.length}个主题。每条由模型归入一个主题,条数由程序按归类统计。` +
      (r.referred > 0 ? `另有${r.referred}条涉及需转交核实的事项,未纳入汇总。` : ''),
    theme: (label: string, count: number, share: number) => `${label}(${count}条,${pct(share)})`,
    quote: (q: string) => `“${q}”`,
  },
  en: {
    title: '[Survey summary]',
    intro: (r: SummaryResult) =>
      `${r.total} items in ${r.themes.length} themes. The model assigned each item to one theme; the counts are computed from those labels.` +
      (r.referred > 0 ? ` ${r.referred} items raising matters for referral are not included.` : ''),
    theme: (label: string, count: number, share: number) => `${label} (${count}, ${pct(share)})`,
    quote: (q: string) => `"${q}"`,
  },
} as const;

function pct(share: number): string {
  return `${Math.round(share * 1000) / 10}%`;
}

/** The plan for a summary; `title` replaces the default heading (e.g. `【离职原因汇总】`). */
export function buildSummaryPlan(result: SummaryResult, target: PlanTarget, title?: string): InsertionPlan {
  if (result.aborted) throw new Error('an incomplete (cancelled) summary is not inserted');
  const w = WORDS[summaryLang(result.language)];
  const blocks: PlanBlock[] = [{ heading: title ?? w.title, headingStyle: 'Heading3', paragraphs: [w.intro(result)], comments: [] }];
  for (const t of result.themes) {
    blocks.push({ heading: w.theme(t.label, t.count, t.share), headingStyle: 'Heading4', paragraphs: t.quotes.map(w.quote), comments: [] });
  }
  return { auditId: newAuditId(), target, blocks };
}

/**
 * Pasted answers → items: blocks separated by blank lines when there are any, else one per line; list markers
 * (`1.`, `-`, `•`, `(3)`) are removed.
 */
export function splitPastedItems(text: string): string[] {
  const normalised = text.replace(/\r\n?/g, '\n').trim();
  if (normalised === '') return [];
  const parts = /\n\s*\n/.test(normalised) ? normalised.split(/\n\s*\n/) : normalised.split('\n');
  return parts
    .map((p) => p.replace(/^\s*(?:\d{1,4}[.、)）]|[(（]\d{1,4}[)）]|[-*•·])\s*/u, '').replace(/\s*\n\s*/g, ' ').trim())
    .filter((p) => p !== '');
}

/** One column of table records → items (empty cells skipped). */
export function columnItems(records: ReadonlyArray<{ fields: Record<string, string> }>, column: string): string[] {
  return records.map((r) => (r.fields[column] ?? '').trim()).filter((v) => v !== '');
}
