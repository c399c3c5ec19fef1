/**
 * The audit trail's storage format inside a Word document: one custom XML part in Liuhen's namespace, one
 * `<record>` element per event holding the AuditRecord as JSON text. The root carries the document's salt (for
 * keyed source hashes) and the chain's head (record count and hash of the last record; see
 * shared/pipeline/audit-chain). JSON inside XML keeps the
 * format trivially forward-compatible (new AuditRecord fields need no schema change) and parseable without a
 * DOM (the task pane, tests and the VS Code host alike).
 */
import type { AuditRecord, AuditTrail } from '../../shared/host/port';
import { newSalt, readEntry, sealAfter, sealRecords } from '../../shared/pipeline/audit-chain';
import { sha256Hex } from '../../shared/pipeline/hash';

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

/** The trail as a part stores it: salt, head and each record's exact JSON text. */
export type AuditPart = AuditTrail;

function attr(tag: string, name: string): string | undefined {
  const m = new RegExp(`\\s${name}="([^"]*)"`).exec(tag);
  return m ? unescapeXml(m[1] ?? '') : undefined;
}

/**
 * Reads a part: every `<record>` as its exact JSON text (what the chain hashes) and, where it can be read, the
 * record. A record that cannot be read (hand-edited, truncated) is kept as an unreadable entry, never dropped.
 */
export function readAuditPart(xml: string | undefined): AuditPart {
  const text = xml ?? '';
  const entries = [...text.matchAll(/<(?:\w+:)?record(?:\s[^>]*)?>([\s\S]*?)<\/(?:\w+:)?record>/g)].map((m) => readEntry(unescapeXml(m[1] ?? '')));
  const root = /<(?:\w+:)?audit\b[^>]*>/.exec(text)?.[0] ?? '';
  const salt = attr(root, 'salt');
  const count = attr(root, 'count');
  const hash = attr(root, 'head');
  return {
    entries,
    ...(salt ? { salt } : {}),
    ...(count !== undefined && hash !== undefined && /^\d+$/.test(count) ? { head: { count: Number(count), hash } } : {}),
  };
}

/** The XML of a part. */
export function writeAuditPart(part: AuditPart): string {
  const body = part.entries.map((e) => `<record>${escapeXml(e.raw)}</record>`).join('');
  const head = part.head ? ` count="${part.head.count}" head="${escapeXml(part.head.hash)}"` : '';
  const salt = part.salt ? ` salt="${escapeXml(part.salt)}"` : '';
  return `<?xml version="1.0" encoding="UTF-8"?><audit xmlns="${AUDIT_NAMESPACE}" version="2"${salt}${head}>${body}</audit>`;
}

/** The readable records of a part's XML, oldest first, and how many could not be read. */
export function parseAudit(xml: string | undefined): { records: AuditRecord[]; unreadable: number } {
  const { entries } = readAuditPart(xml);
  return { records: entries.flatMap((e) => (e.record ? [e.record] : [])), unreadable: entries.filter((e) => !e.record).length };
}

/**
 * The XML with `added` sealed onto the records already in `xml` (a record whose audit id is already there is not
 * repeated): the document's salt is created with the first record, each record is chained to the previous one,
 * and the head is updated. Unreadable records already there are kept as they are.
 *
 * A part that ends as Liuhen wrote it (its last record still hashes to the head) is appended to without reading
 * the other records: a batch of hundreds of rows costs constant work per row instead of re-reading the trail.
 */
export async function appendAudit(xml: string | undefined, added: readonly AuditRecord[]): Promise<string> {
  const fast = xml === undefined ? undefined : await appendFast(xml, added);
  if (fast !== undefined) return fast;
  const part = readAuditPart(xml);
  const salt = part.salt ?? newSalt();
  const sealed = await sealRecords(part, salt, added);
  return writeAuditPart({ salt, entries: [...part.entries, ...sealed.entries], head: sealed.head });
}

async function appendFast(xml: string, added: readonly AuditRecord[]): Promise<string | undefined> {
  const root = /<audit\b[^>]*>/.exec(xml);
  const close = /<\/audit>\s*$/.exec(xml);
  if (!root || !close) return undefined;
  const salt = attr(root[0], 'salt');
  const count = attr(root[0], 'count');
  const hash = attr(root[0], 'head');
  if (!salt || count === undefined || hash === undefined || !/^\d+$/.test(count)) return undefined;
  const open = xml.lastIndexOf('<record>', close.index);
  const end = xml.lastIndexOf('</record>', close.index);
  const last = open >= 0 && end > open ? unescapeXml(xml.slice(open + '<record>'.length, end)) : undefined;
  // Only when the end is as Liuhen left it; otherwise read it all (and the chain check reports what changed).
  if ((last === undefined ? Number(count) !== 0 : (await sha256Hex(last)) !== hash)) return undefined;
  const has = (id: string): boolean => {
    const plain = `"auditId":${JSON.stringify(id)}`;
    return xml.includes(escapeXml(plain)) || xml.includes(plain);
  };
  const sealed = await sealAfter({ prevHash: hash, count: Number(count), has }, salt, added);
  const body = sealed.entries.map((e) => `<record>${escapeXml(e.raw)}</record>`).join('');
  const head = ` count="${sealed.head.count}" head="${escapeXml(sealed.head.hash)}"`;
  const newRoot = root[0].replace(/\scount="[^"]*"/, '').replace(/\shead="[^"]*"/, '').replace(/>$/, `${head}>`);
  return `${xml.slice(0, root.index)}${newRoot}${xml.slice(root.index + root[0].length, close.index)}${body}</audit>`;
}
