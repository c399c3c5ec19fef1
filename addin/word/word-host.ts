/// <reference types="office-js" />
/**
 * WordHost: the DocumentHost port for Word — the only code in Liuhen that touches `Word.*` / `Office.*`.
 *
 * Choices (see ../../../shared/DESIGN.md, "Office.js"):
 * - Insertions are suggestions: `document.changeTrackingMode` is set to TrackAll for the batch and the writer's own
 *   mode is restored in `finally`, errors included. Without WordApi 1.4 (Office 2019/2021 volume licences) there is
 *   no way to switch tracking on, so `apply` refuses and `capabilities()` says why: the pane offers copy instead.
 * - Text goes in with `insertParagraph` + `styleBuiltIn`, never HTML/OOXML (OOXML under tracking marks unchanged
 *   text as deleted and re-inserted; HTML loses styles on the web and would interpret model output as markup).
 * - Where to insert: the selection read earlier is kept as a *tracked range* (`context.trackedObjects`) rather
 *   than a bookmark or content control. Word adjusts a tracked range for every edit, so the record lands where
 *   the writer asked even after the cursor moved or text above was typed, and nothing is written into the
 *   document before the writer inserts (a bookmark or a content control around the writer's own text would be a
 *   change the writer did not ask for, and would stay behind when they cancel). The cost: a tracked range lives
 *   in its request context, so plans are applied with `Word.run(trackedObject, …)`, one batch per anchor or table;
 *   after a pane reload the anchor is gone and `apply` says "select the text again".
 * - Round trips: every `context.sync()` is a network round trip in Word on the web. An insertion batch uses a
 *   constant number of syncs, however many sections and plans: read the mode (and the audit part), insert
 *   everything, restore the mode (and write the audit part).
 * - Each plan's block is wrapped in an unlocked content control tagged `liuhen:<auditId>`, so the record can be
 *   found again (and matched with its audit record) but the writer can still edit or delete it freely.
 * - Audit records live in one custom XML part (./audit-xml).
 * - Table rows: `getSelection()` may report only the last of several selected rows (office-js #5388). The whole
 *   table is read; the selected rows come from the Common API's matrix of the selection, matched against the
 *   table's rows, with a fallback of comparing the selection's range with each row's range (`compareLocationWith`)
 *   in one batch. The writer confirms the rows in the pane either way.
 */
import type {
  ApplyResult,
  AuditRecord,
  AuditTrail,
  DocumentHost,
  HostCapabilities,
  InsertionPlan,
  PlanBlock,
  ReviewReport,
  ReviewState,
  SelectionSnapshot,
  TableRead,
} from '../../shared/host/port';
import { reviewStateOf } from '../../shared/pipeline/audit-chain';
import { tableToRecords } from '../../shared/source/table';
import { Serial } from '../../shared/serial';
import { AUDIT_NAMESPACE, appendAudit, readAuditPart } from './audit-xml';
import { applyWordingInWord, readWordingParagraphs } from './wording';
import type { WordingApplyRequest, WordingApplyResult, WordingRead, WordingScope } from '../../shared/wording';

/** Prefix of the content-control tag of every inserted record. */
export const TAG_PREFIX = 'liuhen:';
/** How many selections are remembered as insertion places (the pane uses the latest; older ones are released). */
const MAX_ANCHORS = 16;
/** Title of the content control (shown in Word when the writer clicks into the record). */
const CONTROL_TITLE = 'Liuhen 留痕';

type Lang = 'zh' | 'en';

