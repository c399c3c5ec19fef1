/**
 * The audit trail's integrity: records are sealed into a hash chain when stored, and the chain is verified when
 * read. Host-agnostic (Web Crypto only): WordHost keeps the stored entries in a custom XML part, VsCodeHost in a
 * JSON file, the playground in memory; all seal and verify here.
 *
 * Tamper-evident, not tamper-proof: each record carries the SHA-256 of the previous record's stored text and its
 * position, and the trail keeps the hash of its last record. Editing, removing or reordering records without
 * recomputing every later hash is detected; someone who recomputes the whole chain is not (there is no key and no
 * outside witness).
 *
 * Also here: what of the guard's flags a record may keep (counts by action, never protected-trait categories), and
 * the source hash keyed with the document's salt.
 */
import type { GuardHit } from '../guard/types';
import type { AuditFlag, AuditRecord, AuditTrail, FlagCounts, ReviewState, StoredAuditEntry } from '../host/port';
import { sha256Hex } from './hash';

/** `prev` of the first record. */
export const GENESIS = '0'.repeat(64);

const GUARD_ACTION = /^(BLOCK|WARN|ESCALATE):/;

/**
 * Splits a result's flags into what an audit record may keep: counts of guard flags by action, and the flags that
 * name no protected trait (MISSING:<field>, LOW_INFORMATION, FIELD_CONFLICT, the template's record flags).
 * `hits` give the action of guard flags that are not spelled `ACTION:CATEGORY` (THIRD_PARTY_NAME is a WARN).
 */
export function auditFlagsOf(flags: readonly AuditFlag[], hits: readonly GuardHit[] = []): { flags: AuditFlag[]; flagCounts: FlagCounts } {
  const counts: FlagCounts = { BLOCK: 0, WARN: 0, ESCALATE: 0 };
  const kept: AuditFlag[] = [];
  const counted = new Set<string>();
  for (const f of flags) {
    const m = GUARD_ACTION.exec(f.flag);
    const action = (m?.[1] as keyof FlagCounts | undefined) ?? hits.find((h) => h.flag === f.flag)?.action;
    if (action) {
      // One count per distinct flag, wherever it was found.
      if (!counted.has(f.flag)) counts[action] += 1;
      counted.add(f.flag);
    } else kept.push(f);
  }
  return { flags: kept, flagCounts: counts };
}

/** Whether a flag string names a guard category (and so must not be stored). */
export function isGuardFlag(flag: string): boolean {
  return GUARD_ACTION.test(flag);
}

/**
 * A record as it may be stored: guard flags that name a category (a caller passing an older record, or flags
 * by hand) become counts, and the same goes for the fields' own flag list. Storage never sees a category.
 */
export function withoutCategories(record: AuditRecord): AuditRecord {
  const { flags, flagCounts } = auditFlagsOf(record.flags);
  const fields = record.fields;
  const fieldFlags = fields !== null && typeof fields === 'object' && !Array.isArray(fields) ? (fields as Record<string, unknown>)['flags'] : undefined;
  const dirtyFields = Array.isArray(fieldFlags) && fieldFlags.some((f) => typeof f === 'string' && isGuardFlag(f));
  if (flags.length === record.flags.length && record.flagCounts && !dirtyFields) return record;
  const base = record.flagCounts ?? { BLOCK: 0, WARN: 0, ESCALATE: 0 };
  return {
    ...record,
    flags,
    flagCounts: { BLOCK: base.BLOCK + flagCounts.BLOCK, WARN: base.WARN + flagCounts.WARN, ESCALATE: base.ESCALATE + flagCounts.ESCALATE },
    ...(dirtyFields ? { fields: { ...(fields as Record<string, unknown>), flags: (fieldFlags as unknown[]).filter((f) => typeof f !== 'string' || !isGuardFlag(f)) } } : {}),
  };
}

