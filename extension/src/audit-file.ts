/**
 * The audit file kept beside a document (`<doc>.liuhen-audit.json`): a small versioned JSON wrapper around the
 * AuditRecords, oldest first. A file that is not a Liuhen audit file is never overwritten: reading it fails with
 * a message that says what to do, so no trail is lost.
 */
import type { AuditRecord } from '../../shared/host/port';

/** The format tag of the file. */
export const AUDIT_FILE_FORMAT = 'liuhen-audit/1';

/** The file's JSON shape. */
export interface AuditFile {
  format: typeof AUDIT_FILE_FORMAT;
  /** Path of the document the records belong to, as it was when last written (information only). */
  document: string;
  records: AuditRecord[];
}

function isRecord(value: unknown): value is AuditRecord {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Record<string, unknown>;
  return typeof r.auditId === 'string' && typeof r.time === 'string' && typeof r.templateId === 'string' && Array.isArray(r.flags);
}

/** Parses an audit file's text; throws an Error fit to show the writer when it is not one. */
export function readAuditFile(text: string, where: string): AuditRecord[] {
  if (text.trim() === '') return [];
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`${where} is not valid JSON, so Liuhen left it unchanged. Fix or move the file, then try again.`);
  }
  const file = json as Partial<AuditFile>;
  if (typeof json !== 'object' || json === null || file.format !== AUDIT_FILE_FORMAT || !Array.isArray(file.records)) {
    throw new Error(`${where} is not a Liuhen audit file (format "${AUDIT_FILE_FORMAT}"), so Liuhen left it unchanged. Move it away, then try again.`);
  }
  const bad = file.records.findIndex((r) => !isRecord(r));
  if (bad >= 0) throw new Error(`Record ${bad + 1} in ${where} is damaged, so Liuhen left the file unchanged.`);
  return file.records;
}

/** The file's text for these records. */
export function serializeAuditFile(documentPath: string, records: readonly AuditRecord[]): string {
  const file: AuditFile = { format: AUDIT_FILE_FORMAT, document: documentPath, records: [...records] };
  return `${JSON.stringify(file, null, 2)}\n`;
}