const TEXT: Record<Lang, Record<string, string>> = {
  zh: {
    noTracking:
      '此版本的 Word 不支持 WordApi 1.4,无法以修订(跟踪更改)方式插入。Office 2019/2021 批量许可版最高只支持 1.3。请使用“复制到剪贴板”,再手动粘贴并审阅。',
    notInTable: '光标不在表格中。请把光标放在要处理的表格里(或选中其中几行),再试一次。',
    noTables: '此版本的 Word 不支持读取表格(需要 WordApi 1.3)。',
    anchorGone: '找不到之前选中的位置(任务窗格可能已重新加载)。请重新选中原文,再生成一次。',
    tableGone: '找不到之前读取的表格。请把光标放回表格中,重新读取。',
    noColumn: '表格中没有名为“{column}”的列。',
    noRow: '表格中没有第 {row} 行。',
    wordError: 'Word 报告了错误:{message}。文档中可能已有部分插入内容,可用“撤消”恢复。',
    auditError: '内容已插入,但留痕记录未能保存到文档中:{message}',
    emptyPlan: '这一条没有可插入的内容(模型没有写出任何一节),未插入。',
    noAuditParts:
      '此版本的 Word 不支持 WordApi 1.4(自定义 XML 部件),留痕记录无法保存在文档中,也无法在此读取或校验。',
    noReview:
      '此版本的 Word 不支持 WordApi 1.6,无法读取修订:只能看出记录是否已被拒绝或删除、文字是否被改过,看不出是否已接受。',
  },
  en: {
    noTracking:
      'This version of Word does not support WordApi 1.4, so Liuhen cannot insert text as tracked changes. Office 2019/2021 volume-licensed versions stop at 1.3. Use "Copy to clipboard", paste the text yourself and review it.',
    notInTable: 'The cursor is not in a table. Put the cursor in the table to use (or select some of its rows) and try again.',
    noTables: 'This version of Word cannot read tables (WordApi 1.3 is needed).',
    anchorGone: 'The place you selected earlier cannot be found (the task pane may have reloaded). Select the text again and generate again.',
    tableGone: 'The table read earlier cannot be found. Put the cursor back in the table and read it again.',
    noColumn: 'The table has no column named "{column}".',
    noRow: 'The table has no row {row}.',
    wordError: 'Word reported an error: {message}. Part of the text may already be in the document; Undo removes it.',
    auditError: 'The text was inserted, but its audit record could not be saved in the document: {message}',
    emptyPlan: 'Nothing to insert for this one (the model wrote no section); it was not inserted.',
    noAuditParts:
      'This version of Word does not support WordApi 1.4 (custom XML parts), so the audit trail cannot be kept in the document, nor read or verified here.',
    noReview:
      'This version of Word does not support WordApi 1.6, so tracked changes cannot be read: Liuhen can tell whether a record was rejected or deleted and whether its text was edited, not whether it was accepted.',
  },
};

function format(text: string, values: Record<string, string | number>): string {
  return text.replace(/\{(\w+)\}/g, (m, k: string) => (k in values ? String(values[k]) : m));
}

function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  return typeof e === 'string' ? e : 'unknown error';
}

/** Word cell / range text with Word's paragraph marks as `\n` (and its end-of-cell marks removed). */
export function wordText(text: string): string {
  // eslint-disable-next-line no-control-regex -- Word's own control characters are what is replaced here
  return text.replace(/\u0007/g, '').replace(/\r\n|[\r\v\u000b]/g, '\n');
}

/** Something a paragraph can be inserted after. */
interface InsertAfter {
  insertParagraph(text: string, location: 'After'): Word.Paragraph;
}

interface TableEntry {
  table: Word.Table;
  rows: string[][];
  /** Column indices by name, worked out once (a batch looks the same column up for every row). */
  columns: Map<string, number>;
}

/** Options of {@link WordHost}. */
export interface WordHostOptions {
  /** Clock for audit times (tests). */
  now?: () => Date;
}

/** The Word implementation of the DocumentHost port. */
export class WordHost implements DocumentHost {
  private readonly anchors = new Map<string, Word.Range>();
  private readonly tables = new Map<string, TableEntry>();
  /** Where the next record for a target goes: after the previous record (so several records stay in order). */
  private readonly tails = new Map<string, InsertAfter>();
  private counter = 0;
  private readonly now: () => Date;
  /** The insertion queue: one job runs at a time (see `apply`). */
  /** Jobs of the insertion queue (insertions, Check wording); each settles its caller's promise itself. */
  private readonly queue: Array<(mode: DrainMode) => Promise<void>> = [];
  private draining = false;
  /** Held by an insertion drain or an audit write: the audit part has one writer at a time. */
  private readonly partLock = new Serial();

  constructor(options: WordHostOptions = {}) {
    this.now = options.now ?? (() => new Date());
  }

  private lang(): Lang {
    const display = typeof Office !== 'undefined' ? Office.context.displayLanguage : undefined;
    return typeof display === 'string' && display.toLowerCase().startsWith('zh') ? 'zh' : 'en';
  }

