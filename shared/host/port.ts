/**
 * The DocumentHost port: everything Liuhen asks of the editor it runs in. Word implements it in addin/ (the only
 * code that touches `Word.*`), VS Code in extension/ (the only code that imports `vscode`), the playground with
 * an in-browser document. The UI and the pipeline see only this interface.
 *
 * Data flows one way: the host reads a {@link SourceContext}, the pipeline turns it into {@link InsertionPlan}s,
 * the host applies them as suggestions the writer reviews (Word: tracked changes; VS Code: a refactor preview).
 */
import type { WordingApplyRequest, WordingApplyResult, WordingRead, WordingScope } from '../wording/host';
import type { HeadingStyle } from '../templates/schema';

/** What the host can and cannot do, checked once at start-up and shown to the writer. */
export interface HostCapabilities {
  /** Display name of the host, e.g. `Word`, `VS Code`, `Playground`. */
  name: string;
  /** Whether insertions can be made as reviewable suggestions. When false, Liuhen offers copy-to-clipboard only. */
  suggestions: boolean;
  /** Why `suggestions` is false, in words the writer understands (e.g. "Word 2019 supports WordApi 1.3 only"). */
  suggestionsUnavailableReason?: string;
  /** Whether comments (confidence, sources) can be attached to inserted text. */
  comments: boolean;
  /** Whether tables can be read (selected rows). */
  tables: boolean;
  /** UI language the host reports (`zh-CN`, `en-US`, …), to follow by default. */
  displayLanguage?: string;
}

/** The writer's current selection as text. */
export interface SelectionSnapshot {
  /** The selected text with paragraphs separated by `\n`; `''` when nothing is selected (a cursor). */
  text: string;
  /**
   * An opaque handle to where the selection was when it was read. The host keeps tracking this place, so an
   * insertion lands there even when the writer moves the cursor or edits the document meanwhile.
   */
  anchor: string;
}

/** A table around the selection: all its rows as cell text, and which data rows the writer selected. */
export interface TableSnapshot {
  /** Opaque handle to the table, for later insertion. */
  tableId: string;
  /** Every row of the table, cells as text (`\n` between paragraphs of a cell); merged cells repeat no text. */
  rows: string[][];
  /** 0-based indices into `rows` of the rows the selection covers (best effort: the writer confirms in the pane). */
  selectedRows: number[];
}

/** Result of reading a table: the table, or why there is none. */
export type TableRead =
  | { ok: true; table: TableSnapshot }
  | { ok: false; reason: 'not-in-table' | 'unsupported'; message: string };

/** A comment attached to a piece of inserted text (a conclusion, with its confidence and sources). */
export interface PlanComment {
  /** The exact text, within the block's paragraphs, the comment is attached to. */
  anchorText: string;
  /** The comment's text, e.g. `置信度 0.85;依据:绩效、潜力`. */
  text: string;
}

/** One headed section to insert: a heading paragraph, then body paragraphs. */
export interface PlanBlock {
  heading: string;
  /** Built-in style of the heading paragraph (the template's `headingStyle`). */
  headingStyle: HeadingStyle;
  /** Body paragraphs, in order. Plain text: never interpreted as HTML or markup. */
  paragraphs: string[];
  comments: PlanComment[];
}

/** Where a plan goes. */
export type PlanTarget =
  /** After the selection read earlier (`SelectionSnapshot.anchor`), or at the cursor when it was empty. */
  | { kind: 'after-anchor'; anchor: string }
  /** Into a cell of a table row (the cell's existing text is kept; the record is appended as new paragraphs). */
  | { kind: 'table-cell'; tableId: string; rowIndex: number; column: string }
  /** Below a table, one titled block per employee. */
  | { kind: 'after-table'; tableId: string; title: string };

/** Everything one insertion does, decided before anything touches the document. */
export interface InsertionPlan {
  /** The generation's audit id; the host tags the inserted block with it (Word: content-control tag). */
  auditId: string;
  target: PlanTarget;
  blocks: PlanBlock[];
  /**
   * When set, the host stores this audit record with the document in the same batch as the insertion, and only
   * when the insertion succeeded (saves a round trip per record; `saveAudit` stays for records stored later).
   */
  audit?: AuditRecord;
}

