/**
 * "Export approved records": from review to training data. For each inserted record the writer accepted (as is,
 * or with edits), the pair (redacted evidence, final approved text) as one JSONL line in the format the dataset
 * builder reads (`npm run dataset -- --input approved.jsonl`, models/dataset/read.ts: `{"input", "output",
 * "kind"}`), so next quarter's fine-tune learns from what writers actually approved.
 *
 * Nothing withheld or redacted reappears: the input is the evidence the model saw (personal data already replaced
 * by placeholders, protected-trait sentences withheld), redacted once more; the output is the final text with
 * personal data redacted; a record whose final text now names a protected trait, or that had an escalation (its
 * evidence is never stored), is left out and the reason is reported.
 */
import { redact, scanTerms } from '../guard';
import type { AuditRecord, ReviewState } from '../host/port';
import type { Template } from '../templates/schema';

/** One left-out record and why. */
export interface SkippedRecord {
  auditId: string;
  reason: 'not-approved' | 'no-evidence' | 'protected-trait-in-text' | 'no-sections';
}

/** The export. */
export interface ApprovedExport {
  /** JSONL, one `{"input","output","kind"}` per approved record (empty when none). */
  jsonl: string;
  count: number;
  skipped: SkippedRecord[];
  /** Template ids of the exported records (the dataset builder runs once per template). */
  templates: string[];
}

/** The lines of `text` from the first section heading of `template` on (drops a per-employee title above it). */
function fromFirstHeading(text: string, template: Template | undefined): string | undefined {
  const lines = text.split('\n');
  if (!template) return text;
  const headings = new Set(template.sections.map((s) => s.heading));
  const start = lines.findIndex((l) => headings.has(l.trim()));
  return start < 0 ? undefined : lines.slice(start).join('\n');
}

/**
 * The approved records as dataset JSONL. `states` is the review as the host sees it now (accepted and edited
 * records carry their final text); `records` the trail.
 */
export function exportApproved(records: readonly AuditRecord[], states: readonly ReviewState[], templates: readonly Template[]): ApprovedExport {
  const byRef = new Map(states.map((s) => [s.ref, s]));
  const lines: string[] = [];
  const skipped: SkippedRecord[] = [];
  const used = new Set<string>();
  for (const r of records) {
    if ((r.event ?? 'inserted') !== 'inserted' || r.insertion === 'partial') continue;
    const state = byRef.get(r.auditId);
    if (!state || (state.verdict !== 'accepted' && state.verdict !== 'edited') || state.finalText === undefined) {
      skipped.push({ auditId: r.auditId, reason: 'not-approved' });
      continue;
    }
    if (r.evidence === undefined) {
      skipped.push({ auditId: r.auditId, reason: 'no-evidence' });
      continue;
    }
    const template = templates.find((t) => t.id === r.templateId && t.language === r.templateLanguage) ?? templates.find((t) => t.id === r.templateId);
    const language = r.templateLanguage.startsWith('zh') ? 'zh' : 'en';
    const body = fromFirstHeading(state.finalText, template);
    if (body === undefined) {
      skipped.push({ auditId: r.auditId, reason: 'no-sections' });
      continue;
    }
    const output = redact(body, { language }).text;
    // The writer's own edits may name a protected trait: such text never becomes training data.
    if (scanTerms(output, { language }).some((h) => h.action === 'BLOCK' || h.action === 'ESCALATE')) {
      skipped.push({ auditId: r.auditId, reason: 'protected-trait-in-text' });
      continue;
    }
    const input = redact(r.evidence, { language }).text;
    // Table rows arrive as `字段: 值` lines: notes; interview turns as `T1 …`: transcript.
    const kind = /^T\d+\b/m.test(input) && r.rowIndex === undefined ? 'transcript' : 'notes';
    lines.push(JSON.stringify({ input, output, kind }));
    used.add(r.templateId);
  }
  return { jsonl: lines.map((l) => `${l}\n`).join(''), count: lines.length, skipped, templates: [...used] };
}