  private text(key: string, values: Record<string, string | number> = {}): string {
    return format(TEXT[this.lang()][key] ?? key, values);
  }

  private supports(version: string): boolean {
    return Office.context.requirements.isSetSupported('WordApi', version);
  }

  private newId(kind: string): string {
    this.counter += 1;
    return `${kind}-${this.counter}-${globalThis.crypto.randomUUID()}`;
  }

  async capabilities(): Promise<HostCapabilities> {
    await Promise.resolve();
    const tracking = this.supports('1.4');
    return {
      name: 'Word',
      suggestions: tracking,
      ...(tracking ? {} : { suggestionsUnavailableReason: this.text('noTracking') }),
      comments: tracking,
      tables: this.supports('1.3'),
      displayLanguage: Office.context.displayLanguage,
    };
  }

  async readSelection(): Promise<SelectionSnapshot> {
    const evicted: Word.Range[] = [];
    const snapshot = await Word.run(async (context) => {
      const selection = context.document.getSelection();
      selection.load('text');
      // Tracked: Word keeps adjusting this range as the document changes, until we untrack it.
      context.trackedObjects.add(selection);
      await context.sync();
      const anchor = this.newId('sel');
      this.anchors.set(anchor, selection);
      // Tracked ranges cost Word work on every edit: forget the oldest anchors (and untrack what we can).
      for (const [old, range] of this.anchors) {
        if (this.anchors.size <= MAX_ANCHORS) break;
        this.anchors.delete(old);
        this.tails.delete(`a:${old}`);
        evicted.push(range);
      }
      return { text: wordText(selection.text).replace(/\n+$/, ''), anchor };
    });
    // Untracking needs the range's own context; it is housekeeping, so it runs after the answer, unawaited.
    for (const range of evicted) void this.release(range);
    return snapshot;
  }

  async readDocumentStart(maxChars: number): Promise<string> {
    // The first paragraphs only ($top), in one round trip: the whole body of a long document would be slow.
    return Word.run(async (context) => {
      const paragraphs = context.document.body.paragraphs;
      paragraphs.load({ text: true, $top: 40 });
      await context.sync();
      return wordText(paragraphs.items.map((p) => p.text).join('\n')).slice(0, maxChars);
    });
  }

  private async release(range: Word.Range): Promise<void> {
    try {
      await Word.run(range, async (context) => {
        context.trackedObjects.remove(range);
        await context.sync();
      });
    } catch {
      // A range Word already dropped (document closed, pane reloaded) needs no release.
    }
  }

  onSelectionChanged(listener: () => void): () => void {
    const handler = (): void => listener();
    Office.context.document.addHandlerAsync(Office.EventType.DocumentSelectionChanged, handler);
    return () => {
      Office.context.document.removeHandlerAsync(Office.EventType.DocumentSelectionChanged, { handler });
    };
  }

  /** The rows of the selection as the Common API's matrix sees it (all selected rows, even where #5388 bites). */
  private selectedMatrix(): Promise<string[][] | undefined> {
    return new Promise((resolve) => {
      try {
        Office.context.document.getSelectedDataAsync(Office.CoercionType.Matrix, (result) => {
          if (result.status !== Office.AsyncResultStatus.Succeeded || !Array.isArray(result.value)) {
            resolve(undefined);
            return;
          }
          resolve(result.value.map((row) => (Array.isArray(row) ? row.map((c) => wordText(String(c ?? ''))) : [])));
        });
      } catch {
        resolve(undefined);
      }
    });
  }

  async readTable(): Promise<TableRead> {
    if (!this.supports('1.3')) return { ok: false, reason: 'unsupported', message: this.text('noTables') };
    const read = await Word.run(async (context) => {
      const selection = context.document.getSelection();
      const table = selection.parentTableOrNullObject;
      table.load('isNullObject,rowCount,values');
      await context.sync();
      if (table.isNullObject) return undefined;
      const rows = table.values.map((row) => row.map((cell) => wordText(cell ?? '').trim()));
      // Each row's range from its first to its last cell, compared with the selection — all in one batch.
      const relations = rows.map((row, i) => {
        const last = Math.max(0, row.length - 1);
        const range = table.getCell(i, 0).body.getRange('Whole').expandTo(table.getCell(i, last).body.getRange('Whole'));
        return range.compareLocationWith(selection);
      });
      context.trackedObjects.add(table);
      await context.sync();
      const byRange = relations.flatMap((r, i) => (OVERLAPS.has(r.value) ? [i] : []));
      return { table, rows, byRange };
    });
    if (!read) return { ok: false, reason: 'not-in-table', message: this.text('notInTable') };
    const matrix = await this.selectedMatrix();
    const byMatrix = matrix ? matchRows(read.rows, matrix) : undefined;
    const tableId = this.newId('table');
    this.tables.set(tableId, { table: read.table, rows: read.rows, columns: new Map() });
    // The matrix names every selected row when Word gives it; the range comparison can only see what
    // getSelection() reports (just the last row under #5388), so take the larger answer.
    const selectedRows = byMatrix && byMatrix.length >= read.byRange.length ? byMatrix : read.byRange;
    return { ok: true, table: { tableId, rows: read.rows, selectedRows } };
  }

