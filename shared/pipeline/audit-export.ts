/**
 * Audit exports for analytics: the audit records (留痕) of a document or a batch as JSON, or as CSV that opens
 * correctly in Excel (UTF-8 with a BOM, RFC 4180 quoting, CRLF rows). The CSV flattens the structured fields a
 * HR analyst counts: exit-reason codes (with role, stated, confidence), the nine-box cell and its label,
 * readiness, the confidences, and every flag.
 */
import type { AuditRecord } from '../host/port';
import type { Template } from '../templates/schema';

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
  'time',
  'template_id',
  'template_version',
  'template_language',
  'model_id',
  'row_index',
  'source_sha256',
  'redactions',
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
  return [
    record.auditId,
    record.time,
    record.templateId,
    record.templateVersion,
    record.templateLanguage,
    record.modelId,
    record.rowIndex ?? '',
    record.sourceHash,
    record.redactionCount,
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
    record.flags.map((x) => x.flag).join(';'),
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
  return `${JSON.stringify({ format: 'liuhen-audit', version: 1, records }, null, 2)}\n`;
}
