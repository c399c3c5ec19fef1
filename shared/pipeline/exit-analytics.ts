/**
 * Exit-reason analytics: the structured fields of many exit records (Liuhen's audit records in the open
 * document, or JSON / CSV audit exports of many documents) aggregated into the distribution of stated and
 * underlying reason codes, with breakdowns by department or period under k-anonymity: no count below k (5) is
 * shown in a breakdown, a group with fewer than k records is not shown at all, and when a row would reveal a
 * hidden cell by subtraction a second cell is hidden too. Counts are code's: nothing here asks a model.
 */
import type { AuditRecord } from '../host/port';
import { guardText } from '../guard';
import type { Template } from '../templates/schema';

/** The smallest count shown in a breakdown by department or period. */
export const K_ANONYMITY = 5;

/** One reason of one exit record. */
export interface ExitReason {
  code: string;
  /** True: the employee said it outright; false: an underlying reason; undefined: not recorded. */
  stated?: boolean;
  role?: string;
  /** Turn ids of the record's evidence the reason rests on. */
  sources?: string[];
}

/** One exit record as analytics needs it. */
export interface ExitRecord {
  id: string;
  /** ISO time of the record. */
  time?: string;
  department?: string;
  reasons: ExitReason[];
  /** Redacted evidence (`T2 员工: …` lines), when the record carries it (records in the document do). */
  evidence?: string;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function reasonsOf(fields: unknown): ExitReason[] {
  if (!isObject(fields) || !Array.isArray(fields['reasons'])) return [];
  return fields['reasons'].filter(isObject).flatMap((r) => {
    if (typeof r['code'] !== 'string' || r['code'] === '') return [];
    const reason: ExitReason = { code: r['code'] };
    if (typeof r['stated'] === 'boolean') reason.stated = r['stated'];
    if (typeof r['role'] === 'string') reason.role = r['role'];
    if (Array.isArray(r['sources'])) reason.sources = r['sources'].map(String);
    return [reason];
  });
}

function departmentOf(r: Record<string, unknown>): string | undefined {
  for (const key of ['department', 'dept', '部门']) {
    const v = r[key];
    if (typeof v === 'string' && v.trim() !== '') return v.trim();
  }
  return undefined;
}

/**
 * Exit records among audit records: inserted exit-interview records with reason codes, one per audit id (the
 * latest). Review events and copies are not records of their own.
 */
export function exitRecordsFromAudit(records: readonly AuditRecord[], templateId = 'exit-interview'): ExitRecord[] {
  const byId = new Map<string, ExitRecord>();
  for (const r of records) {
    if (r.templateId !== templateId || (r.event !== undefined && r.event !== 'inserted')) continue;
    const reasons = reasonsOf(r.fields);
    if (reasons.length === 0) continue;
    const dept = departmentOf(r as unknown as Record<string, unknown>);
    byId.set(r.auditId, {
      id: r.auditId,
      time: r.time,
      reasons,
      ...(dept ? { department: dept } : {}),
      ...(r.evidence ? { evidence: r.evidence } : {}),
    });
  }
  return [...byId.values()];
}

/** What an import read, and what it could not. */
export interface ImportResult {
  records: ExitRecord[];
  problems: string[];
}

/** A JSON audit export (`{format: 'liuhen-audit', records}`) or a plain array of records. */
export function exitRecordsFromJson(text: string, file = 'export.json'): ImportResult {
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    return { records: [], problems: [`${file}: not valid JSON (${(e as Error).message})`] };
  }
  const list = Array.isArray(json) ? json : isObject(json) && Array.isArray(json['records']) ? json['records'] : undefined;
  if (!list) return { records: [], problems: [`${file}: no "records" list`] };
  const records = exitRecordsFromAudit(list.filter(isObject) as unknown as AuditRecord[]);
  return { records, problems: records.length === 0 ? [`${file}: no exit-interview records with reason codes`] : [] };
}

/** Splits RFC 4180 CSV into rows (quoted fields, doubled quotes, CRLF or LF). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const s = text.replace(/^\uFEFF/, '');
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quoted) {
      if (c === '"' && s[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && s[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((r) => r.some((f) => f !== ''));
}

/**
 * A CSV audit export (shared/pipeline/audit-export `auditToCsv`): the `reasons` column (`code:role:stated|underlying:conf;…`)
 * or else `reason_codes`, plus `time` and an optional `department` / `部门` column an analyst may add.
 */