/** What applying plans did. */
export interface ApplyResult {
  /** Audit ids of the plans inserted, in order. */
  inserted: string[];
  /**
   * Plans that could not be inserted, with a reason the writer understands. Nothing of them was written, except
   * those also listed in `partial`.
   */
  failed: Array<{ auditId: string; message: string }>;
  /** Plans of which Word wrote some paragraphs before failing (recorded as `insertion: 'partial'`). */
  partial?: string[];
  /** Document round trips used (Word: `context.sync()` calls), for benchmarks. */
  roundTrips: number;
  /** Set when plans were inserted but their `audit` records could not be stored (the writer should know). */
  auditError?: string;
}

/** One problem-free flag summary as stored in the audit record. */
export interface AuditFlag {
  /** `BLOCK:HEALTH`, `WARN:VAGUE_LABEL`, `MISSING:目标岗位`, `CONTRADICTION` … */
  flag: string;
  /** Where it was found. */
  where: 'source' | 'output' | 'fields';
}

/** Counts of the guard's flags by action. The categories themselves (MATERNITY, HARASSMENT …) are never stored. */
export interface FlagCounts {
  BLOCK: number;
  WARN: number;
  ESCALATE: number;
}

/**
 * What an audit record records:
 * - `inserted`: AI text went into the document as suggestions (`insertion` says whole or partial);
 * - `copied`: AI text was copied to the clipboard;
 * - `reviewed`: what the writer did with an earlier insertion (`ref`), when Liuhen detected it: accepted,
 *   rejected (reverted or deleted), still pending, or edited after insertion;
 * - `checked`: "Check wording" ran on the writer's own text (counts by category, never the text).
 */
export type AuditEvent = 'inserted' | 'copied' | 'reviewed' | 'checked';

/** The writer's review of one insertion. */
export type ReviewVerdict = 'accepted' | 'rejected' | 'pending' | 'edited';

/**
 * The trail (留痕) of one event: enough to say later which template, prompt and model produced which text from
 * which (redacted) source, and what the writer did with it — without keeping protected-trait categories.
 *
 * Records are chained: `prev` is the SHA-256 of the previous record's stored JSON text and `seq` its position,
 * so an edited, removed or reordered record is detected (tamper-evident, not tamper-proof: whoever can edit the
 * document can also recompute the whole chain).
 */
export interface AuditRecord {
  /** Unique id of this record; for `inserted` also the content-control tag of the inserted block. */
  auditId: string;
  /** The event recorded; absent in records written before events existed (read as `inserted`). */
  event?: AuditEvent;
  /** `inserted` only: whether every paragraph landed, or Word failed part-way (`partial`). */
  insertion?: 'whole' | 'partial';
  /** `reviewed` only: the `inserted` record reviewed. */
  ref?: string;
  /** `reviewed` only. */
  verdict?: ReviewVerdict;
  /** `reviewed` with `edited`: characters inserted + deleted + substituted by the writer (edit distance). */
  changeCount?: number;
  /** ISO 8601 time of the event. */
  time: string;
  templateId: string;
  templateVersion: string;
  templateLanguage: string;
  modelId: string;
  /** The model's weights revision (the `/resolve/<rev>/` of its URL) or hash, when known. */
  modelRevision?: string;
  /** Sampling seed of the generation. */
  seed?: number;
  /** Version of the prompt: a hash of the template's rendered system prompt. */
  promptVersion?: string;
  /** SHA-256 (hex) of the text that left the pane (the plan's headings and paragraphs, `\n`-joined). */
  textHash?: string;
  /**
   * The text that left the pane, as inserted: needed to count the writer's edits and to export approved records
   * (it is the suggestion the document received; the output guard has already checked it).
   */
  text?: string;
  /**
   * The redacted evidence the model saw (personal data replaced, protected-trait sentences withheld), kept for
   * "Export approved records". Never stored for records with an escalation (allegations stay out of the trail).
   */
  evidence?: string;
  /**
   * Before storage: SHA-256 of the redacted evidence. The host replaces it by {@link sourceHash}, keyed with the
   * document's salt; it is never stored.
   */
  evidenceDigest?: string;
  /**
   * HMAC-SHA-256 of the redacted evidence, keyed with a random salt kept with the document's trail. Proves that a
   * given source (redacted the same way) is the one this record came from; cannot reveal redacted or withheld
   * values, which are not in its input. Older records: SHA-256 of the source as read.
   */
  sourceHash: string;
  /** Number of personal-data spans redacted before prompting. */
  redactionCount: number;
  /** Guard flags counted by action (BLOCK / WARN / ESCALATE). */
  flagCounts?: FlagCounts;
  /** Flags that name no protected trait (`MISSING:目标岗位`, `LOW_INFORMATION`, `FIELD_CONFLICT` …). */
  flags: AuditFlag[];
  /** The structured fields (reason codes, nine-box cell …) as validated, for analytics exports. */
  fields?: unknown;
  /** Table row (0-based, as in `TableSnapshot.rows`) for batch records. */
  rowIndex?: number;
  /** `checked` only: suggestions per wording category (protected-trait categories only as `flagCounts`). */
  wordingCounts?: Record<string, number>;
  /** `checked` only: how many suggestions the check made. */
  wordingSuggestions?: number;
  /** `checked` only: how many the writer had written into the document as suggestions. */
  wordingApplied?: number;
  /** Position in the document's trail (0-based), set when stored. */
  seq?: number;
  /** SHA-256 (hex) of the previous record's stored JSON text (`0`×64 for the first), set when stored. */
  prev?: string;
}

