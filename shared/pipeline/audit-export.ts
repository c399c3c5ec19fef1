/**
 * Audit exports for analytics: the audit records (留痕) of a document or a batch as JSON, or as CSV that opens
 * correctly in Excel (UTF-8 with a BOM, RFC 4180 quoting, CRLF rows). The CSV flattens the structured fields a
 * HR analyst counts: exit-reason codes (with role, stated, confidence), the nine-box cell and its label,
 * readiness, the confidences, the flags that name no protected trait, and the guard's flags counted by action.
 *
 * No export carries a protected-trait or escalation category (MATERNITY, HARASSMENT …): records store only counts,
 * and records written by older versions are reduced to counts here. The one file that names categories is the
 * escalation export ({@link escalationToJson}), made only when the writer chooses to, from the pane.
 */
import type { GuardHit } from '../guard/types';
import type { AuditRecord } from '../host/port';
import type { Template } from '../templates/schema';
import { withoutCategories } from './audit-chain';

/** Byte order mark: without it Excel reads UTF-8 CSV as the local code page and garbles Chinese. */
export const CSV_BOM = '\uFEFF';

/** One CSV field, quoted when it holds a comma, quote, CR or LF (RFC 4180), or leading/trailing spaces. */
export function csvField(value: unknown): string {
  const text = value === undefined || value === null ? '' : typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
  // A leading = + - @ makes Excel evaluate the cell as a formula; a quote character in front keeps it text.
  const safe = /^[=+\-@\t\r]/.test(text) && !/^-?\d+(\.\d+)?$/.test(text) ? `'${text}` : text;
  return /[",\r\n]|^\s|\s$/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** Rows as RFC 4180 CSV (CRLF line ends) with a leading BOM. */
export function toCsv(header: readonly string[], rows: ReadonlyArray<readonly unknown[]>): string {
  const lines = [header, ...rows].map((r) => r.map(csvField).join(','));
  return `${CSV_BOM}${lines.join('\r\n')}\r\n`;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** Taxonomy labels of the templates, to label codes in exports. */
function labeller(templates: readonly Template[]): (templateId: string, language: string, taxonomy: string, code: unknown) => string {
  return (templateId, language, taxonomy, code) => {
    const t = templates.find((x) => x.id === templateId && x.language === language) ?? templates.find((x) => x.id === templateId);
    const entry = t?.taxonomies[taxonomy]?.find((e) => e.code === code);
    return entry?.label ?? '';
  };
}

/** The columns a flat audit row has. */
export const AUDIT_CSV_HEADER = [
  'audit_id',
  'event',
  'insertion',
  'ref',
  'verdict',
  'change_count',
  'time',
  'template_id',
  'template_version',
  'template_language',
  'model_id',
  'model_revision',
  'seed',
  'prompt_version',
  'text_sha256',
  'row_index',
  'source_hash',
  'redactions',
  'block_flags',
  'warn_flags',
  'escalate_flags',
  'nine_box_cell',
  'nine_box_label',
  'nine_box_confidence',
  'strengths_confidence',
  'development_confidence',
  'succession_readiness',
  'succession_confidence',
  'reason_codes',
  'primary_reason',
  'reasons',
  'flags',
] as const;

/** The flat values of one record, in {@link AUDIT_CSV_HEADER} order. */
export function auditRow(record: AuditRecord, label: (taxonomy: string, code: unknown) => string = () => ''): unknown[] {
  const f = isObject(record.fields) ? record.fields : {};
  const nine = isObject(f['nine_box']) ? f['nine_box'] : {};
  const succession = isObject(f['succession']) ? f['succession'] : {};
  const conf = (key: string): number | undefined => {
    const v = f[key];
    return isObject(v) ? num(v['confidence']) : undefined;
  };
  const reasons = Array.isArray(f['reasons']) ? f['reasons'].filter(isObject) : [];
  const codes = reasons.map((r) => String(r['code'] ?? ''));
  const primary = reasons.find((r) => r['role'] === 'primary');
  // One reason per `;`-separated item: code:role:stated|underlying:confidence, the shape analysts pivot on.
  const reasonText = reasons
    .map((r) => {
      const stated = r['stated'] === true ? 'stated' : r['stated'] === false ? 'underlying' : '';
      const c = num(r['confidence']);
      return [String(r['code'] ?? ''), String(r['role'] ?? ''), stated, c === undefined ? '' : c.toFixed(2)].join(':');
    })
    .join(';');
  const cell = nine['cell'];
  const safe = sanitizeRecord(record);
  const counts = safe.flagCounts ?? { BLOCK: 0, WARN: 0, ESCALATE: 0 };
  return [
    record.auditId,
    record.event ?? 'inserted',
    record.insertion ?? '',
    record.ref ?? '',
    record.verdict ?? '',
    record.changeCount ?? '',
    record.time,
    record.templateId,
    record.templateVersion,
    record.templateLanguage,
    record.modelId,
    record.modelRevision ?? '',
    record.seed ?? '',
    record.promptVersion ?? '',
    record.textHash ?? '',
    record.rowIndex ?? '',
    record.sourceHash,
    record.redactionCount,
    counts.BLOCK,
    counts.WARN,
    counts.ESCALATE,
    cell ?? '',
    cell === undefined || cell === null ? '' : label('nineBox', cell),
    num(nine['confidence']) ?? '',
    conf('strengths') ?? '',
    conf('development') ?? '',
    succession['readiness'] ?? '',
    num(succession['confidence']) ?? '',
    codes.join(';'),
    primary ? String(primary['code'] ?? '') : '',
    reasonText,
    safe.flags.map((x) => x.flag).join(';'),
  ];
}

/** Audit records as CSV (BOM, RFC 4180); `templates` label codes (nine-box cell → 超级明星). */
export function auditToCsv(records: readonly AuditRecord[], templates: readonly Template[] = []): string {
  const label = labeller(templates);
  return toCsv(
    AUDIT_CSV_HEADER,
    records.map((r) => auditRow(r, (taxonomy, code) => label(r.templateId, r.templateLanguage, taxonomy, code))),
  );
}

/** Audit records as pretty JSON (an object with a format version, so later readers can tell). */
export function auditToJson(records: readonly AuditRecord[]): string {
  // The inserted text and the redacted evidence stay in the document's own trail (review, approved export).
  const out = records.map((r) => {
    const { text: _text, evidence: _evidence, evidenceDigest: _digest, ...rest } = sanitizeRecord(r);
    return rest;
  });
  return `${JSON.stringify({ format: 'liuhen-audit', version: 2, records: out }, null, 2)}\n`;
}

/**
 * A record without protected-trait categories: guard flags (BLOCK:/WARN:/ESCALATE:…) become counts. Records
 * written by this version already are; older ones (which stored the categories) are reduced here.
 */
export function sanitizeRecord(record: AuditRecord): AuditRecord {
  return withoutCategories(record);
}

/** One escalation for routing to employee relations / compliance. */
export interface EscalationItem {
  auditId: string;
  templateId: string;
  /** Escalation categories (HARASSMENT, LITIGATION …): what routing needs. */
  categories: string[];
  /** Where they were found: in the source or in the model's output. */
  where: Array<'source' | 'output'>;
}

/**
 * The explicit escalation export: the ONE file that names escalation categories, made only when the writer asks
 * for it (the pane says what it contains first). It holds no source text and no protected-trait (BLOCK)
 * categories: only the escalation categories routing needs, and the audit id to find the record.
 */
export function escalationToJson(
  items: ReadonlyArray<{ auditId: string; templateId: string; sourceHits: readonly GuardHit[]; outputHits: readonly GuardHit[] }>,
): string {
  const out: EscalationItem[] = [];
  for (const r of items) {
    const hits = [...r.sourceHits.map((h) => ({ h, w: 'source' as const })), ...r.outputHits.map((h) => ({ h, w: 'output' as const }))].filter((x) => x.h.action === 'ESCALATE');
    if (hits.length === 0) continue;
    out.push({ auditId: r.auditId, templateId: r.templateId, categories: [...new Set(hits.map((x) => x.h.category))], where: [...new Set(hits.map((x) => x.w))] });
  }
  return `${JSON.stringify({ format: 'liuhen-escalation', version: 1, escalations: out }, null, 2)}\n`;
}
