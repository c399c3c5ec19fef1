/**
 * The batch runner over talent-review rows, with the fake engine replaying fixture records and WordHost over the
 * Word double: row states as the pane shows them, progress and rate, pause / resume / cancel, retry, failures
 * that stay local to their row, insertion into the document, exports.
 */
import Papa from 'papaparse';
import { afterEach, describe, expect, it } from 'vitest';
import talentJson from '../../../shared/fixtures/talent-reviews.json';
import { WordHost } from '../../addin/word/word-host';
import { EngineError } from '../../shared/engine/errors';
import { talentFixtures, talentZh } from '../../shared/output/test-fixtures';
import { BatchRunner, suggestCommentColumn, type BatchState, type RowStatus } from '../../shared/pipeline/batch';
import { generate } from '../../shared/pipeline/generate';
import type { Generate } from '../../shared/pipeline/types';
import { tableToRecords, type TableRecord } from '../../shared/source';
import { FakeEngine } from '../doubles/fake-engine';
import { WordMock } from '../doubles/office-mock';

const cases = talentJson.cases as unknown as Array<{ id: string; row: Record<string, string> }>;
const outputs = talentFixtures();
const header = ['岗位', '绩效', '潜力', '技术深度', '跨团队协作', '专业能力', '带人意愿', '入职', '360反馈', '学习敏锐度', '备注'];

/** The table as Word would hold it: header row, one row per fixture, and a 评语 column for the records. */
const tableRows: string[][] = [[...header, '评语'], ...cases.map((c) => [...header.map((h) => c.row[h] ?? ''), ''])];
const read = tableToRecords(tableRows);
if (!read.ok) throw new Error(read.message);
const records: TableRecord[] = read.records;

/** Answers each row's prompt with that row's fixture record. */
function engineFor(extra: ConstructorParameters<typeof FakeEngine>[0] = {}): FakeEngine {
  return new FakeEngine({
    respond: (request) => {
      const user = request.messages[1]?.content ?? '';
      const i = cases.findIndex((c) => user.includes(`岗位: ${c.row['岗位'] ?? ''}`));
      return outputs[i]?.text ?? '';
    },
    ...extra,
  });
}

function runner(engine: FakeEngine, more: Partial<ConstructorParameters<typeof BatchRunner>[0]> = {}): BatchRunner {
  return new BatchRunner({ template: talentZh, engine, modelId: 'fake', header: read.ok ? read.header : [], records, idColumn: '岗位', ...more });
}

function statuses(s: BatchState): RowStatus[] {
  return s.rows.map((r) => r.status);
}

let mock: WordMock | undefined;
afterEach(() => mock?.uninstall());

