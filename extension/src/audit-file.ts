/**
 * The audit file kept beside a document (`<doc>.liuhen-audit.json`): a small versioned JSON wrapper around the
 * AuditRecords, oldest first, with the document's salt (for keyed source hashes) and the chain's head (see
 * shared/pipeline/audit-chain: each record carries the hash of the previous one). A file that is not a Liuhen
 * audit file is never overwritten: reading it fails with a message that says what to do, so no trail is lost.
 * A single record that cannot be read is reported as unreadable and kept as it is — never dropped silently.
 */
import type { AuditRecord, AuditTrail, StoredAuditEntry } from '../../shared/host/port';
import { newSalt, readEntry, sealRecords } from '../../shared/pipeline/audit-chain';

/** The format tag of the file. */
export const AUDIT_FILE_FORMAT = 'liuhen-audit/2';
/** The tag of files written before the chain (still read; appended to as version 2). */
export const AUDIT_FILE_FORMAT_V1 = 'liuhen-audit/1';

/** The file's JSON shape. */
export interface AuditFile {
  format: typeof AUDIT_FILE_FORMAT;
  /** Path of the document the records belong to, as it was when last written (information only). */
  document: string;
  /** The document's salt for keyed source hashes. */
  salt: string;
  /** Record count and hash of the last record when the file was last written by Liuhen. */
  head: { count: number; hash: string };
  /** The records; each one's chain hash is taken over `JSON.stringify` of the record as stored. */
  records: unknown[];
}

/** Reads an audit file's text as a trail; throws an Error fit to show the writer when it is not one. */
export function readAuditTrailFile(text: string, where: string): AuditTrail {
  if (text.trim() === '') return { entries: [] };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`${where} is not valid JSON, so Liuhen left it unchanged. Fix or move the file, then try again.`);
  }
  const file = json as Partial<AuditFile> & { format?: unknown };
  if (typeof json !== 'object' || json === null || (file.format !== AUDIT_FILE_FORMAT && file.format !== AUDIT_FILE_FORMAT_V1) || !Array.isArray(file.records)) {
    throw new Error(`${where} is not a Liuhen audit file (format "${AUDIT_FILE_FORMAT}"), so Liuhen left it unchanged. Move it away, then try again.`);
  }
  const entries: StoredAuditEntry[] = file.records.map((r) => readEntry(JSON.stringify(r)));
  const head = file.head;
  return {
    entries,
    ...(typeof file.salt === 'string' && file.salt !== '' ? { salt: file.salt } : {}),
    ...(head && typeof head.count === 'number' && typeof head.hash === 'string' ? { head: { count: head.count, hash: head.hash } } : {}),
  };
}

/** The readable records of an audit file's text (unreadable ones are reported by {@link readAuditTrailFile}). */
export function readAuditFile(text: string, where: string): AuditRecord[] {
  return readAuditTrailFile(text, where).entries.flatMap((e) => (e.record ? [e.record] : []));
}

/** The file's text for a trail. */
export function serializeAuditTrail(documentPath: string, trail: AuditTrail & { salt: string; head: { count: number; hash: string } }): string {
  const file: AuditFile = {
    format: AUDIT_FILE_FORMAT,
    document: documentPath,
    salt: trail.salt,
    head: trail.head,
    records: trail.entries.map((e) => JSON.parse(e.raw) as unknown),
  };
  return `${JSON.stringify(file, null, 2)}\n`;
}

/** The file's text with `added` sealed onto the trail in `text` (the salt is made with the first record). */
export async function appendAuditFile(text: string, where: string, documentPath: string, added: readonly AuditRecord[]): Promise<string> {
  const trail = readAuditTrailFile(text, where);
  const salt = trail.salt ?? newSalt();
  const sealed = await sealRecords(trail, salt, added);
  return serializeAuditTrail(documentPath, { salt, entries: [...trail.entries, ...sealed.entries], head: sealed.head });
}
