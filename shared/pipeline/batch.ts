/**
 * The batch runner: one record per table row (talent reviews over hundreds of employees), independent of any UI.
 *
 * - Rows run one after another on this computer (WebLLM: one sequence per model on one GPU), or N at a time on a
 *   company server that batches continuously (`concurrency`, default the engine's). Each row's state — waiting,
 *   generating, done, flagged, failed — and the overall progress, rows per minute and time left are published.
 * - Pause takes effect between rows (rows being written are finished, not thrown away; no new row starts); cancel
 *   stops at once (every generation in flight is aborted and its row goes back to waiting). Failed rows can be
 *   retried.
 * - One row's failure (engine error, bad output, insertion error) never stops the others.
 * - Finished rows are inserted as they finish (while the next rows are generated) or all at the end in one
 *   `host.apply` — a constant number of document round trips for the whole batch. Insertions run one at a time
 *   and in row order even when rows finish out of order: a row waits for the rows above it to finish. Flagged rows are inserted
 *   only when asked (`insertFlagged`): the writer looks at them first.
 */
import type { LlmEngine } from '../engine/port';
import type { ApplyResult, DocumentHost, InsertionPlan, PlanTarget } from '../host/port';
import type { PartialParse } from '../output/types';
import { Serial } from '../serial';
import type { TableRecord } from '../source/types';
import type { Template } from '../templates/schema';
import { AUDIT_CSV_HEADER, auditRow, toCsv } from './audit-export';
import { generate as defaultGenerate } from './generate';
import { newAuditId } from './hash';
import { buildPlan } from './plan';
import type { Generate, GenerateInput, GenerationResult } from './types';

/** Where a row stands. */
export type RowStatus = 'waiting' | 'generating' | 'done' | 'flagged' | 'failed';

/** One row's state, as the UI shows it. */
export interface BatchRowState {
  /** Index into the table's rows (TableSnapshot.rows). */
  rowIndex: number;
  /** The row's id for the writer (the `idColumn` value, else the 1-based row number). */
  rowId: string;
  status: RowStatus;
  /** Set once generated (done or flagged). */
  result?: GenerationResult;
  /** Why it failed, in words the writer understands. */
  error?: string;
  /** Whether its record is in the document; `insertError` when inserting it failed. */
  inserted: boolean;
  insertError?: string;
  /**
   * Word failed part-way through this row's record: some of its paragraphs may be in the document (the trail
   * says partial). It is not inserted again automatically; the writer rejects the partial text and inserts it.
   */
  partial?: boolean;
  /** Generation attempts so far (retries count). */
  attempts: number;
}

/** The batch as a whole. */
export interface BatchState {
  /** `idle` before start; `paused` also while the current row finishes after pause(). */
  status: 'idle' | 'running' | 'paused' | 'cancelled' | 'finished';
  rows: BatchRowState[];
  counts: Record<RowStatus, number>;
  /** Rows finished (done, flagged or failed) of all rows, 0..1. */
  progress: number;
  /** Finished rows per minute of running time (pauses excluded); undefined until a row has finished. */
  rowsPerMinute?: number;
  /** Estimated seconds until every waiting row is finished, at the current rate. */
  secondsLeft?: number;
  /** Document round trips used by insertions so far. */
  roundTrips: number;
}

export type BatchListener = (state: BatchState) => void;