/** One record as stored: its exact JSON text (what the chain hashes) and the record when it could be read. */
export interface StoredAuditEntry {
  raw: string;
  record?: AuditRecord;
  /** Why the record could not be read. */
  problem?: string;
}

/** The whole trail as stored, for verification (see shared/pipeline/audit-chain). */
export interface AuditTrail {
  entries: StoredAuditEntry[];
  /** The document's salt for source hashes (absent before the first record). */
  salt?: string;
  /** What the trail said its end was when last written: record count and hash of the last record. */
  head?: { count: number; hash: string };
  /**
   * Set, in the writer's language, when this host cannot keep a trail in the document at all (Word without
   * WordApi 1.4 has no custom XML parts): `entries` is then empty, and the audit view shows this instead.
   */
  unavailable?: string;
}

/** One insertion's review as the host sees it now. */
export interface ReviewState {
  /** Audit id of the `inserted` record. */
  ref: string;
  /**
   * `in-document`: the record is there with its text as inserted, but the host cannot tell accepted from pending
   * (Word without WordApi 1.6).
   */
  verdict: ReviewVerdict | 'in-document';
  /** For `edited` (and `pending` with edits): characters changed by the writer. */
  changeCount?: number;
  /** The record's text as it now stands in the document (absent when rejected). */
  finalText?: string;
}

/** What a host can tell about the writer's review of the insertions. */
export interface ReviewReport {
  /** False where the host cannot see reviews (Word without WordApi 1.6); `reason` says so. */
  supported: boolean;
  reason?: string;
  states: ReviewState[];
}

/**
 * The editor Liuhen runs in. Every method may reject with an Error whose message is fit to show the writer.
 */
export interface DocumentHost {
  /** What this host supports. */
  capabilities(): Promise<HostCapabilities>;
  /** Reads the current selection (text and a tracked anchor). */
  readSelection(): Promise<SelectionSnapshot>;
  /** Calls `listener` when the selection changes (for a live length display); returns an unsubscribe function. */
  onSelectionChanged(listener: () => void): () => void;
  /**
   * The start of the document's text (about `maxChars` characters, paragraphs separated by `\n`), so that while
   * nothing is selected the default template follows the document's language rather than the UI's. Optional:
   * a host that cannot read it cheaply leaves it out, and the UI language is used.
   */
  readDocumentStart?(maxChars: number): Promise<string>;
  /** Reads the table around the selection. */
  readTable(): Promise<TableRead>;
  /**
   * Inserts plans as suggestions (tracked changes) in one batch, restoring the writer's own tracking setting
   * afterwards, errors included. Never inserts untracked text: when suggestions are unavailable it rejects.
   */
  apply(plans: readonly InsertionPlan[]): Promise<ApplyResult>;
  /** Stores audit records with the document (Word: a custom XML part; VS Code: a file beside the document). */
  saveAudit(records: readonly AuditRecord[]): Promise<void>;
  /** All audit records stored with the document, oldest first. */
  readAudit(): Promise<AuditRecord[]>;
  /** "Check wording": the writer's own paragraphs (the selection, or the document when nothing is selected). */
  readWording?(scope: WordingScope): Promise<WordingRead>;
  /** Writes chosen wording suggestions for review (Word: tracked changes + comments; VS Code: refactor preview). */
  applyWording?(request: WordingApplyRequest): Promise<WordingApplyResult>;
  /** The trail as stored (raw entries, salt, head), so the pane can verify its chain and report unreadable records. */
  readAuditTrail?(): Promise<AuditTrail>;
  /** The writer's review of the given `inserted` records, as the document shows it now. */
  readReview?(records: readonly AuditRecord[]): Promise<ReviewReport>;
}
