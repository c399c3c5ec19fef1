/**
 * WordHost against the Word double (test/doubles/office-mock.ts, built on office-addin-mock): what a writer
 * would see in the document — tracked insertions in order with the template's styles, their own tracking mode
 * back afterwards (also after an error), the record tagged and commented, the audit trail stored — and how many
 * round trips it costs.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { AuditRecord, InsertionPlan, PlanBlock } from '../../shared/host/port';
import { tableToRecords } from '../../shared/source';
import { WordMock, type WordMockOptions } from '../../test/doubles/office-mock';
import { AUDIT_NAMESPACE } from './audit-xml';
import { TAG_PREFIX, WordHost } from './word-host';

let mock: WordMock | undefined;
afterEach(() => mock?.uninstall());

function setup(options: WordMockOptions = {}): { mock: WordMock; host: WordHost } {
  mock = new WordMock(options).install();
  return { mock, host: new WordHost({ now: () => new Date('2026-12-01T10:00:00Z') }) };
}

function blocks(n: number): PlanBlock[] {
  return Array.from({ length: n }, (_, i) => ({
    heading: `【第${i + 1}节】`,
    headingStyle: 'Heading3' as const,
    paragraphs: [`第${i + 1}节第一段。`, `第${i + 1}节第二段。`],
    comments: [],
  }));
}

function audit(auditId: string, extra: Partial<AuditRecord> = {}): AuditRecord {
  return {
    auditId,
    time: '2000-01-01T00:00:00Z',
    templateId: 'exit-interview',
    templateVersion: '1.0.0',
    templateLanguage: 'zh-CN',
    modelId: 'fake',
    sourceHash: 'ab'.repeat(32),
    redactionCount: 1,
    flags: [{ flag: 'BLOCK:HEALTH', where: 'source' }],
    ...extra,
  };
}

const BODY = ['面谈记录', 'T1 HR:今天想了解离职原因。', 'T2 员工:主要还是钱。', '以上。'];

describe('the Word double keeps Office\'s rules', () => {
  it('a property read before load / before sync is an error string, and queued work waits for sync', async () => {
    const { mock } = setup({ body: BODY });
    const word = globalThis as unknown as { Word: { run<T>(batch: (c: Word.RequestContext) => Promise<T>): Promise<T> } };
    await word.Word.run(async (context) => {
      const doc = context.document;
      expect(doc.changeTrackingMode).toBe('Error, property was not loaded');
      doc.load('changeTrackingMode');
      expect(doc.changeTrackingMode).toBe('Error, context.sync() was not called');
      doc.changeTrackingMode = 'TrackAll' as Word.ChangeTrackingMode;
      expect(mock.trackingMode).toBe('Off');
      await context.sync();
      expect(doc.changeTrackingMode).toBe('Off');
      expect(mock.trackingMode).toBe('TrackAll');
    });
    expect(mock.syncs).toBe(1);
  });
});

describe('WordHost: capabilities', () => {
  it('WordApi 1.4: suggestions, comments and tables', async () => {
    const { host } = setup();
    expect(await host.capabilities()).toMatchObject({ name: 'Word', suggestions: true, comments: true, tables: true, displayLanguage: 'zh-CN' });
  });

  it('WordApi 1.3 (Office 2019/2021 volume licence): no suggestions, a clear reason, and apply refuses to insert', async () => {
    const { mock, host } = setup({ wordApi: '1.3', body: BODY, selection: { paragraphs: [1, 2] } });
    const caps = await host.capabilities();
    expect(caps.suggestions).toBe(false);
    expect(caps.suggestionsUnavailableReason).toMatch(/1\.4/);
    expect(caps.suggestionsUnavailableReason).toMatch(/1\.3/);
    expect(caps.suggestionsUnavailableReason).toMatch(/复制到剪贴板/);
    const sel = await host.readSelection();
    await expect(host.apply([{ auditId: 'a', target: { kind: 'after-anchor', anchor: sel.anchor }, blocks: blocks(1) }])).rejects.toThrow(/1\.4/);
    expect(mock.inserted()).toEqual([]);
  });

  it('speaks English in an English Word', async () => {
    const { host } = setup({ wordApi: '1.3', displayLanguage: 'en-US' });
    expect((await host.capabilities()).suggestionsUnavailableReason).toMatch(/Copy to clipboard/);
  });
});

describe('WordHost: selection and insertion', () => {
  it('reads the selection as text, paragraphs separated by \\n', async () => {
    const { host } = setup({ body: BODY, selection: { paragraphs: [1, 2] } });
    const sel = await host.readSelection();
    expect(sel.text).toBe('T1 HR:今天想了解离职原因。\nT2 员工:主要还是钱。');
    expect(sel.anchor).not.toBe('');
  });

  it('reads the start of the document in one round trip, for its language while nothing is selected', async () => {
    const { mock, host } = setup({ body: [...BODY, [['姓名', '评语'], ['员工01', '']], 'The end.'] });
    const before = mock.syncs;
    expect(await host.readDocumentStart(2000)).toBe(`${BODY.join('\n')}\nThe end.`);
    expect(mock.syncs - before).toBe(1);
    expect(await host.readDocumentStart(4)).toBe('面谈记录');
  });

  it('inserts heading and paragraphs in order, with styles, as tracked changes, then restores the writer\'s mode', async () => {
    const { mock, host } = setup({ body: BODY, selection: { paragraphs: [1, 2] }, trackingMode: 'TrackMineOnly' });
    const sel = await host.readSelection();
    const result = await host.apply([{ auditId: 'id-1', target: { kind: 'after-anchor', anchor: sel.anchor }, blocks: blocks(2) }]);
    expect(result).toMatchObject({ inserted: ['id-1'], failed: [] });
    expect(mock.outline()).toEqual([
      '面谈记录',
      'T1 HR:今天想了解离职原因。',
      'T2 员工:主要还是钱。',
      '【第1节】',
      '第1节第一段。',
      '第1节第二段。',
      '【第2节】',
      '第2节第一段。',
      '第2节第二段。',
      '以上。',
    ]);
    expect(mock.inserted().map((p) => p.style)).toEqual(['Heading3', 'Normal', 'Normal', 'Heading3', 'Normal', 'Normal']);
    expect(mock.inserted().every((p) => p.insertedUnder === 'TrackAll')).toBe(true);
    expect(mock.modeHistory).toEqual(['TrackAll', 'TrackMineOnly']);
    expect(mock.trackingMode).toBe('TrackMineOnly');
  });

  it('lands where the writer asked even after the selection moved and text was typed above', async () => {
    const { mock, host } = setup({ body: BODY, selection: { paragraphs: [2, 2] } });
    const sel = await host.readSelection();
    mock.select({ cursor: 0 });
    mock.typeAtTop('新加的一段');
    await host.apply([{ auditId: 'x', target: { kind: 'after-anchor', anchor: sel.anchor }, blocks: blocks(1) }]);
    const outline = mock.outline();
    expect(outline.indexOf('【第1节】')).toBe(outline.indexOf('T2 员工:主要还是钱。') + 1);
  });

  it('inserts at the cursor (after its paragraph) when nothing is selected', async () => {
    const { mock, host } = setup({ body: BODY, selection: { cursor: 0 } });
    const sel = await host.readSelection();
    expect(sel.text).toBe('');
    await host.apply([{ auditId: 'x', target: { kind: 'after-anchor', anchor: sel.anchor }, blocks: blocks(1) }]);
    expect(mock.outline().slice(0, 2)).toEqual(['面谈记录', '【第1节】']);
  });

  it('wraps the block in an unlocked content control tagged with the audit id', async () => {
    const { mock, host } = setup({ body: BODY, selection: { paragraphs: [1, 1] } });
    const sel = await host.readSelection();
    await host.apply([{ auditId: 'audit-42', target: { kind: 'after-anchor', anchor: sel.anchor }, blocks: blocks(2) }]);
    expect(mock.controls).toHaveLength(1);
    const control = mock.controls[0];
    expect(control).toMatchObject({ tag: `${TAG_PREFIX}audit-42`, cannotEdit: false, cannotDelete: false });
    expect(mock.inserted().every((p) => p.controls.includes(control?.id ?? -1))).toBe(true);
    expect(mock.paragraphsOfBody().filter((p) => p.insertedUnder === undefined).every((p) => p.controls.length === 0)).toBe(true);
  });

  it('adds Word comments on the conclusions', async () => {
    const { mock, host } = setup({ body: BODY, selection: { paragraphs: [1, 1] } });
    const sel = await host.readSelection();
    const plan: InsertionPlan = {
      auditId: 'c',
      target: { kind: 'after-anchor', anchor: sel.anchor },
      blocks: [
        { heading: '【九宫格定位】', headingStyle: 'Heading4', paragraphs: ['超级明星:绩效A、潜力高。'], comments: [{ anchorText: '超级明星:绩效A、潜力高。', text: '9 超级明星 · 置信度 0.85 · 依据: 绩效, 潜力' }] },
        { heading: '【优势】', headingStyle: 'Heading4', paragraphs: ['技术深度突出。', '其他。'], comments: [{ anchorText: '技术深度', text: '置信度 0.90 · 依据: 技术深度' }] },
      ],
    };
    await host.apply([plan]);
    expect(mock.comments).toEqual([
      { text: '9 超级明星 · 置信度 0.85 · 依据: 绩效, 潜力', on: '超级明星:绩效A、潜力高。' },
      { text: '置信度 0.90 · 依据: 技术深度', on: '技术深度' },
    ]);
  });

  it('several records for the same place stay in order', async () => {
    const { mock, host } = setup({ body: BODY, selection: { paragraphs: [1, 1] } });
    const sel = await host.readSelection();
    const one = (id: string, h: string): InsertionPlan => ({ auditId: id, target: { kind: 'after-anchor', anchor: sel.anchor }, blocks: [{ heading: h, headingStyle: 'Heading3', paragraphs: [`${h}正文`], comments: [] }] });
    await host.apply([one('1', 'A'), one('2', 'B')]);
    await host.apply([one('3', 'C')]);
    expect(mock.outline().slice(2, 8)).toEqual(['A', 'A正文', 'B', 'B正文', 'C', 'C正文']);
  });

  it('the number of context.sync() calls does not grow with the number of sections (3 vs 12)', async () => {
    const counts: number[] = [];
    for (const n of [3, 12]) {
      const { mock, host } = setup({ body: BODY, selection: { paragraphs: [1, 1] } });
      const sel = await host.readSelection();
      const before = mock.syncs;
      const r = await host.apply([{ auditId: `n${n}`, target: { kind: 'after-anchor', anchor: sel.anchor }, blocks: blocks(n), audit: audit(`n${n}`) }]);
      expect(mock.inserted()).toHaveLength(n * 3);
      expect(r.roundTrips).toBe(mock.syncs - before);
      counts.push(mock.syncs - before);
      mock.uninstall();
    }
    expect(counts[0]).toBe(counts[1]);
    expect(counts[0]).toBeLessThanOrEqual(3);
  });

  it('…nor with the number of records inserted together below a table (3 vs 12 rows)', async () => {
    const counts: number[] = [];
    for (const n of [3, 12]) {
      const { mock, host } = setup({ body: ['前言', [['岗位', '绩效'], ...Array.from({ length: 12 }, (_, i) => [`P${i}`, 'A'])]], selection: { table: 0, rows: [1, n] } });
      const t = await host.readTable();
      if (!t.ok) throw new Error(t.message);
      const before = mock.syncs;
      const plans: InsertionPlan[] = Array.from({ length: n }, (_, i) => ({
        auditId: `r${i}`,
        target: { kind: 'after-table', tableId: t.table.tableId, title: `第${i + 2}行` },
        blocks: blocks(4),
        audit: audit(`r${i}`, { rowIndex: i + 1 }),
      }));
      const r = await host.apply(plans);
      expect(r.inserted).toHaveLength(n);
      counts.push(mock.syncs - before);
      mock.uninstall();
    }
    expect(counts[0]).toBe(counts[1]);
  });

  it('when Word fails mid-insertion the writer\'s tracking mode is restored, the plan is reported failed and recorded as possibly partial', async () => {
    const { mock, host } = setup({ body: BODY, selection: { paragraphs: [1, 1] }, trackingMode: 'Off' });
    const sel = await host.readSelection();
    mock.failures.set('insertParagraph', 1);
    const r = await host.apply([{ auditId: 'bad', target: { kind: 'after-anchor', anchor: sel.anchor }, blocks: blocks(3), audit: audit('bad') }]);
    expect(r.inserted).toEqual([]);
    expect(r.failed).toHaveLength(1);
    expect(r.failed[0]?.message).toMatch(/Word 报告了错误/);
    expect(mock.trackingMode).toBe('Off');
    expect(mock.modeHistory).toEqual(['TrackAll', 'Off']);
    expect(mock.inserted()).toEqual([]);
    expect(r.partial).toEqual(['bad']);
    expect((await host.readAudit()).map((a) => [a.auditId, a.insertion])).toEqual([['bad', 'partial']]);
  });

  it('a failing audit write keeps the insertion, says so, and still restores the mode', async () => {
    const { mock, host } = setup({ body: BODY, selection: { paragraphs: [1, 1] }, trackingMode: 'TrackMineOnly' });
    const sel = await host.readSelection();
    mock.failures.set('addXml', 1);
    const r = await host.apply([{ auditId: 'a1', target: { kind: 'after-anchor', anchor: sel.anchor }, blocks: blocks(1), audit: audit('a1') }]);
    expect(r.inserted).toEqual(['a1']);
    expect(r.auditError).toMatch(/留痕记录未能保存/);
    expect(mock.trackingMode).toBe('TrackMineOnly');
  });

  it('an unknown anchor fails that plan with a clear message and writes nothing', async () => {
    const { mock, host } = setup({ body: BODY });
    const r = await host.apply([{ auditId: 'z', target: { kind: 'after-anchor', anchor: 'gone' }, blocks: blocks(1) }]);
    expect(r.failed).toEqual([{ auditId: 'z', message: expect.stringMatching(/重新选中/) as unknown as string }]);
    expect(mock.inserted()).toEqual([]);
    expect(mock.modeHistory).toEqual([]);
  });

  it('only recent selections are kept as insertion places; an old one says to select again', async () => {
    const { mock, host } = setup({ body: BODY, selection: { paragraphs: [1, 1] } });
    const first = await host.readSelection();
    let latest = first;
    for (let i = 0; i < 20; i += 1) latest = await host.readSelection();
    await new Promise((r) => setTimeout(r, 0));
    // Word is not asked to keep tracking every range ever selected.
    expect(mock.tracked.size).toBe(16);
    const old = await host.apply([{ auditId: 'old', target: { kind: 'after-anchor', anchor: first.anchor }, blocks: blocks(1) }]);
    expect(old.failed[0]?.message).toMatch(/重新选中/);
    const recent = await host.apply([{ auditId: 'new', target: { kind: 'after-anchor', anchor: latest.anchor }, blocks: blocks(1) }]);
    expect(recent.inserted).toEqual(['new']);
    expect(mock.inserted()).toHaveLength(3);
  });

  it('notifies selection changes until unsubscribed', () => {
    const { mock, host } = setup({ body: BODY });
    let calls = 0;
    const off = host.onSelectionChanged(() => (calls += 1));
    mock.select({ cursor: 1 });
    off();
    mock.select({ cursor: 2 });
    expect(calls).toBe(1);
  });
});

describe('WordHost: audit trail in a custom XML part', () => {
  it('stores the audit record with the insertion (insertion time), appends later ones, reads them back oldest first', async () => {
    const { mock, host } = setup({ body: BODY, selection: { paragraphs: [1, 1] } });
    const sel = await host.readSelection();
    await host.apply([{ auditId: 'r1', target: { kind: 'after-anchor', anchor: sel.anchor }, blocks: blocks(1), audit: audit('r1') }]);
    await host.saveAudit([audit('r2', { rowIndex: 3, fields: { nine_box: { cell: 9 } } })]);
    await host.saveAudit([audit('r2')]);
    expect(mock.parts).toHaveLength(1);
    expect(mock.parts[0]?.xml).toContain(`xmlns="${AUDIT_NAMESPACE}"`);
    const records = await host.readAudit();
    expect(records.map((r) => r.auditId)).toEqual(['r1', 'r2']);
    expect(records[0]?.time).toBe('2026-12-01T10:00:00.000Z');
    // The protected-trait category is never stored, only counted.
    expect(records[1]).toMatchObject({ rowIndex: 3, fields: { nine_box: { cell: 9 } }, flags: [], flagCounts: { BLOCK: 1, WARN: 0, ESCALATE: 0 } });
    expect(mock.parts[0]?.xml).not.toContain('HEALTH');
  });

  it('record text with XML special characters survives', async () => {
    const { host } = setup();
    await host.saveAudit([audit('x', { fields: { note: '<b>&"\'</b> 中文' } })]);
    expect((await host.readAudit())[0]?.fields).toEqual({ note: '<b>&"\'</b> 中文' });
  });
});

const TABLE = [
  ['人才盘点表', '', '', ''],
  ['岗位', '绩效', '潜力', '评语'],
  ['P7高级架构师', 'A/A-', '高', ''],
  ['P6资深测试工程师', 'B+/A', '中', '已有评语\n第二段'],
  ['M1运营主管', '', '待评估', ''],
  ['P5数据分析师', 'C/B'],
];

describe('WordHost: tables', () => {
  it('not in a table: a clear message', async () => {
    const { host } = setup({ body: BODY, selection: { cursor: 1 } });
    const r = await host.readTable();
    expect(r).toMatchObject({ ok: false, reason: 'not-in-table' });
    if (!r.ok) expect(r.message).toMatch(/表格/);
  });

  it('reads every row as cell text (merged title row, empty and multi-paragraph cells, short rows) and the header is found', async () => {
    const { host } = setup({ body: ['前言', TABLE, '结语'], selection: { table: 0, rows: [2, 2] } });
    const r = await host.readTable();
    if (!r.ok) throw new Error(r.message);
    expect(r.table.rows).toEqual(TABLE);
    const records = tableToRecords(r.table.rows);
    if (!records.ok) throw new Error(records.message);
    expect(records.headerRow).toBe(1);
    expect(records.header).toEqual(['岗位', '绩效', '潜力', '评语']);
    expect(r.table.selectedRows).toEqual([2]);
  });

  it('several selected rows (office-js #5388: getSelection reports only the last): all found via the selection matrix', async () => {
    const { host } = setup({ body: [TABLE], selection: { table: 0, rows: [2, 4] } });
    const r = await host.readTable();
    if (!r.ok) throw new Error(r.message);
    expect(r.table.selectedRows).toEqual([2, 3, 4]);
  });

  it('partly selected cells of several rows are matched too', async () => {
    const { host } = setup({ body: [TABLE], selection: { table: 0, rows: [3, 4], cells: [1, 2] } });
    const r = await host.readTable();
    if (!r.ok) throw new Error(r.message);
    expect(r.table.selectedRows).toEqual([3, 4]);
  });

  it('without the matrix, rows are worked out by comparing ranges (where Word reports the whole selection)', async () => {
    const { host } = setup({ body: [TABLE], selection: { table: 0, rows: [2, 3] }, matrix: false, fixed5388: true });
    const r = await host.readTable();
    if (!r.ok) throw new Error(r.message);
    expect(r.table.selectedRows).toEqual([2, 3]);
  });

  it('inserts a record into the designated column cell, keeping the cell\'s text, as tracked changes', async () => {
    const { mock, host } = setup({ body: [TABLE], selection: { table: 0, rows: [3, 3] }, trackingMode: 'Off' });
    const r = await host.readTable();
    if (!r.ok) throw new Error(r.message);
    const res = await host.apply([
      { auditId: 'row3', target: { kind: 'table-cell', tableId: r.table.tableId, rowIndex: 3, column: '评语' }, blocks: blocks(1) },
      { auditId: 'row2', target: { kind: 'table-cell', tableId: r.table.tableId, rowIndex: 2, column: '评语' }, blocks: blocks(2) },
    ]);
    expect(res.inserted).toEqual(['row3', 'row2']);
    const cell = mock.tables()[0]?.rows[3]?.[3];
    expect(cell?.paragraphs.map((p) => p.text)).toEqual(['已有评语', '第二段', '【第1节】', '第1节第一段。', '第1节第二段。']);
    expect(cell?.paragraphs.slice(2).every((p) => p.insertedUnder === 'TrackAll')).toBe(true);
    expect(mock.tables()[0]?.rows[2]?.[3]?.paragraphs).toHaveLength(1 + 6);
    expect(mock.controls.map((c) => c.tag)).toEqual([`${TAG_PREFIX}row3`, `${TAG_PREFIX}row2`]);
    expect(mock.trackingMode).toBe('Off');
  });

  it('a column that does not exist fails that row only', async () => {
    const { host } = setup({ body: [TABLE], selection: { table: 0, rows: [2, 2] } });
    const r = await host.readTable();
    if (!r.ok) throw new Error(r.message);
    const res = await host.apply([
      { auditId: 'bad', target: { kind: 'table-cell', tableId: r.table.tableId, rowIndex: 2, column: 'Comment' }, blocks: blocks(1) },
      { auditId: 'good', target: { kind: 'table-cell', tableId: r.table.tableId, rowIndex: 2, column: '评语' }, blocks: blocks(1) },
    ]);
    expect(res.inserted).toEqual(['good']);
    expect(res.failed.map((f) => f.auditId)).toEqual(['bad']);
  });

  it('inserts titled blocks below the table, in order, over several batches, with a constant number of syncs', async () => {
    const { mock, host } = setup({ body: ['前言', TABLE, '结语'], selection: { table: 0, rows: [2, 3] } });
    const r = await host.readTable();
    if (!r.ok) throw new Error(r.message);
    const plan = (row: number): InsertionPlan => ({ auditId: `r${row}`, target: { kind: 'after-table', tableId: r.table.tableId, title: `第${row + 1}行` }, blocks: blocks(1), audit: audit(`r${row}`, { rowIndex: row }) });
    const a = await host.apply([plan(2), plan(3)]);
    const b = await host.apply([plan(4)]);
    expect(a.roundTrips).toBe(b.roundTrips);
    expect(mock.outline()).toEqual([
      '前言', '[table]',
      '第3行', '【第1节】', '第1节第一段。', '第1节第二段。',
      '第4行', '【第1节】', '第1节第一段。', '第1节第二段。',
      '第5行', '【第1节】', '第1节第一段。', '第1节第二段。',
      '结语',
    ]);
    expect(mock.inserted().filter((p) => /^第\d行$/.test(p.text)).every((p) => p.style === 'Heading2')).toBe(true);
    expect((await host.readAudit()).map((x) => x.rowIndex)).toEqual([2, 3, 4]);
  });
});