/** Options of {@link BatchRunner}. */
export interface BatchOptions {
  template: Template;
  engine: LlmEngine;
  modelId: string;
  /** The model's prompt profile (see GenerateInput.prompt). */
  prompt?: GenerateInput['prompt'];
  /** The model's weights revision or hash, for the audit records. */
  modelRevision?: string;
  /** Header names in table order (from tableToRecords). */
  header: string[];
  /** The rows to run (from tableToRecords, possibly filtered to the selected ones). */
  records: readonly TableRecord[];
  /**
   * Columns the model must not see (last year's comments or an earlier run's output would otherwise become
   * "evidence"). The column of a `table-cell` target is always excluded.
   */
  excludeColumns?: string[];
  /** Column whose value identifies a row in exports and the pane (e.g. 工号); default: the row number. */
  idColumn?: string;
  /** Inserts records into the document. Without a host nothing is inserted (export only). */
  host?: DocumentHost;
  /** Where a row's record goes; required with `host`. */
  target?: (row: BatchRowState) => PlanTarget;
  /** `per-row` (default): as each row finishes; `at-end`: one insertion for all rows when the batch ends. */
  insert?: 'per-row' | 'at-end';
  /** Insert flagged rows too (default false: the writer reviews them first and inserts them from the pane). */
  insertFlagged?: boolean;
  /** Live preview of the row being generated. */
  onPartial?: (rowIndex: number, partial: PartialParse, raw: string) => void;
  /** The pipeline (tests may wrap it); default shared/pipeline generate. */
  generate?: Generate;
  /** Clock in milliseconds (tests). */
  now?: () => number;
  /**
   * Rows generated at once. Default: the engine's `concurrency` (a company server: 8 unless the deployment says
   * otherwise), else 1 (WebLLM).
   */
  concurrency?: number;
}

function errorText(e: unknown, language = 'zh-CN'): string {
  if (e && typeof e === 'object' && 'userMessage' in e && typeof (e as { userMessage: unknown }).userMessage === 'function') {
    return (e as { userMessage(locale: string): string }).userMessage(language.startsWith('zh') ? 'zh-CN' : 'en');
  }
  return e instanceof Error ? e.message : String(e);
}

function isFlagged(result: GenerationResult): boolean {
  return result.review.length > 0 || result.flags.length > 0;
}

/** A batch over table rows; see the module comment. */
export class BatchRunner {
  private readonly options: BatchOptions;
  private readonly rows: BatchRowState[];
  private readonly listeners = new Set<BatchListener>();
  private status: BatchState['status'] = 'idle';
  /** The generations in flight (one per row being generated). */
  private readonly controllers = new Set<AbortController>();
  /** Index into `rows` of the first row not yet passed to insertion in this run (rows go in row order). */
  private insertCursor = 0;
  private resumeWaiter: (() => void) | undefined;
  private running: Promise<BatchState> | undefined;
  private readonly inserts = new Serial();
  private roundTrips = 0;
  /** Running time: accumulated ms plus the current running stretch. */
  private activeMs = 0;
  private activeSince: number | undefined;
  private finishedInRun = 0;
  private readonly now: () => number;
  private readonly generate: Generate;

  constructor(options: BatchOptions) {
    if (options.host && !options.target) throw new Error('BatchRunner: a host needs a target for the records');
    this.options = options;
    this.now = options.now ?? (() => Date.now());
    this.generate = options.generate ?? defaultGenerate;
    this.rows = options.records.map((r) => ({
      rowIndex: r.rowIndex,
      rowId: (options.idColumn !== undefined ? r.fields[options.idColumn] : undefined) || String(r.rowIndex + 1),
      status: 'waiting',
      inserted: false,
      attempts: 0,
    }));
  }

