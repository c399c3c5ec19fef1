/**
 * The audit trail's storage format inside a Word document: one custom XML part in Liuhen's namespace, one
 * `<record>` element per inserted generation holding the AuditRecord as JSON text. JSON inside XML keeps the
 * format trivially forward-compatible (new AuditRecord fields need no schema change) and parseable without a
 * DOM (the task pane, tests and the VS Code host alike).
 */
import type { AuditRecord } from '../../shared/host/port';

/** Namespace of Liuhen's custom XML part (getByNamespace finds it by this). */
export const AUDIT_NAMESPACE = 'urn:liuhen:audit:1';

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] ?? c);
}

function unescapeXml(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|apos|#(\d+)|#x([0-9a-fA-F]+));/g, (m, name: string, dec?: string, hex?: string) => {
    if (dec) return String.fromCodePoint(Number(dec));
    if (hex) return String.fromCodePoint(parseInt(hex, 16));
    return ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" } as Record<string, string>)[name] ?? m;
  });
}

/** The XML of a part holding `records`. */
export function serializeAudit(records: readonly AuditRecord[]): string {
  const body = records.map((r) => `<record>${escapeXml(JSON.stringify(r))}</record>`).join('');
  return `<?xml version="1.0" encoding="UTF-8"?><audit xmlns="${AUDIT_NAMESPACE}" version="1">${body}</audit>`;
}

function isAuditRecord(v: unknown): v is AuditRecord {
  if (v === null || typeof v !== 'object') return false;
  const r = v as Record<string, unknown>;
  return typeof r['auditId'] === 'string' && typeof r['time'] === 'string' && typeof r['templateId'] === 'string' && Array.isArray(r['flags']);
}

/**
 * The records in a part's XML, oldest first. A record that cannot be read (hand-edited, truncated) is skipped and
 * counted in `unreadable`, never thrown: the rest of the trail stays usable.
 */
export function parseAudit(xml: string | undefined): { records: AuditRecord[]; unreadable: number } {
  const records: AuditRecord[] = [];
  let unreadable = 0;
  for (const m of (xml ?? '').matchAll(/<(?:\w+:)?record(?:\s[^>]*)?>([\s\S]*?)<\/(?:\w+:)?record>/g)) {
    try {
      const value: unknown = JSON.parse(unescapeXml(m[1] ?? ''));
      if (isAuditRecord(value)) records.push(value);
      else unreadable += 1;
    } catch {
      unreadable += 1;
    }
  }
  return { records, unreadable };
}

/**
 * The XML with `added` appended to the records already in `xml` (a record whose audit id is already there is
 * not repeated). Existing records are not re-parsed when the part ends as we wrote it: a batch of hundreds of
 * rows appends in constant time per row instead of re-reading the whole trail each time.
 */
export function appendAudit(xml: string | undefined, added: readonly AuditRecord[]): string {
  const close = xml === undefined ? null : /<\/audit>\s*$/.exec(xml);
  if (xml === undefined || close === null) {
    // Nothing yet, or a part rewritten by someone else: read it fully and write it back canonically.
    const { records } = parseAudit(xml);
    const seen = new Set(records.map((r) => r.auditId));
    for (const r of added) {
      if (seen.has(r.auditId)) continue;
      seen.add(r.auditId);
      records.push(r);
    }
    return serializeAudit(records);
  }
  const seen = new Set<string>();
  const fresh = added.filter((r) => {
    const plain = `"auditId":${JSON.stringify(r.auditId)}`;
    const present = seen.has(r.auditId) || xml.includes(escapeXml(plain)) || xml.includes(plain);
    seen.add(r.auditId);
    return !present;
  });
  const body = fresh.map((r) => `<record>${escapeXml(JSON.stringify(r))}</record>`).join('');
  return `${xml.slice(0, close.index)}${body}</audit>`;
}