describe('BatchRunner', () => {
  it('runs every row; rows with flags are "flagged", the others "done"; progress reaches 1', async () => {
    const b = runner(engineFor());
    const seen: RowStatus[][] = [];
    b.subscribe((s) => seen.push(statuses(s)));
    const final = await b.start();
    expect(final.status).toBe('finished');
    expect(statuses(final)).toEqual(['done', 'done', 'flagged', 'flagged']);
    expect(final.progress).toBe(1);
    expect(final.counts).toEqual({ waiting: 0, generating: 0, done: 2, flagged: 2, failed: 0 });
    expect(seen[0]).toEqual(['waiting', 'waiting', 'waiting', 'waiting']);
    expect(seen).toContainEqual(['done', 'generating', 'waiting', 'waiting']);
    expect(final.rows[3]?.result?.flags.map((f) => f.flag)).toContain('BLOCK:MATERNITY');
    expect(final.rows.map((r) => r.rowId)).toEqual(cases.map((c) => c.row['岗位']));
  });

  it('one row failing does not stop the others; retryFailed runs it again', async () => {
    const engine = engineFor();
    let calls = 0;
    const failing: Generate = async (input) => {
      calls += 1;
      if (calls === 2) engine.failNext(new EngineError('device-lost'));
      return generate(input);
    };
    const b = runner(engine, { generate: failing });
    const first = await b.start();
    expect(statuses(first)).toEqual(['done', 'failed', 'flagged', 'flagged']);
    expect(first.rows[1]?.error).toMatch(/GPU|显卡|设备/);
    const second = await b.retryFailed();
    expect(statuses(second)).toEqual(['done', 'done', 'flagged', 'flagged']);
    expect(second.rows[1]?.attempts).toBe(2);
  });

  it('pause takes effect after the current row; nothing is generated while paused; resume finishes', async () => {
    const engine = engineFor();
    const b = runner(engine);
    let reachedPause: (s: BatchState) => void = () => undefined;
    const paused = new Promise<BatchState>((resolve) => (reachedPause = resolve));
    let pausedOnce = false;
    b.subscribe((s) => {
      if (!pausedOnce && s.status === 'running' && s.counts.done === 1 && s.counts.generating === 0) {
        pausedOnce = true;
        b.pause();
      }
      if (s.status === 'paused' && s.counts.generating === 0) reachedPause(s);
    });
    const done = b.start();
    const state = await paused;
    expect(statuses(state)).toEqual(['done', 'waiting', 'waiting', 'waiting']);
    const callsWhilePaused = engine.callCount;
    for (let i = 0; i < 5; i += 1) await new Promise((r) => setTimeout(r, 0));
    expect(engine.callCount).toBe(callsWhilePaused);
    expect(b.getState().status).toBe('paused');
    b.resume();
    expect(statuses(await done)).toEqual(['done', 'done', 'flagged', 'flagged']);
  });

  it('cancel aborts the row being generated: it and the rest stay waiting', async () => {
    const engine = engineFor({ chunkSize: 1 });
    const second = records[1]?.rowIndex;
    const b: BatchRunner = runner(engine, {
      onPartial: (rowIndex, _partial, raw) => {
        if (rowIndex === second && raw.length > 10) b.cancel();
      },
    });
    const final = await b.start();
    expect(final.status).toBe('cancelled');
    expect(statuses(final)).toEqual(['done', 'waiting', 'waiting', 'waiting']);
    expect(engine.requests[1]?.signal?.aborted).toBe(true);
    expect(engine.callCount).toBe(2);
  });

  it('rows per minute and time left, from running time', async () => {
    let clock = 0;
    const timed: Generate = async (input) => {
      clock += 30_000;
      return generate(input);
    };
    const b = runner(engineFor(), { generate: timed, now: () => clock });
    const states: BatchState[] = [];
    b.subscribe((s) => states.push(s));
    await b.start();
    const afterOne = states.find((s) => s.counts.done + s.counts.flagged === 1 && s.counts.generating === 0);
    expect(afterOne?.rowsPerMinute).toBeCloseTo(2);
    expect(afterOne?.secondsLeft).toBeCloseTo(90);
  });

  it('inserts each finished row into its 评语 cell as it finishes; flagged rows wait for the writer', async () => {
    mock = new WordMock({ body: ['人才盘点', tableRows], selection: { table: 0, rows: [1, 4] } }).install();
    const host = new WordHost();
    const table = await host.readTable();
    if (!table.ok) throw new Error(table.message);
    expect(table.table.selectedRows).toEqual([1, 2, 3, 4]);
    const column = suggestCommentColumn(tableRows[0] ?? []);
    expect(column).toBe('评语');
    const b = runner(engineFor(), {
      host,
      target: (row) => ({ kind: 'table-cell', tableId: table.table.tableId, rowIndex: row.rowIndex, column: column ?? '' }),
    });
    const final = await b.start();
    expect(final.rows.map((r) => r.inserted)).toEqual([true, true, false, false]);
    const commentCell = (row: number): string[] => mock?.tables()[0]?.rows[row]?.[header.length]?.paragraphs.map((p) => p.text) ?? [];
    expect(commentCell(1)).toContain('【九宫格定位】');
    expect(commentCell(1)).toContain('超级明星');
    expect(commentCell(3)).toEqual(['']);
    expect(mock.trackingMode).toBe('Off');
    // The writer reviewed the flagged rows and inserts them.
    await b.insertRows([3, 4]);
    expect(b.getState().rows.map((r) => r.inserted)).toEqual([true, true, true, true]);
    expect((await host.readAudit()).map((a) => a.rowIndex)).toEqual([1, 2, 3, 4]);
    expect(mock.comments.length).toBeGreaterThan(0);
  });

  it('insert at the end: one insertion for the whole batch, a constant number of round trips', async () => {
    mock = new WordMock({ body: ['人才盘点', tableRows, '附注'], selection: { table: 0, rows: [1, 1] } }).install();
    const host = new WordHost();
    const table = await host.readTable();
    if (!table.ok) throw new Error(table.message);
    const before = mock.syncs;
    const b = runner(engineFor(), {
      host,
      insert: 'at-end',
      insertFlagged: true,
      target: (row) => ({ kind: 'after-table', tableId: table.table.tableId, title: `${row.rowId}` }),
    });
    const final = await b.start();
    expect(final.rows.every((r) => r.inserted)).toBe(true);
    expect(final.roundTrips).toBe(3);
    expect(mock.syncs - before).toBe(3);
    const titles = mock.outline().filter((t) => cases.some((c) => c.row['岗位'] === t));
    expect(titles).toEqual(cases.map((c) => c.row['岗位']));
  });

  it('exports CSV (row id, nine-box cell and label, confidences, flags, audit id) and JSON', async () => {
    const b = runner(engineFor());
    await b.start();
    const csv = b.exportCsv();
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    const rows = Papa.parse<Record<string, string>>(csv.slice(1), { header: true, skipEmptyLines: true }).data;
    expect(rows.map((r) => r['row_id'])).toEqual(cases.map((c) => c.row['岗位']));
    expect(rows.map((r) => r['nine_box_cell'])).toEqual(['9', '6', '', '7']);
    expect(rows.map((r) => r['nine_box_label'])).toEqual(['超级明星', '核心骨干', '', '待展现者']);
    expect(rows[0]?.['nine_box_confidence']).toBe('0.85');
    expect(rows[2]?.['flags']).toContain('MISSING:绩效');
    expect(rows[0]?.['audit_id']).toBe(b.getState().rows[0]?.result?.auditId);
    expect(rows[3]?.['block_flags']).toBe('1');
    const json = JSON.parse(b.exportJson()) as { rows: Array<{ rowId: string; status: string; flags?: string[]; flagCounts?: { BLOCK: number } }> };
    expect(json.rows.map((r) => r.status)).toEqual(['done', 'done', 'flagged', 'flagged']);
    // The protected trait is counted, never named, in either export.
    expect(json.rows[3]?.flagCounts?.BLOCK).toBe(1);
    expect(b.exportJson()).not.toMatch(/MATERNITY|BLOCK:/);
    expect(csv).not.toMatch(/MATERNITY|BLOCK:/);
  });

  it('columns excluded from the evidence (the comment column) never reach the model', async () => {
    const withOld = records.map((r, i) => (i === 0 ? { ...r, fields: { ...r.fields, 评语: '去年评语:请勿引用' } } : r));
    const engine = engineFor();
    const b = runner(engine, { records: withOld, excludeColumns: ['评语'] });
    await b.start();
    const prompts = engine.requests.map((q) => q.messages[1]?.content ?? '').join('\n');
    expect(prompts).not.toContain('去年评语');
    expect(prompts).not.toContain('评语:');
    // Without excluding it, the old comment would have been evidence.
    const leaky = engineFor();
    await runner(leaky, { records: withOld }).start();
    expect(leaky.requests[0]?.messages[1]?.content).toContain('去年评语');
  });

  it('the column records are written into is kept out of the evidence without being asked', async () => {
    mock = new WordMock({ body: [tableRows.map((r, i) => (i === 1 ? [...r.slice(0, -1), '去年评语:请勿引用'] : r))], selection: { table: 0, rows: [1, 1] } }).install();
    const host = new WordHost();
    const table = await host.readTable();
    if (!table.ok) throw new Error(table.message);
    const fromDoc = tableToRecords(table.table.rows);
    if (!fromDoc.ok) throw new Error(fromDoc.message);
    const engine = engineFor();
    const b = new BatchRunner({
      template: talentZh,
      engine,
      modelId: 'fake',
      header: fromDoc.header,
      records: fromDoc.records.slice(0, 1),
      host,
      target: (row) => ({ kind: 'table-cell', tableId: table.table.tableId, rowIndex: row.rowIndex, column: '评语' }),
    });
    await b.start();
    expect(engine.requests[0]?.messages[1]?.content).not.toContain('去年评语');
  });

  it('suggests the comment column in Chinese and English tables', () => {
    expect(suggestCommentColumn(['工号', '岗位', '盘点评语'])).toBe('盘点评语');
    expect(suggestCommentColumn(['ID', 'Role', 'Comments'])).toBe('Comments');
    expect(suggestCommentColumn(['ID', 'Role'])).toBeUndefined();
  });
});