  /**
   * Inserts plans. Every call joins ONE insertion queue per host: overlapping calls (a batch inserting rows while
   * the writer clicks "Insert flagged rows") run one after another, never interleaved. The writer's tracking
   * mode is read once per queue drain, before the first insertion, and restored when the queue is empty — on
   * every path, errors included — so a second caller never mistakes Liuhen's TrackAll for the writer's mode.
   */
  apply(plans: readonly InsertionPlan[]): Promise<ApplyResult> {
    if (!this.supports('1.4')) return Promise.reject(new Error(this.text('noTracking')));
    return this.enqueue((mode) => this.applyNow(plans, mode));
  }

  /** Runs `job` in the insertion queue (after every job queued before it); resolves to its result. */
  private enqueue<T>(job: (mode: DrainMode) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push((mode) => job(mode).then(resolve, reject));
      if (!this.draining) void this.drain();
    });
  }

  private drain(): Promise<void> {
    this.draining = true;
    // The audit part is read and written by insertions and by saveAudit: one of them at a time.
    return this.partLock.run(() => this.drainNow());
  }

  private async drainNow(): Promise<void> {
    const mode: DrainMode = {};
    try {
      for (let job = this.queue.shift(); job; job = this.queue.shift()) {
        await job(mode);
      }
    } finally {
      this.draining = false;
      // A job that failed before its own restore: the writer's mode goes back here.
      if (mode.writers !== undefined && !mode.restored) await this.restoreMode(mode.writers);
    }
  }

  /** Check wording: the writer's paragraphs (addin/word/wording.ts). */
  async readWording(scope: WordingScope): Promise<WordingRead> {
    return readWordingParagraphs(scope);
  }

  /**
   * Writes wording suggestions as tracked changes + comments, in the insertion queue (never overlapping an
   * insertion). When an earlier job left Liuhen's TrackAll on for a waiting job, the writer's mode it read is
   * the one restored.
   */
  applyWording(request: WordingApplyRequest): Promise<WordingApplyResult> {
    if (!this.supports('1.4')) return Promise.reject(new Error(this.text('noTracking')));
    return this.enqueue(async (mode) => {
      const pending = mode.writers !== undefined && mode.restored !== true ? mode.writers : undefined;
      const r = await applyWordingInWord(request, pending);
      if (pending !== undefined) mode.restored = true;
      return r;
    });
  }

  private async restoreMode(writers: Word.ChangeTrackingMode): Promise<void> {
    try {
      await Word.run(async (context) => {
        context.document.changeTrackingMode = writers;
        await context.sync();
      });
    } catch {
      // Nothing more can be done; the pane already reports the insertion error.
    }
  }

  private async applyNow(plans: readonly InsertionPlan[], mode: DrainMode): Promise<ApplyResult> {
    const result: ApplyResult = { inserted: [], failed: [], roundTrips: 0 };
    // One batch per anchor / table: tracked objects can only be used in their own request context.
    const groups = new Map<string, { context: OfficeExtension.ClientObject; plans: InsertionPlan[] }>();
    for (const plan of plans) {
      // A plan with nothing to write fails alone, before anything is queued (it used to throw mid-batch, and the
      // restore's sync then wrote the other rows while they were reported failed: a retry inserted them twice).
      if (planParagraphCount(plan) === 0) {
        result.failed.push({ auditId: plan.auditId, message: this.text('emptyPlan') });
        continue;
      }
      const resolved = this.resolve(plan);
      if (typeof resolved === 'string') {
        result.failed.push({ auditId: plan.auditId, message: resolved });
        continue;
      }
      const group = groups.get(resolved.key) ?? { context: resolved.object, plans: [] };
      group.plans.push(plan);
      groups.set(resolved.key, group);
    }
    const keys = [...groups.keys()];
    for (const [index, [key, group]] of [...groups].entries()) {
      // The mode goes back with the last group's audit write when nobody else is waiting (no extra round trip).
      const last = (): boolean => index === keys.length - 1 && this.queue.length === 0;
      try {
        await Word.run(group.context, (context) => this.applyGroup(context, key, group.plans, result, mode, last));
      } catch (e) {
        const message = this.text('wordError', { message: errorMessage(e) });
        const open = group.plans.filter((plan) => !result.inserted.includes(plan.auditId));
        await this.recordFailure(open, message, result);
      }
    }
    if (keys.length === 0 && mode.writers !== undefined && !mode.restored && this.queue.length === 0) {
      mode.restored = true;
      await this.restoreMode(mode.writers);
    }
    return result;
  }

  /**
   * After Word failed mid-batch: which plans landed anyway. Word runs a batch's operations in order and stops at
   * the failing one, so a plan whose content control exists was written whole (it is reported inserted, and a
   * retry will not write it again), the first plan without one may have some of its paragraphs in the document
   * (partial: recorded as such, so the trail says what the writer must review), and the rest were not written.
   */
  private async recordFailure(plans: readonly InsertionPlan[], message: string, result: ApplyResult): Promise<void> {
    if (plans.length === 0) return;
    let found: boolean[];
    try {
      found = await Word.run(async (context) => {
        const lists = plans.map((p) => context.document.contentControls.getByTag(`${TAG_PREFIX}${p.auditId}`).load('items'));
        await context.sync();
        result.roundTrips += 1;
        return lists.map((l) => l.items.length > 0);
      });
    } catch {
      found = plans.map(() => false);
    }
    const whole: AuditRecord[] = [];
    const partial: AuditRecord[] = [];
    let seenMissing = false;
    for (const [i, plan] of plans.entries()) {
      if (found[i]) {
        result.inserted.push(plan.auditId);
        if (plan.audit) whole.push({ ...plan.audit, event: 'inserted', insertion: 'whole' });
        continue;
      }
      result.failed.push({ auditId: plan.auditId, message });
      if (!seenMissing) {
        seenMissing = true;
        (result.partial ??= []).push(plan.auditId);
        if (plan.audit) partial.push({ ...plan.audit, event: 'inserted', insertion: 'partial' });
      }
    }
    const records = [...whole, ...partial];
    if (records.length === 0) return;
    try {
      // Already inside the drain's turn: write directly (saveAudit would wait for the drain to end).
      await this.writeAudit(records);
    } catch (e) {
      result.auditError = this.text('auditError', { message: errorMessage(e) });
    }
  }

  /** Resolves the object whose context a plan runs in, and its group key; or why the plan cannot be applied. */
  private resolve(plan: InsertionPlan): { key: string; object: OfficeExtension.ClientObject } | string {
    const t = plan.target;
    if (t.kind === 'after-anchor') {
      const range = this.anchors.get(t.anchor);
      return range ? { key: `a:${t.anchor}`, object: range } : this.text('anchorGone');
    }
    const entry = this.tables.get(t.tableId);
    if (!entry) return this.text('tableGone');
    if (t.kind === 'table-cell') {
      if (!Number.isInteger(t.rowIndex) || t.rowIndex < 0 || t.rowIndex >= entry.rows.length) return this.text('noRow', { row: t.rowIndex + 1 });
      if (cachedColumn(entry, t.column) < 0) return this.text('noColumn', { column: t.column });
    }
    return { key: `t:${t.tableId}`, object: entry.table };
  }

  private async applyGroup(
    context: Word.RequestContext,
    key: string,
    plans: readonly InsertionPlan[],
    result: ApplyResult,
    mode: DrainMode,
    last: () => boolean,
  ): Promise<void> {
    const sync = async (): Promise<void> => {
      result.roundTrips += 1;
      await context.sync();
    };
    const document = context.document;
    // Read once per drain: a later job must not take Liuhen's TrackAll for the writer's mode.
    const readMode = mode.writers === undefined || mode.restored === true;
    if (readMode) document.load('changeTrackingMode');
    const audits = plans.flatMap((p) => (p.audit ? [p.audit] : []));
    const parts = audits.length > 0 ? document.customXmlParts.getByNamespace(AUDIT_NAMESPACE) : undefined;
    parts?.load('items');
    if (readMode || parts) await sync();
    if (readMode) {
      mode.writers = document.changeTrackingMode as Word.ChangeTrackingMode;
      mode.restored = false;
    }
    const writersMode = mode.writers as Word.ChangeTrackingMode;
    const part = parts?.items[0];
    const existingXml = part?.getXml();
    let inserted = false;
    try {
      document.changeTrackingMode = Word.ChangeTrackingMode.trackAll;
      // Tails move as plans are queued, so several plans for one place stay in order within the batch too.
      const tails = new Map(this.tails);
      for (const plan of plans) {
        const { key: k, tail } = this.insertPlan(context, key, plan, tails);
        tails.set(k, tail);
      }
      await sync();
      inserted = true;
      for (const [k, tail] of tails) this.tails.set(k, tail);
      for (const plan of plans) result.inserted.push(plan.auditId);
    } finally {
      // The writer's mode first: if writing the audit part fails, the mode is already back.
      const restore = !inserted || last();
      if (restore) {
        document.changeTrackingMode = writersMode;
        mode.restored = true;
      }
      if (inserted && audits.length > 0) {
        const time = this.now().toISOString();
        const records = audits.map((a) => ({ ...a, event: 'inserted' as const, insertion: 'whole' as const, time }));
        try {
          const xml = await appendAudit(existingXml?.value, records);
          if (part) part.setXml(xml);
          else document.customXmlParts.add(xml);
        } catch (e) {
          result.auditError = this.text('auditError', { message: errorMessage(e) });
        }
      }
      if (restore || (inserted && audits.length > 0)) {
        await this.restore(sync, inserted, result, () => {
          document.changeTrackingMode = writersMode;
        });
      }
    }
  }

  /**
   * Sends the queued restore (and audit write). When only the audit write failed, the insertion stands: the
   * failure is reported in the result and the mode is restored once more on its own.
   */
  private async restore(sync: () => Promise<void>, inserted: boolean, result: ApplyResult, queueRestore: () => void): Promise<void> {
    try {
      await sync();
    } catch (e) {
      if (!inserted) throw e;
      result.auditError = this.text('auditError', { message: errorMessage(e) });
      queueRestore();
      await sync();
    }
  }

  /** Queues one plan's paragraphs, styles, content control and comments (no sync). Returns the new tail. */
  private insertPlan(
    context: Word.RequestContext,
    groupKey: string,
    plan: InsertionPlan,
    tails: ReadonlyMap<string, InsertAfter>,
  ): { key: string; tail: InsertAfter } {
    const t = plan.target;
    const paragraphs: Array<{ paragraph: Word.Paragraph; text: string }> = [];
    let tailKey = groupKey;
    let next: (text: string) => Word.Paragraph;
    if (t.kind === 'table-cell') {
      const entry = this.tables.get(t.tableId);
      if (!entry) throw new Error(this.text('tableGone'));
      const cell = entry.table.getCell(t.rowIndex, cachedColumn(entry, t.column));
      let last: Word.Paragraph | undefined;
      next = (text) => (last = last ? last.insertParagraph(text, 'After') : cell.body.insertParagraph(text, 'End'));
      tailKey = `${groupKey}:cell:${t.rowIndex}:${t.column}`;
    } else {
      let point: InsertAfter =
        tails.get(groupKey) ?? (t.kind === 'after-anchor' ? (this.anchors.get(t.anchor) as Word.Range) : (this.tables.get(t.tableId)?.table as Word.Table));
      next = (text) => {
        const p = point.insertParagraph(text, 'After');
        point = p;
        return p;
      };
    }
    const add = (text: string, style: Word.BuiltInStyleName | PlanBlock['headingStyle']): void => {
      const paragraph = next(text);
      paragraph.styleBuiltIn = style as Word.BuiltInStyleName;
      paragraphs.push({ paragraph, text });
    };
    if (t.kind === 'after-table') add(t.title, titleStyle(plan.blocks[0]?.headingStyle ?? 'Heading3'));
    const commented: Array<{ paragraph: Word.Paragraph; text: string; comment: string; anchor: string }> = [];
    for (const block of plan.blocks) {
      add(block.heading, block.headingStyle);
      const start = paragraphs.length - 1;
      for (const text of block.paragraphs) add(text, Word.BuiltInStyleName.normal);
      for (const c of block.comments) {
        const own = paragraphs.slice(start).find((p) => p.text.includes(c.anchorText));
        if (own) commented.push({ ...own, comment: c.text, anchor: c.anchorText });
      }
    }
    const first = paragraphs[0]?.paragraph;
    const last = paragraphs[paragraphs.length - 1]?.paragraph;
    if (!first || !last) throw new Error('empty insertion plan');
    const control = first.getRange('Whole').expandTo(last.getRange('Whole')).insertContentControl();
    control.tag = `${TAG_PREFIX}${plan.auditId}`;
    control.title = CONTROL_TITLE;
    control.cannotEdit = false;
    control.cannotDelete = false;
    for (const c of commented) commentRange(c.paragraph, c.text, c.anchor).insertComment(c.comment);
    context.trackedObjects.add(control);
    return { key: tailKey, tail: control };
  }

  /**
   * Stores records (copies, reviews) in the trail. Waits for a running insertion drain (which writes the same
   * part): a read-modify-write of the part never overlaps another one, so no record is lost.
   */
  async saveAudit(records: readonly AuditRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.partLock.run(() => this.writeAudit(records));
  }

  private async writeAudit(records: readonly AuditRecord[]): Promise<void> {
    await Word.run(async (context) => {
      const parts = context.document.customXmlParts.getByNamespace(AUDIT_NAMESPACE);
      parts.load('items');
      await context.sync();
      const part = parts.items[0];
      const existing = part?.getXml();
      if (existing) await context.sync();
      const time = this.now().toISOString();
      const xml = await appendAudit(existing?.value, records.map((r) => ({ ...r, time: r.time || time })));
      if (part) part.setXml(xml);
      else context.document.customXmlParts.add(xml);
      await context.sync();
    });
  }

  async readAudit(): Promise<AuditRecord[]> {
    return (await this.readAuditTrail()).entries.flatMap((e) => (e.record ? [e.record] : []));
  }

  async readAuditTrail(): Promise<AuditTrail> {
    // The trail is a custom XML part (WordApi 1.4): without it, say so instead of failing in Word.run.
    if (!this.supports('1.4')) return { entries: [], unavailable: this.text('noAuditParts') };
    return Word.run(async (context) => {
      const parts = context.document.customXmlParts.getByNamespace(AUDIT_NAMESPACE);
      parts.load('items');
      await context.sync();
      const xmls = parts.items.map((p) => p.getXml());
      if (xmls.length === 0) return { entries: [] };
      await context.sync();
      const read = xmls.map((x) => readAuditPart(x.value));
      const first = read[0] ?? { entries: [] };
      // More than one part (a document merged from two): every record is reported; the chain is the first part's.
      return { ...first, entries: read.flatMap((r) => r.entries) };
    });
  }

  /**
   * The writer's review of inserted records. With WordApi 1.6, `body.getTrackedChanges()` tells pending from
   * decided: a tracked change inside a record's content control (matched by tag) means the record is still
   * pending. Without 1.6 only what the text shows is known: the record is gone (rejected or deleted), or still
   * there as inserted or edited.
   */
  async readReview(records: readonly AuditRecord[]): Promise<ReviewReport> {
    const inserted = records.filter((r) => (r.event ?? 'inserted') === 'inserted');
    const tracked = this.supports('1.6');
    const found = await Word.run(async (context) => {
      const lists = inserted.map((r) => {
        const list = context.document.contentControls.getByTag(`${TAG_PREFIX}${r.auditId}`);
        list.load('items/text');
        return list;
      });
      const changes = tracked ? context.document.body.getTrackedChanges() : undefined;
      changes?.load('items/type');
      await context.sync();
      const parents = (changes?.items ?? []).map((c) => {
        const parent = c.getRange('Whole').parentContentControlOrNullObject;
        parent.load('tag,isNullObject');
        return parent;
      });
      if (parents.length > 0) await context.sync();
      const pendingTags = new Set(parents.filter((p) => !p.isNullObject).map((p) => p.tag));
      return inserted.map((r, i) => {
        const items = lists[i]?.items ?? [];
        const text = items.length > 0 ? items.map((c) => wordText(c.text).replace(/\n+$/, '')).join('\n') : undefined;
        return { ref: r.auditId, text, pending: pendingTags.has(`${TAG_PREFIX}${r.auditId}`) };
      });
    });
    const states: ReviewState[] = [];
    for (const [i, r] of inserted.entries()) {
      const f = found[i];
      if (!f) continue;
      states.push(await reviewStateOf(r, f.text, tracked ? f.pending : undefined));
    }
    return tracked ? { supported: true, states } : { supported: false, reason: this.text('noReview'), states };
  }
}