export function exitRecordsFromCsv(text: string, file = 'export.csv'): ImportResult {
  const rows = parseCsv(text);
  const header = rows[0]?.map((h) => h.trim()) ?? [];
  const col = (name: string): number => header.indexOf(name);
  const reasonsCol = col('reasons');
  const codesCol = col('reason_codes');
  if (reasonsCol < 0 && codesCol < 0) return { records: [], problems: [`${file}: no "reasons" or "reason_codes" column`] };
  const templateCol = col('template_id');
  const eventCol = col('event');
  const deptCol = [col('department'), col('dept'), col('部门')].find((i) => i >= 0) ?? -1;
  const records: ExitRecord[] = [];
  rows.slice(1).forEach((r, i) => {
    if (templateCol >= 0 && r[templateCol] !== 'exit-interview') return;
    if (eventCol >= 0 && r[eventCol] !== '' && r[eventCol] !== 'inserted') return;
    const reasons: ExitReason[] =
      reasonsCol >= 0 && (r[reasonsCol] ?? '') !== ''
        ? (r[reasonsCol] ?? '').split(';').flatMap((item) => {
            const [code = '', role = '', stated = ''] = item.split(':');
            if (code === '') return [];
            const reason: ExitReason = { code };
            if (role) reason.role = role;
            if (stated === 'stated') reason.stated = true;
            if (stated === 'underlying') reason.stated = false;
            return [reason];
          })
        : (r[codesCol] ?? '').split(';').filter((c) => c !== '').map((code) => ({ code }));
    if (reasons.length === 0) return;
    const id = r[col('audit_id')] || `${file}#${i + 2}`;
    const time = r[col('time')];
    const dept = deptCol >= 0 ? r[deptCol]?.trim() : undefined;
    records.push({ id, reasons, ...(time ? { time } : {}), ...(dept ? { department: dept } : {}) });
  });
  return { records, problems: records.length === 0 ? [`${file}: no exit-interview rows with reason codes`] : [] };
}

/** Records from several sources, each audit id once (a record exported twice is counted once). */
export function mergeRecords(...lists: ReadonlyArray<readonly ExitRecord[]>): ExitRecord[] {
  const byId = new Map<string, ExitRecord>();
  for (const list of lists) for (const r of list) if (!byId.has(r.id)) byId.set(r.id, r);
  return [...byId.values()];
}

/** The quarter of an ISO time, e.g. `2026-Q3`; undefined when there is no valid time. */
export function periodOf(time: string | undefined): string | undefined {
  const m = /^(\d{4})-(\d{2})/.exec(time ?? '');
  if (!m) return undefined;
  return `${m[1]}-Q${Math.floor((Number(m[2]) - 1) / 3) + 1}`;
}

/** One reason code across all records. */
export interface CodeCount {
  code: string;
  label: string;
  /** Records in which the employee stated this reason. */
  stated: number;
  /** Records in which it is an underlying (unstated) reason. */
  underlying: number;
  /** Records that give this reason at all (stated, underlying or unrecorded); a record counts once. */
  records: number;
}

/** Reason-code labels from the exit-interview template (company data). */
export function reasonLabels(template: Template | undefined): Map<string, string> {
  return new Map((template?.taxonomies['exitReasons'] ?? []).map((e) => [String(e.code), e.label]));
}

/** The distribution of reason codes over all records, most frequent first (taxonomy order among equals). */
export function reasonDistribution(records: readonly ExitRecord[], labels: ReadonlyMap<string, string> = new Map()): CodeCount[] {
  const order = [...labels.keys()];
  const counts = new Map<string, CodeCount>();
  for (const r of records) {
    const seen = new Map<string, { stated: boolean; underlying: boolean }>();
    for (const reason of r.reasons) {
      const s = seen.get(reason.code) ?? { stated: false, underlying: false };
      if (reason.stated === true) s.stated = true;
      if (reason.stated === false) s.underlying = true;
      seen.set(reason.code, s);
    }
    for (const [code, s] of seen) {
      const c = counts.get(code) ?? { code, label: labels.get(code) ?? code, stated: 0, underlying: 0, records: 0 };
      c.records += 1;
      if (s.stated) c.stated += 1;
      if (s.underlying) c.underlying += 1;
      counts.set(code, c);
    }
  }
  const rank = (code: string): number => (order.includes(code) ? order.indexOf(code) : order.length);
  return [...counts.values()].sort((a, b) => b.records - a.records || rank(a.code) - rank(b.code));
}