  /** Calls `listener` with every state change (and once now); returns the unsubscribe function. */
  subscribe(listener: BatchListener): () => void {
    this.listeners.add(listener);
    listener(this.getState());
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** A snapshot of the batch (safe to keep: later changes do not alter it). */
  getState(): BatchState {
    const counts: Record<RowStatus, number> = { waiting: 0, generating: 0, done: 0, flagged: 0, failed: 0 };
    for (const r of this.rows) counts[r.status] += 1;
    const finished = counts.done + counts.flagged + counts.failed;
    const total = this.rows.length;
    const ms = this.activeMs + (this.activeSince !== undefined ? this.now() - this.activeSince : 0);
    const state: BatchState = {
      status: this.status,
      rows: this.rows.map((r) => ({ ...r })),
      counts,
      progress: total === 0 ? 1 : finished / total,
      roundTrips: this.roundTrips,
    };
    if (this.finishedInRun > 0 && ms > 0) {
      const perMinute = (this.finishedInRun / ms) * 60_000;
      state.rowsPerMinute = perMinute;
      state.secondsLeft = ((counts.waiting + counts.generating) / perMinute) * 60;
    }
    return state;
  }

  private emit(): void {
    const state = this.getState();
    for (const l of this.listeners) l(state);
  }

  private startClock(): void {
    this.activeSince ??= this.now();
  }

  private stopClock(): void {
    if (this.activeSince !== undefined) this.activeMs += this.now() - this.activeSince;
    this.activeSince = undefined;
  }

  /** Runs every waiting row; resolves with the final state when all are finished or the batch is cancelled. */
  start(): Promise<BatchState> {
    if (this.running) return this.running;
    this.running = this.loop().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Stops after the row being generated; `resume()` continues. */
  pause(): void {
    if (this.status !== 'running') return;
    this.status = 'paused';
    this.emit();
  }

  resume(): void {
    if (this.status !== 'paused') return;
    this.status = 'running';
    this.startClock();
    const wake = this.resumeWaiter;
    this.resumeWaiter = undefined;
    wake?.();
    this.emit();
  }

  /** Stops now: the current generation is aborted and its row goes back to waiting. */
  cancel(): void {
    if (this.status === 'finished' || this.status === 'cancelled') return;
    this.status = 'cancelled';
    for (const c of this.controllers) c.abort();
    const wake = this.resumeWaiter;
    this.resumeWaiter = undefined;
    wake?.();
    this.emit();
  }

  /** Puts failed rows back to waiting and runs them (and any other waiting rows). */
  retryFailed(): Promise<BatchState> {
    if (this.running) return this.running.then(() => this.retryFailed());
    for (const r of this.rows) {
      if (r.status !== 'failed') continue;
      r.status = 'waiting';
      delete r.error;
      delete r.result;
    }
    this.status = 'idle';
    this.emit();
    return this.start();
  }

  /** A method, not an inline comparison: cancel() changes the status while the loop awaits. */
  private cancelled(): boolean {
    return this.status === 'cancelled';
  }

  /** A method for the same reason as cancelled(): pause() changes the status while the loop awaits. */
  private paused(): boolean {
    return this.status === 'paused';
  }

  private async waitWhilePaused(): Promise<void> {
    while (this.status === 'paused') {
      this.stopClock();
      this.emit();
      await new Promise<void>((resolve) => {
        this.resumeWaiter = resolve;
      });
    }
  }

  /** Rows generated at once (at least 1). */
  get concurrency(): number {
    return Math.max(1, Math.floor(this.options.concurrency ?? this.options.engine.concurrency ?? 1));
  }

  private async loop(): Promise<BatchState> {
    this.status = 'running';
    this.startClock();
    this.emit();
    this.insertCursor = 0;
    const limit = this.concurrency;
    const inFlight = new Set<Promise<void>>();
    for (const row of this.rows) {
      if (row.status !== 'waiting') continue;
      // Wait for a free slot; while paused, let the rows in flight finish, then wait for resume (or cancel).
      for (;;) {
        if (this.cancelled()) break;
        if (inFlight.size >= limit || (this.paused() && inFlight.size > 0)) {
          await Promise.race(inFlight);
          continue;
        }
        if (this.paused()) {
          await this.waitWhilePaused();
          continue;
        }
        break;
      }
      if (this.cancelled()) break;
      const run: Promise<void> = this.runRow(row).finally(() => inFlight.delete(run));
      inFlight.add(run);
    }
    await Promise.all(inFlight);
    this.stopClock();
    if (this.options.host && (this.options.insert ?? 'per-row') === 'per-row') {
      // Rows held back behind an unfinished row (cancelled: it went back to waiting) go in now, in row order.
      this.releaseInOrder(true);
    }
    if (this.options.host && (this.options.insert ?? 'per-row') === 'at-end' && !this.cancelled()) {
      await this.queueInsert(this.rows.filter((r) => this.shouldInsert(r)));
    }
    await this.inserts.idle();
    if (!this.cancelled()) this.status = 'finished';
    this.emit();
    return this.getState();
  }

  private record(row: BatchRowState): TableRecord {
    const r = this.options.records.find((x) => x.rowIndex === row.rowIndex);
    if (!r) throw new Error(`row ${row.rowIndex + 1} is not in the batch`);
    return r;
  }

  private async runRow(row: BatchRowState): Promise<void> {
    const controller = new AbortController();
    this.controllers.add(controller);
    row.status = 'generating';
    row.attempts += 1;
    this.emit();
    const { template, engine, modelId, header, onPartial } = this.options;
    try {
      const record = this.record(row);
      const excluded = new Set(this.options.excludeColumns ?? []);
      // The column the record is written into is never evidence for it.
      const target = this.options.host ? this.options.target?.(row) : undefined;
      if (target?.kind === 'table-cell') excluded.add(target.column);
      const fields = Object.fromEntries(Object.entries(record.fields).filter(([name]) => !excluded.has(name)));
      const result = await this.generate({
        template,
        engine,
        modelId,
        ...(this.options.prompt ? { prompt: this.options.prompt } : {}),
        ...(this.options.modelRevision !== undefined ? { modelRevision: this.options.modelRevision } : {}),
        source: { kind: 'table-row', fields, header: header.filter((h) => !excluded.has(h)), rowIndex: record.rowIndex },
        signal: controller.signal,
        ...(onPartial ? { onPartial: (p: PartialParse, raw: string) => onPartial(row.rowIndex, p, raw) } : {}),
      });
      if (result.finishReason === 'abort') {
        // Cancelled: the row was not written; it waits for a later run.
        row.status = 'waiting';
        return;
      }
      row.result = result;
      row.status = isFlagged(result) ? 'flagged' : 'done';
      this.finishedInRun += 1;
    } catch (e) {
      row.status = 'failed';
      row.error = errorText(e, this.options.template.language);
      this.finishedInRun += 1;
    } finally {
      this.controllers.delete(controller);
      // Insertion overlaps the next rows' generation; rows are released in row order.
      if (this.options.host && (this.options.insert ?? 'per-row') === 'per-row') this.releaseInOrder(false);
      this.emit();
    }
  }

  /**
   * Queues for insertion the finished rows from the cursor down to the first row still waiting or generating
   * (`final`: past such rows too), in row order, as one insertion behind those queued before.
   */
  private releaseInOrder(final: boolean): void {
    const ready: BatchRowState[] = [];
    while (this.insertCursor < this.rows.length) {
      const r = this.rows[this.insertCursor] as BatchRowState;
      if (!final && (r.status === 'waiting' || r.status === 'generating')) break;
      if (this.shouldInsert(r)) ready.push(r);
      this.insertCursor += 1;
    }
    if (ready.length > 0) void this.queueInsert(ready);
  }

  private shouldInsert(row: BatchRowState): boolean {
    // A refusal (LOW_INFORMATION: no draft) has nothing to insert, even when flagged rows are inserted.
    if (row.inserted || !row.result || row.partial || row.result.refusal) return false;
    return row.status === 'done' || (row.status === 'flagged' && (this.options.insertFlagged ?? false));
  }

  /** The plan for a finished row (also for the pane's "insert this row" button). */
  planFor(row: BatchRowState): InsertionPlan | undefined {
    if (!row.result || !this.options.target) return undefined;
    return buildPlan(row.result, this.options.template, this.options.target(row));
  }

  /** Inserts the given finished rows now (e.g. flagged rows the writer reviewed). */
  async insertRows(rowIndices: readonly number[]): Promise<ApplyResult | undefined> {
    // Queued behind the batch's own insertions (never alongside them): a row the batch is inserting right now is
    // found inserted by the time this runs, and is not inserted twice.
    const rows = this.rows.filter((r) => rowIndices.includes(r.rowIndex));
    for (const r of rows) {
      if (!r.partial || !r.result) continue;
      // The writer asked again for a row Word wrote part of: a new id, so the new block and its record are told
      // apart from the partial one (which stays in the trail as partial).
      const auditId = newAuditId();
      r.result = { ...r.result, auditId, audit: { ...r.result.audit, auditId } };
      delete r.partial;
    }
    return this.queueInsert(rows);
  }

  /** Runs an insertion after every insertion queued before it; rows inserted meanwhile are skipped. */
  private queueInsert(rows: readonly BatchRowState[]): Promise<ApplyResult | undefined> {
    return this.inserts.run(() => this.insert(rows.filter((r) => r.result && !r.inserted)));
  }

  private async insert(candidates: readonly BatchRowState[]): Promise<ApplyResult | undefined> {
    const host = this.options.host;
    if (!host || candidates.length === 0) return undefined;
    const rows: BatchRowState[] = [];
    const plans: InsertionPlan[] = [];
    for (const r of candidates) {
      const p = this.planFor(r);
      // A row without a single usable section has nothing to insert: it fails alone, before the host is asked.
      if (!p || p.blocks.length === 0) {
        r.insertError = emptyRowMessage(this.options.template.language);
        continue;
      }
      rows.push(r);
      plans.push(p);
    }
    if (plans.length === 0) {
      this.emit();
      return undefined;
    }
    let result: ApplyResult;
    try {
      result = await host.apply(plans);
    } catch (e) {
      for (const r of rows) r.insertError = errorText(e, this.options.template.language);
      this.emit();
      return undefined;
    }
    this.roundTrips += result.roundTrips;
    for (const r of rows) {
      const id = r.result?.auditId;
      const failed = result.failed.find((f) => f.auditId === id);
      if (id !== undefined && result.inserted.includes(id)) {
        r.inserted = true;
        delete r.insertError;
      } else if (failed) {
        r.insertError = failed.message;
        if (id !== undefined && result.partial?.includes(id)) r.partial = true;
      }
      if (result.auditError && r.inserted) r.insertError = result.auditError;
    }
    this.emit();
    return result;
  }

  /** The batch as CSV: row id, status, then the flat audit columns (nine-box cell and label, confidences, flags…). */
  exportCsv(): string {
    const label = (taxonomy: string, code: unknown): string =>
      this.options.template.taxonomies[taxonomy]?.find((e) => e.code === code)?.label ?? '';
    const header = ['row_id', 'status', 'inserted', 'error', ...AUDIT_CSV_HEADER];
    const rows = this.rows.map((r) => {
      const audit = r.result ? auditRow({ ...r.result.audit, time: '' }, label) : AUDIT_CSV_HEADER.map(() => '');
      if (!r.result) audit[AUDIT_CSV_HEADER.indexOf('row_index')] = r.rowIndex;
      return [r.rowId, r.status, r.inserted ? 'yes' : 'no', r.error ?? r.insertError ?? '', ...audit];
    });
    return toCsv(header, rows);
  }

  /** The batch as JSON: one entry per row with its status, sections, fields, flags and audit id. */
  exportJson(): string {
    const rows = this.rows.map((r) => ({
      rowId: r.rowId,
      rowIndex: r.rowIndex,
      status: r.status,
      inserted: r.inserted,
      ...(r.error !== undefined ? { error: r.error } : {}),
      ...(r.insertError !== undefined ? { insertError: r.insertError } : {}),
      ...(r.result
        ? {
            auditId: r.result.auditId,
            sections: r.result.sections,
            fields: r.result.fields,
            // Counts by action and category-free flags only: no protected trait leaves in an export.
            flags: r.result.audit.flags.map((f) => f.flag),
            flagCounts: r.result.audit.flagCounts,
            review: r.result.review,
            problems: r.result.problems.map((p) => p.code),
          }
        : {}),
    }));
    return `${JSON.stringify({ format: 'liuhen-batch', version: 1, templateId: this.options.template.id, modelId: this.options.modelId, rows }, null, 2)}\n`;
  }
}

function emptyRowMessage(language: string): string {
  return language.startsWith('zh') ? '模型没有写出任何可用的段落,这一行没有插入。' : 'The model wrote no usable section for this row, so nothing was inserted.';
}

/** The column records should go into, when the table has one (评语 / 评价 / Comment …). */
export function suggestCommentColumn(header: readonly string[]): string | undefined {
  const patterns = [/^评语$/, /评语/, /^评价$/, /盘点意见|意见/, /^comments?$/i, /comment|remark|review/i];
  for (const p of patterns) {
    const hit = header.find((h) => p.test(h.trim()));
    if (hit !== undefined) return hit;
  }
  return undefined;
}