/** Plan and state kept per drain of the insertion queue. */
interface DrainMode {
  /** The writer's tracking mode, read at the drain's first insertion. */
  writers?: Word.ChangeTrackingMode;
  /** Whether it has been put back. */
  restored?: boolean;
}

/** Paragraphs a plan writes (a title below a table counts only with at least one section). */
function planParagraphCount(plan: InsertionPlan): number {
  return plan.blocks.reduce((n, b) => n + 1 + b.paragraphs.length, 0);
}


/** Relations of a row's range to the selection that mean the row is (partly) selected. */
const OVERLAPS = new Set<string>(['Equal', 'Contains', 'ContainsStart', 'ContainsEnd', 'Inside', 'InsideStart', 'InsideEnd', 'OverlapsBefore', 'OverlapsAfter']);

/** Style of the per-employee title above a block below a table: one heading level above the sections. */
function titleStyle(headingStyle: PlanBlock['headingStyle']): Word.BuiltInStyleName {
  const m = /^Heading(\d)$/.exec(headingStyle);
  const level = m ? Math.max(1, Number(m[1]) - 1) : 2;
  return `Heading${level}` as Word.BuiltInStyleName;
}

/** Word's search takes at most 255 characters and treats `^` as a special-character code. */
function commentRange(paragraph: Word.Paragraph, text: string, anchor: string): Word.Range {
  if (anchor !== '' && anchor !== text && anchor.length <= 255 && !anchor.includes('^')) {
    return paragraph.search(anchor, { matchCase: true }).getFirst();
  }
  return paragraph.getRange('Content');
}

