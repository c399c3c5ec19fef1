/**
 * Batch correctness with WordHost over the Word double: one row's failure never marks other rows failed and never
 * duplicates an insertion (a row without usable sections used to make the earlier rows report failure, so a retry
 * inserted them twice); "Insert flagged rows" clicked while the batch is still inserting is queued behind it; a
 * row Word wrote part of is recorded partial and not inserted again by itself; the writer's tracking mode is back
 * on every path.
 */
import { afterEach, describe, expect, it } from 'vitest';
import talentJson from '../../../shared/fixtures/talent-reviews.json';
import { WordHost } from '../../addin/word/word-host';
import { talentFixtures, talentZh } from '../../shared/output/test-fixtures';
import { BatchRunner } from '../../shared/pipeline/batch';
import { verifyChain } from '../../shared/pipeline/audit-chain';
import { tableToRecords } from '../../shared/source';
import { FakeEngine } from '../doubles/fake-engine';
import { WordMock } from '../doubles/office-mock';

const cases = talentJson.cases as unknown as Array<{ id: string; row: Record<string, string> }>;
const outputs = talentFixtures();
const header = ['岗位', '绩效', '潜力', '技术深度', '跨团队协作', '专业能力', '带人意愿', '入职', '360反馈', '学习敏锐度', '备注'];
const tableRows: string[][] = [[...header, '评语'], ...cases.map((c) => [...header.map((h) => c.row[h] ?? ''), ''])];
const read = tableToRecords(tableRows);
if (!read.ok) throw new Error(read.message);
const records = read.records;

/** Each row's fixture record; the row named in `empty` gets text with no section at all. */
function engine(options: { empty?: string; tokenDelayMs?: number } = {}): FakeEngine {
  return new FakeEngine({
    respond: (request) => {
      const user = request.messages[1]?.content ?? '';
      const i = cases.findIndex((c) => user.includes(`岗位: ${c.row['岗位'] ?? ''}`));
      if (options.empty !== undefined && user.includes(`岗位: ${options.empty}`)) return '无法生成。';
      return outputs[i]?.text ?? '';
    },
    ...(options.tokenDelayMs !== undefined ? { tokenDelayMs: options.tokenDelayMs } : {}),
  });
}

let mock: WordMock | undefined;
afterEach(() => mock?.uninstall());

async function setup(trackingMode: 'Off' | 'TrackMineOnly' = 'Off') {
  mock = new WordMock({ body: ['人才盘点', tableRows], selection: { table: 0, rows: [1, 4] }, trackingMode }).install();
  const host = new WordHost();
  const table = await host.readTable();
  if (!table.ok) throw new Error(table.message);
  const cell = (row: number): string[] => mock?.tables()[0]?.rows[row]?.[header.length]?.paragraphs.map((p) => p.text) ?? [];
  return { mock, host, tableId: table.table.tableId, cell };
}

describe('batch correctness', () => {
  it('a row with no usable sections fails alone: the other rows are inserted once and say so; a retry duplicates nothing', async () => {
    const { mock, host, tableId, cell } = await setup('TrackMineOnly');
    const b = new BatchRunner({
      template: talentZh, engine: engine({ empty: 'P6资深测试工程师' }), modelId: 'fake', header: read.ok ? read.header : [], records, idColumn: '岗位',
      host, insert: 'at-end', insertFlagged: true,
      target: (row) => ({ kind: 'table-cell', tableId, rowIndex: row.rowIndex, column: '评语' }),
    });
    const final = await b.start();
    expect(final.rows.map((r) => r.inserted)).toEqual([true, false, true, true]);
    expect(final.rows.map((r) => r.insertError === undefined)).toEqual([true, false, true, true]);
    expect(final.rows[1]?.insertError).toMatch(/没有插入/);
    const counts = [1, 2, 3, 4].map((r) => cell(r).length);
    await b.retryFailed();
    await b.insertRows([1, 2, 3, 4]);
    expect([1, 2, 3, 4].map((r) => cell(r).length)).toEqual(counts);
    expect(cell(1).filter((t) => t === '【九宫格定位】')).toHaveLength(1);
    expect(mock.trackingMode).toBe('TrackMineOnly');
    expect((await host.readAudit()).map((a) => a.rowIndex)).toEqual([1, 3, 4]);
  });

  it('"Insert flagged rows" during a running batch is queued behind it: every row once, the writer\'s mode kept', async () => {
    const { mock, host, tableId, cell } = await setup('Off');
    const b = new BatchRunner({
      template: talentZh, engine: engine({ tokenDelayMs: 1 }), modelId: 'fake', header: read.ok ? read.header : [], records, idColumn: '岗位',
      host, target: (row) => ({ kind: 'table-cell', tableId, rowIndex: row.rowIndex, column: '评语' }),
    });
    const started = b.start();
    // The writer clicks "Insert flagged rows" again and again while rows are still being generated and inserted.
    const clicks: Array<Promise<unknown>> = [];
    const off = b.subscribe((s) => {
      const flagged = s.rows.filter((r) => r.status === 'flagged' && !r.inserted).map((r) => r.rowIndex);
      if (flagged.length > 0 && clicks.length < 6) clicks.push(b.insertRows([...flagged, 1, 2]));
    });
    await started;
    await Promise.all(clicks);
    off();
    expect(clicks.length).toBeGreaterThan(0);
    expect(b.getState().rows.map((r) => r.inserted)).toEqual([true, true, true, true]);
    for (const row of [1, 2, 3, 4]) expect(cell(row).filter((t) => t === '【九宫格定位】'), `row ${row}`).toHaveLength(1);
    expect(mock.trackingMode).toBe('Off');
    expect(mock.modeHistory.filter((m) => m !== 'TrackAll').every((m) => m === 'Off')).toBe(true);
    expect(mock.inserted().every((p) => p.insertedUnder === 'TrackAll')).toBe(true);
    const trail = await host.readAuditTrail();
    expect(trail.entries.map((e) => e.record?.rowIndex).sort()).toEqual([1, 2, 3, 4]);
    expect((await verifyChain(trail)).intact).toBe(true);
  });

  it('Word failing part-way through a row: that row is partial (recorded), not re-inserted by the batch; the others are fine', async () => {
    const { mock, host, tableId } = await setup('Off');
    const real = mock.failIf.bind(mock);
    let controls = 0;
    let after = 0;
    mock.failIf = (op: string): void => {
      // The first row's record is whole (its content control is made); the second fails at its third paragraph.
      if (op === 'insertContentControl') controls += 1;
      if (op === 'insertParagraph' && controls === 1 && (after += 1) === 3) throw new Error('GeneralException: simulated failure');
      real(op);
    };
    const b = new BatchRunner({
      template: talentZh, engine: engine(), modelId: 'fake', header: read.ok ? read.header : [], records: records.slice(0, 2), idColumn: '岗位',
      host, insert: 'at-end', target: (row) => ({ kind: 'table-cell', tableId, rowIndex: row.rowIndex, column: '评语' }),
    });
    const final = await b.start();
    expect(final.rows.map((r) => [r.inserted, r.partial === true])).toEqual([[true, false], [false, true]]);
    expect(mock.trackingMode).toBe('Off');
    const audit = await host.readAudit();
    expect(audit.map((a) => [a.rowIndex, a.insertion])).toEqual([[1, 'whole'], [2, 'partial']]);
    await b.retryFailed();
    expect(b.getState().rows[1]?.inserted).toBe(false);
  });
});