/** A fresh per-document salt (32 random bytes, hex). */
export function newSalt(): string {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(32));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** HMAC-SHA-256 of `message` keyed with `key`, hex. */
export async function hmacHex(key: string, message: string): Promise<string> {
  const subtle = globalThis.crypto.subtle;
  const k = await subtle.importKey('raw', new TextEncoder().encode(key), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const sig = await subtle.sign('HMAC', k, new TextEncoder().encode(message));
  return Array.from(new Uint8Array(sig), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The source hash of a record: the redacted evidence's digest keyed with the document's salt. */
export function keyedSourceHash(salt: string, evidenceDigest: string): Promise<string> {
  return hmacHex(salt, evidenceDigest);
}

/** Reads one stored record's JSON text; never throws. */
export function readEntry(raw: string): StoredAuditEntry {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return { raw, problem: 'not valid JSON' };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { raw, problem: 'not a record' };
  const r = value as Record<string, unknown>;
  if (typeof r['auditId'] !== 'string' || typeof r['time'] !== 'string' || typeof r['templateId'] !== 'string' || !Array.isArray(r['flags'])) {
    return { raw, problem: 'fields missing' };
  }
  return { raw, record: value as AuditRecord };
}

/**
 * Seals `added` onto a trail: each gets the document's keyed source hash (its evidence digest dropped), its
 * position and the hash of the previous entry. Records whose audit id is already in the trail are skipped.
 * Returns the new entries and the new head.
 */
export async function sealRecords(
  trail: AuditTrail,
  salt: string,
  added: readonly AuditRecord[],
): Promise<{ entries: StoredAuditEntry[]; head: { count: number; hash: string } }> {
  const seen = new Set(trail.entries.flatMap((e) => (e.record ? [e.record.auditId] : [])));
  const lastRaw = trail.entries[trail.entries.length - 1]?.raw;
  // New records chain to the head the trail recorded, not to whatever its last record says now: an edited or
  // removed last record stays detectable after more records are appended (the head was its only witness).
  const head = trail.head;
  const prevHash = head ? head.hash : lastRaw === undefined ? GENESIS : await sha256Hex(lastRaw);
  const count = head ? Math.max(head.count, trail.entries.length) : trail.entries.length;
  return sealAfter({ prevHash, count, has: (id) => seen.has(id) }, salt, added);
}

/**
 * {@link sealRecords} from the end of a trail alone: its last record's text, its length, and a test for audit ids
 * already in it (a long trail is appended to without reading every record).
 */
export async function sealAfter(
  end: { prevHash: string; count: number; has: (auditId: string) => boolean },
  salt: string,
  added: readonly AuditRecord[],
): Promise<{ entries: StoredAuditEntry[]; head: { count: number; hash: string } }> {
  const seen = new Set<string>();
  const out: StoredAuditEntry[] = [];
  let prevHash = end.prevHash;
  let count = end.count;
  for (const a of added) {
    if (seen.has(a.auditId) || end.has(a.auditId)) continue;
    seen.add(a.auditId);
    const { evidenceDigest, seq: _seq, prev: _prev, ...rest } = withoutCategories(a);
    const record: AuditRecord = { ...rest, seq: count, prev: prevHash };
    if (evidenceDigest !== undefined) record.sourceHash = await keyedSourceHash(salt, evidenceDigest);
    if (record.text !== undefined && record.textHash === undefined) record.textHash = await sha256Hex(record.text);
    const raw = JSON.stringify(record);
    out.push({ raw, record });
    prevHash = await sha256Hex(raw);
    count += 1;
  }
  return { entries: out, head: { count, hash: prevHash } };
}

/** The first problem the chain shows. */
export interface ChainBreak {
  /** 1-based position of the record concerned. */
  position: number;
  /** Its audit id, when it can be read. */
  auditId?: string;
  /**
   * `altered`: the record's text changed after the next one was written (or after the trail's head was);
   * `missing`: records before this position (or at the end) were removed;
   * `reordered`: positions out of order or repeated;
   * `unchained`: a record written without a chain (by an older Liuhen, or by hand).
   */
  kind: 'altered' | 'missing' | 'reordered' | 'unchained';
}

/** What verifying a trail found. */
export interface ChainReport {
  /** Entries stored, readable or not. */
  count: number;
  /** The readable records, oldest first. */
  records: AuditRecord[];
  /** Records that could not be read: reported, never dropped silently. */
  unreadable: Array<{ position: number; problem: string }>;
  /** True when every link holds and the head matches. */
  intact: boolean;
  /** The first break, when not intact. */
  firstBreak?: ChainBreak;
}

/** Verifies a trail's chain. Unreadable entries are reported; their text still counts for the next link. */
export async function verifyChain(trail: AuditTrail): Promise<ChainReport> {
  const { entries } = trail;
  const records: AuditRecord[] = [];
  const unreadable: ChainReport['unreadable'] = [];
  let firstBreak: ChainBreak | undefined;
  const breakAt = (b: ChainBreak): void => {
    firstBreak ??= b;
  };
  let prevHash = GENESIS;
  for (let i = 0; i < entries.length; i += 1) {
    const entry = entries[i] as StoredAuditEntry;
    const record = entry.record;
    if (!record) unreadable.push({ position: i + 1, problem: entry.problem ?? 'unreadable' });
    else {
      records.push(record);
      if (record.prev === undefined || record.seq === undefined) breakAt({ position: i + 1, auditId: record.auditId, kind: 'unchained' });
      else if (record.seq > i) breakAt({ position: i + 1, auditId: record.auditId, kind: 'missing' });
      else if (record.seq < i) breakAt({ position: i + 1, auditId: record.auditId, kind: 'reordered' });
      else if (record.prev !== prevHash) {
        // The link to the previous entry is wrong: that entry's text changed after this one was written.
        const before = entries[i - 1]?.record;
        breakAt({ position: i, ...(before ? { auditId: before.auditId } : {}), kind: 'altered' });
      }
    }
    prevHash = await sha256Hex(entry.raw);
  }
  const head = trail.head;
  if (head) {
    if (head.count > entries.length) breakAt({ position: entries.length + 1, kind: 'missing' });
    else if (head.count === entries.length && head.hash !== prevHash) {
      const lastRecord = entries[entries.length - 1]?.record;
      breakAt({ position: entries.length, ...(lastRecord ? { auditId: lastRecord.auditId } : {}), kind: 'altered' });
    } else if (head.count < entries.length) breakAt({ position: head.count + 1, kind: 'reordered' });
  } else if (entries.length > 0) breakAt({ position: entries.length, kind: 'unchained' });
  const report: ChainReport = { count: entries.length, records, unreadable, intact: firstBreak === undefined && unreadable.length === 0 };
  if (firstBreak) report.firstBreak = firstBreak;
  return report;
}

/** A trail held in memory (playground, untitled VS Code documents, tests): seal on save, verify on read. */
export class MemoryTrail {
  private trail: AuditTrail = { entries: [] };

  async save(records: readonly AuditRecord[]): Promise<void> {
    const salt = (this.trail.salt ??= newSalt());
    const sealed = await sealRecords(this.trail, salt, records);
    this.trail = { salt, entries: [...this.trail.entries, ...sealed.entries], head: sealed.head };
  }

  read(): AuditTrail {
    return { ...this.trail, entries: [...this.trail.entries] };
  }

  records(): AuditRecord[] {
    return this.trail.entries.flatMap((e) => (e.record ? [e.record] : []));
  }
}

/** Character edit distance (Levenshtein, UTF-16 code points merged) between the inserted and the final text. */
export function changeCount(a: string, b: string): number {
  const x = Array.from(a);
  const y = Array.from(b);
  // Strip the common prefix and suffix: reviews change little, so this keeps the quadratic part small.
  let s = 0;
  while (s < x.length && s < y.length && x[s] === y[s]) s += 1;
  let e = 0;
  while (e < x.length - s && e < y.length - s && x[x.length - 1 - e] === y[y.length - 1 - e]) e += 1;
  const xs = x.slice(s, x.length - e);
  const ys = y.slice(s, y.length - e);
  if (xs.length === 0) return ys.length;
  if (ys.length === 0) return xs.length;
  let row = Array.from({ length: ys.length + 1 }, (_, j) => j);
  for (let i = 1; i <= xs.length; i += 1) {
    const next = [i];
    for (let j = 1; j <= ys.length; j += 1) {
      const cost = xs[i - 1] === ys[j - 1] ? 0 : 1;
      next.push(Math.min((row[j] ?? 0) + 1, (next[j - 1] ?? 0) + 1, (row[j - 1] ?? 0) + cost));
    }
    row = next;
  }
  return row[ys.length] ?? 0;
}

/**
 * The weights revision an audit record names, from a model record's URL (`…/resolve/<rev>/`): a commit pins the
 * weights; a branch name (`main`) is recorded as it is, and says that they were not pinned.
 */
export function modelRevisionOf(record: { model?: string } | undefined): { modelRevision: string } | Record<string, never> {
  const m = /\/resolve\/([^/]+)\/?/.exec(record?.model ?? '');
  return m?.[1] ? { modelRevision: decodeURIComponent(m[1]) } : {};
}

/** The text of an insertion plan's blocks as the audit record hashes it: headings and paragraphs, `\n`-joined. */
export function planText(blocks: ReadonlyArray<{ heading: string; paragraphs: readonly string[] }>, title?: string): string {
  return [...(title !== undefined ? [title] : []), ...blocks.flatMap((b) => [b.heading, ...b.paragraphs])].join('\n');
}

/**
 * One record's review from what the document shows: gone = rejected (or deleted); a tracked change inside it =
 * pending (`pending` undefined: unknown, without WordApi 1.6); otherwise accepted, or edited when its text differs
 * from what was inserted (with the number of characters changed).
 */
export async function reviewStateOf(record: AuditRecord, finalText: string | undefined, pending: boolean | undefined): Promise<ReviewState> {
  if (finalText === undefined) return { ref: record.auditId, verdict: 'rejected' };
  const same = record.text !== undefined ? record.text === finalText : record.textHash !== undefined ? record.textHash === (await sha256Hex(finalText)) : true;
  const changes = same ? 0 : record.text !== undefined ? changeCount(record.text, finalText) : undefined;
  const base = { ref: record.auditId, finalText, ...(changes !== undefined && changes > 0 ? { changeCount: changes } : {}) };
  if (pending === true) return { ...base, verdict: 'pending' };
  if (pending === undefined && same) return { ...base, verdict: 'in-document' };
  return { ...base, verdict: same ? 'accepted' : 'edited' };
}