function cachedColumn(entry: TableEntry, column: string): number {
  let index = entry.columns.get(column);
  if (index === undefined) {
    index = columnIndex(entry.rows, column);
    entry.columns.set(column, index);
  }
  return index;
}

/** Index of `column` in the table's header row (as tableToRecords finds it), or -1. */
export function columnIndex(rows: readonly (readonly string[])[], column: string): number {
  const read = tableToRecords(rows);
  if (!read.ok) return -1;
  const header = rows[read.headerRow] ?? [];
  const exact = header.findIndex((cell) => cell.replace(/\s+/g, ' ').trim() === column);
  if (exact >= 0) return exact;
  // Generated names for columns without a header: 列3 / Column 3.
  const generated = /^(?:列|Column )(\d+)$/.exec(column);
  return generated ? Number(generated[1]) - 1 : -1;
}

/**
 * The table rows that a matrix of selected cells came from: the first run of consecutive table rows, each
 * containing its matrix row as consecutive cells. Undefined when the matrix matches nowhere (or ambiguously).
 */
export function matchRows(rows: readonly (readonly string[])[], matrix: readonly (readonly string[])[]): number[] | undefined {
  const norm = (s: string): string => s.replace(/\s+/g, ' ').trim();
  const wanted = matrix.map((r) => r.map(norm)).filter((r) => r.some((c) => c !== ''));
  if (wanted.length === 0) return undefined;
  const contains = (row: readonly string[], cells: readonly string[]): boolean => {
    const have = row.map(norm);
    for (let s = 0; s + cells.length <= have.length; s += 1) if (cells.every((c, k) => have[s + k] === c)) return true;
    return false;
  };
  const starts: number[] = [];
  for (let i = 0; i + wanted.length <= rows.length; i += 1) {
    if (wanted.every((cells, k) => contains(rows[i + k] ?? [], cells))) starts.push(i);
  }
  if (starts.length !== 1) return undefined;
  const start = starts[0] ?? 0;
  return wanted.map((_, k) => start + k);
}