/** One group (a department or a period) of a breakdown; `null` is a suppressed count. */
export interface BreakdownRow {
  group: string;
  /** Records in the group, or null when the group is smaller than k (the whole row is then hidden). */
  records: number | null;
  /** Records per code giving that reason; null when below k (or hidden so it cannot be worked out). */
  cells: Record<string, number | null>;
}

/** A breakdown of reason codes by department or period, with k-anonymity applied. */
export interface Breakdown {
  by: 'department' | 'period';
  k: number;
  codes: string[];
  rows: BreakdownRow[];
  /** Records without a department / period (not in any row). */
  ungrouped: number;
}

/**
 * Counts of each code per department or period. k-anonymity: a group with fewer than k records shows no counts
 * at all; a cell below k is hidden (0 included, so "nobody" and "a few" look the same); a row with exactly one
 * hidden cell hides its smallest shown cell too, so no hidden count can be worked out from the others.
 */
export function breakdown(records: readonly ExitRecord[], by: Breakdown['by'], codes: readonly string[], k = K_ANONYMITY): Breakdown {
  const groups = new Map<string, ExitRecord[]>();
  let ungrouped = 0;
  for (const r of records) {
    const g = by === 'department' ? r.department : periodOf(r.time);
    if (g === undefined) {
      ungrouped += 1;
      continue;
    }
    groups.set(g, [...(groups.get(g) ?? []), r]);
  }
  const rows: BreakdownRow[] = [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([group, members]) => {
      if (members.length < k) return { group, records: null, cells: Object.fromEntries(codes.map((c) => [c, null])) };
      const raw = Object.fromEntries(codes.map((c) => [c, members.filter((m) => m.reasons.some((x) => x.code === c)).length]));
      const cells: Record<string, number | null> = Object.fromEntries(codes.map((c) => [c, raw[c]! < k ? null : raw[c]!]));
      const hidden = codes.filter((c) => cells[c] === null);
      const shown = codes.filter((c) => cells[c] !== null);
      if (hidden.length === 1 && shown.length > 0) {
        const smallest = shown.reduce((a, b) => (raw[b]! < raw[a]! ? b : a));
        cells[smallest] = null;
      }
      return { group, records: members.length, cells };
    });
  return { by, k, codes: [...codes], rows, ungrouped };
}

/**
 * Up to `n` redacted quotes for a code: the evidence turns its reasons cite, from records that carry evidence,
 * each checked again by the guard (any hit: not quoted), cut to 60 characters, distinct.
 */
export function quotesFor(records: readonly ExitRecord[], code: string, n = 2, language: 'zh' | 'en' = 'zh'): string[] {
  const out: string[] = [];
  for (const r of records) {
    if (!r.evidence) continue;
    for (const reason of r.reasons) {
      if (reason.code !== code) continue;
      for (const src of reason.sources ?? []) {
        const line = r.evidence.split('\n').find((l) => l.startsWith(`${src} `));
        if (!line) continue;
        const text = line.replace(/^\S+\s+(?:[^:：]{1,12}[:：]\s*)?/u, '').trim();
        // Evidence is stored redacted already; anything the guard still finds (personal data, terms) is not quoted.
        const g = text === '' ? undefined : guardText(text, { language });
        if (!g || text.includes('[') || g.hits.length > 0 || g.redacted.redactions.length > 0) continue;
        const cps = Array.from(text);
        const q = cps.length > 60 ? `${cps.slice(0, 60).join('')}…` : text;
        if (!out.includes(q)) out.push(q);
        if (out.length >= n) return out;
      }
    }
  }
  return out;
}
