/**
 * VsCodeHost against the hand-written `vscode` double: what the writer sees in the document after generating from
 * a selection or a table, what the refactor preview is asked to confirm, and the audit file beside the document.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { InsertionPlan, PlanBlock } from '../../../shared/host/port';
import { tableToRecords } from '../../../shared/source';

vi.mock('vscode', () => import('../vscode-double'));

const vscode = await import('../vscode-double');
const { VsCodeHost, auditUriFor } = await import('../../../extension/src/vscode-host');

const { __test } = vscode;

function block(heading: string, ...paragraphs: string[]): PlanBlock {
  return { heading, headingStyle: 'Heading3', paragraphs, comments: [] };
}

const TRANSCRIPT = [
  '# 离职面谈 张三',
  '',
  'HR:你为什么决定离开?',
  '员工:主要是通勤太远,每天来回三个小时。',
  '',
  '## 备注',
  '',
].join('\n');

const selected = (text: string, part: string): [number, number] => {
  const start = text.indexOf(part);
  return [start, start + part.length];
};

const SELECTION = 'HR:你为什么决定离开?\n员工:主要是通勤太远,每天来回三个小时。';

describe('VsCodeHost: selection -> refactor preview', () => {
  let host: InstanceType<typeof VsCodeHost>;
  beforeEach(() => {
    __test.reset();
    host = new VsCodeHost();
  });

  it('reads the selected transcript and inserts each section after it, each entry needing confirmation', async () => {
    const editor = __test.open('/hr/zhang.md', 'markdown', TRANSCRIPT, selected(TRANSCRIPT, SELECTION));
    const snap = await host.readSelection();
    expect(snap.text).toBe(SELECTION);
    const plan: InsertionPlan = {
      auditId: 'a1',
      target: { kind: 'after-anchor', anchor: snap.anchor },
      blocks: [block('【离职原因】', '通勤距离过长。'), block('【意见建议】', '考虑远程办公。')],
    };
    const result = await host.apply([plan]);
    expect(result).toEqual({ inserted: ['a1'], failed: [], roundTrips: 1 });
    expect(editor.document.getText()).toBe(
      [
        '# 离职面谈 张三',
        '',
        'HR:你为什么决定离开?',
        '员工:主要是通勤太远,每天来回三个小时。',
        '',
        '### 【离职原因】',
        '',
        '通勤距离过长。',
        '',
        '### 【意见建议】',
        '',
        '考虑远程办公。',
        '',
        '## 备注',
        '',
      ].join('\n'),
    );
    const entries = __test.edits[0]?.entries ?? [];
    expect(entries.map((e) => e.metadata?.label)).toEqual(['【离职原因】', '【意见建议】']);
    expect(entries.every((e) => e.metadata?.needsConfirmation === true)).toBe(true);
    expect(entries[0]?.metadata?.description).toContain('a1');
  });

  it('still inserts after the selection when the writer edited above it meanwhile', async () => {
    const editor = __test.open('/hr/zhang.md', 'markdown', TRANSCRIPT, selected(TRANSCRIPT, SELECTION));
    const snap = await host.readSelection();
    __test.type(editor.document, 0, 0, '草稿\n\n');
    __test.select(editor, 0, 0); // the cursor moved away too
    await host.apply([{ auditId: 'a2', target: { kind: 'after-anchor', anchor: snap.anchor }, blocks: [block('【离职原因】', '通勤。')] }]);
    const text = editor.document.getText();
    expect(text.startsWith('草稿\n\n# 离职面谈 张三')).toBe(true);
    expect(text).toContain('每天来回三个小时。\n\n### 【离职原因】\n\n通勤。\n\n## 备注');
  });

  it('inserts model output as text: markup in it is escaped, never rendered', async () => {
    const editor = __test.open('/hr/zhang.md', 'markdown', TRANSCRIPT, selected(TRANSCRIPT, SELECTION));
    const snap = await host.readSelection();
    await host.apply([{ auditId: 'a3', target: { kind: 'after-anchor', anchor: snap.anchor }, blocks: [block('【离职原因】', '<img src=x onerror=alert(1)> [链接](http://x) *强调*', '# 不是标题')] }]);
    const text = editor.document.getText();
    expect(text).toContain('\\<img src=x onerror=alert(1)\\> \\[链接\\](http://x) \\*强调\\*');
    expect(text).toContain('\n\\# 不是标题');
    expect(text).not.toMatch(/(^|[^\\])<img/);
  });

  it('writes plain text into .txt documents (no Markdown markup)', async () => {
    const txt = '面谈记录\n员工:通勤太远。\n结束';
    const editor = __test.open('/hr/notes.txt', 'plaintext', txt, selected(txt, '员工:通勤太远。'));
    const snap = await host.readSelection();
    await host.apply([{ auditId: 'a4', target: { kind: 'after-anchor', anchor: snap.anchor }, blocks: [block('【离职原因】', '通勤 <距离> 过长。')] }]);
    expect(editor.document.getText()).toBe('面谈记录\n员工:通勤太远。\n\n【离职原因】\n\n通勤 <距离> 过长。\n\n结束');
  });

  it('reports a discarded preview as failed and changes nothing', async () => {
    const editor = __test.open('/hr/zhang.md', 'markdown', TRANSCRIPT, selected(TRANSCRIPT, SELECTION));
    const snap = await host.readSelection();
    __test.review = 'discard';
    const result = await host.apply([{ auditId: 'a5', target: { kind: 'after-anchor', anchor: snap.anchor }, blocks: [block('【离职原因】', '通勤。')] }]);
    expect(result.inserted).toEqual([]);
    expect(result.failed).toEqual([{ auditId: 'a5', message: expect.stringMatching(/discarded/) }]);
    expect(editor.document.getText()).toBe(TRANSCRIPT);
  });

  it('keeps the sections the writer left checked in the preview', async () => {
    const editor = __test.open('/hr/zhang.md', 'markdown', TRANSCRIPT, selected(TRANSCRIPT, SELECTION));
    const snap = await host.readSelection();
    __test.review = (entry) => entry.metadata?.label !== '【意见建议】';
    const result = await host.apply([{ auditId: 'a6', target: { kind: 'after-anchor', anchor: snap.anchor }, blocks: [block('【离职原因】', '通勤。'), block('【意见建议】', '远程。')] }]);
    expect(result.inserted).toEqual(['a6']);
    const text = editor.document.getText();
    expect(text).toContain('### 【离职原因】\n\n通勤。\n\n## 备注');
    expect(text).not.toContain('意见建议');
  });

  it('remembers the editor when the panel takes focus, and says what to do without one', async () => {
    await expect(host.readSelection()).rejects.toThrow(/Open a Markdown or text document/);
    __test.open('/hr/zhang.md', 'markdown', TRANSCRIPT, selected(TRANSCRIPT, SELECTION));
    __test.blurEditor(); // the writer clicked into the Liuhen view
    await expect(host.readSelection()).resolves.toMatchObject({ text: SELECTION });
  });

  it('refuses an unknown anchor with a message and inserts nothing', async () => {
    const editor = __test.open('/hr/zhang.md', 'markdown', TRANSCRIPT);
    const result = await host.apply([{ auditId: 'a7', target: { kind: 'after-anchor', anchor: 'selection:999' }, blocks: [block('【离职原因】', 'x')] }]);
    expect(result).toEqual({ inserted: [], failed: [{ auditId: 'a7', message: expect.stringMatching(/Select the text again/) }], roundTrips: 0 });
    expect(__test.edits).toHaveLength(0);
    expect(editor.document.getText()).toBe(TRANSCRIPT);
  });
});

const TABLE_DOC = [
  '# 人才盘点 2026',
  '',
  '| 姓名 | 绩效 | 潜力 | 评语 |',
  '| --- | --- | --- | --- |',
  '| 王五 | A | 高 | |',
  '| 赵六 | B \\| 稳定 | 中 | 已有评语 |',
  '| 孙七 | C | 低 |',
  '',
  '结尾段落。',
].join('\n');

describe('VsCodeHost: Markdown tables', () => {
  let host: InstanceType<typeof VsCodeHost>;
  beforeEach(() => {
    __test.reset();
    host = new VsCodeHost();
  });

  it('reads the table around the selection and which employees the selected lines cover', async () => {
    __test.open('/hr/review.md', 'markdown', TABLE_DOC, selected(TABLE_DOC, '王五 | A | 高 | |\n| 赵六'));
    const read = await host.readTable();
    if (!read.ok) throw new Error(read.message);
    expect(read.table.rows[0]).toEqual(['姓名', '绩效', '潜力', '评语']);
    expect(read.table.rows[2]).toEqual(['赵六', 'B | 稳定', '中', '已有评语']);
    expect(read.table.selectedRows).toEqual([1, 2]);
    const records = tableToRecords(read.table.rows);
    if (!records.ok) throw new Error(records.message);
    expect(records.records.map((r) => [r.rowIndex, r.fields['姓名']])).toEqual([[1, '王五'], [2, '赵六'], [3, '孙七']]);
  });

  it('says how to make a table when the cursor is not in one', async () => {
    __test.open('/hr/review.md', 'markdown', TABLE_DOC, [2, 2]);
    const read = await host.readTable();
    expect(read).toMatchObject({ ok: false, reason: 'not-in-table', message: expect.stringMatching(/header row/) });
  });

  it('appends a record to a cell, keeping the text already there', async () => {
    const editor = __test.open('/hr/review.md', 'markdown', TABLE_DOC, selected(TABLE_DOC, '赵六'));
    const read = await host.readTable();
    if (!read.ok) throw new Error(read.message);
    const result = await host.apply([
      { auditId: 'r1', target: { kind: 'table-cell', tableId: read.table.tableId, rowIndex: 1, column: '评语' }, blocks: [block('优势', '执行力强 | 可靠')] },
      { auditId: 'r2', target: { kind: 'table-cell', tableId: read.table.tableId, rowIndex: 2, column: '评语' }, blocks: [block('优势', '稳定')] },
      { auditId: 'r3', target: { kind: 'table-cell', tableId: read.table.tableId, rowIndex: 3, column: '评语' }, blocks: [block('发展', '需提升')] },
    ]);
    expect(result.inserted).toEqual(['r1', 'r2', 'r3']);
    const lines = editor.document.getText().split('\n');
    expect(lines[4]).toBe('| 王五 | A | 高 | **优势**<br>执行力强 \\| 可靠 |');
    expect(lines[5]).toBe('| 赵六 | B \\| 稳定 | 中 | 已有评语<br>**优势**<br>稳定 |');
    expect(lines[6]).toBe('| 孙七 | C | 低 | **发展**<br>需提升 |');
    // Still one table with the same rows.
    const again = await host.readTable();
    expect(again.ok && again.table.rows.length).toBe(4);
  });

  it('puts batch records below the table, one titled block per employee', async () => {
    const editor = __test.open('/hr/review.md', 'markdown', TABLE_DOC, selected(TABLE_DOC, '王五'));
    const read = await host.readTable();
    if (!read.ok) throw new Error(read.message);
    await host.apply([{ auditId: 'b1', target: { kind: 'after-table', tableId: read.table.tableId, title: '王五' }, blocks: [block('优势', '执行力强。')] }]);
    expect(editor.document.getText()).toContain('| 孙七 | C | 低 |\n\n## 王五\n\n### 优势\n\n执行力强。\n\n结尾段落。');
  });

  it('refuses to write into a table whose header changed since it was read', async () => {
    const editor = __test.open('/hr/review.md', 'markdown', TABLE_DOC, selected(TABLE_DOC, '王五'));
    const read = await host.readTable();
    if (!read.ok) throw new Error(read.message);
    const at = editor.document.getText().indexOf('评语 |');
    __test.type(editor.document, at, at + 2, '备注');
    const before = editor.document.getText();
    const result = await host.apply([{ auditId: 'c1', target: { kind: 'table-cell', tableId: read.table.tableId, rowIndex: 1, column: '评语' }, blocks: [block('优势', 'x')] }]);
    expect(result.failed[0]?.message).toMatch(/table changed/);
    expect(editor.document.getText()).toBe(before);
  });
});

describe('VsCodeHost: audit file beside the document', () => {
  let host: InstanceType<typeof VsCodeHost>;
  const record = (auditId: string) => ({
    auditId,
    time: '2026-12-01T10:00:00.000Z',
    templateId: 'exit-interview',
    templateVersion: '1.0.0',
    templateLanguage: 'zh-CN',
    modelId: 'Qwen2.5-1.5B-Instruct-q4f32_1-MLC',
    sourceHash: 'ab'.repeat(32),
    redactionCount: 1,
    flags: [{ flag: 'WARN:VAGUE_LABEL', where: 'output' as const }],
  });
  beforeEach(() => {
    __test.reset();
    host = new VsCodeHost();
  });

  it('appends records to <doc>.liuhen-audit.json and reads them back oldest first', async () => {
    __test.open('/hr/zhang.md', 'markdown', TRANSCRIPT);
    await host.saveAudit([record('a1')]);
    await host.saveAudit([record('a2')]);
    expect(auditUriFor(vscode.Uri.file('/hr/zhang.md') as never).path).toBe('/hr/zhang.md.liuhen-audit.json');
    const stored = JSON.parse(new TextDecoder().decode(__test.files.get('file:///hr/zhang.md.liuhen-audit.json')));
    expect(stored.format).toBe('liuhen-audit/2');
    expect((await host.readAudit()).map((r) => r.auditId)).toEqual(['a1', 'a2']);
  });

  it('stores the audit record a plan carries with its insertion, and only when the writer applied it', async () => {
    const text = '# 面谈\n\n员工:通勤太远。\n';
    __test.open('/hr/b.md', 'markdown', text, [text.indexOf('员工'), text.length - 1]);
    const snap = await host.readSelection();
    const plan = (auditId: string): InsertionPlan => ({ auditId, target: { kind: 'after-anchor', anchor: snap.anchor }, blocks: [block('【离职原因】', '通勤。')], audit: record(auditId) });
    __test.review = 'discard';
    await host.apply([plan('d1')]);
    expect(__test.files.size).toBe(0);
    __test.review = 'apply';
    const result = await host.apply([plan('k1')]);
    expect(result.inserted).toEqual(['k1']);
    expect(result.auditError).toBeUndefined();
    const stored = await host.readAudit();
    expect(stored.map((r) => r.auditId)).toEqual(['k1']);
    expect(stored[0]?.time).not.toBe('2026-12-01T10:00:00.000Z'); // the insertion's time
  });

  it('says so when inserted text\'s audit record cannot be stored', async () => {
    const text = '员工:通勤太远。';
    __test.open('/hr/c.md', 'markdown', text, [0, text.length]);
    __test.files.set('file:///hr/c.md.liuhen-audit.json', new TextEncoder().encode('not json'));
    const snap = await host.readSelection();
    const result = await host.apply([{ auditId: 'e1', target: { kind: 'after-anchor', anchor: snap.anchor }, blocks: [block('【离职原因】', '通勤。')], audit: record('e1') }]);
    expect(result.inserted).toEqual(['e1']);
    expect(result.auditError).toMatch(/inserted, but its audit record could not be stored.*not valid JSON/);
  });

  it('never overwrites a file that is not a Liuhen audit file', async () => {
    __test.open('/hr/zhang.md', 'markdown', TRANSCRIPT);
    const foreign = new TextEncoder().encode('{"mine": true}');
    __test.files.set('file:///hr/zhang.md.liuhen-audit.json', foreign);
    await expect(host.saveAudit([record('a1')])).rejects.toThrow(/not a Liuhen audit file.*unchanged/);
    expect(__test.files.get('file:///hr/zhang.md.liuhen-audit.json')).toBe(foreign);
  });

  it('keeps the trail of an untitled document in memory (there is no folder to write beside)', async () => {
    __test.open('untitled:Untitled-1', 'markdown', TRANSCRIPT);
    await host.saveAudit([record('u1')]);
    expect(__test.files.size).toBe(0);
    expect((await host.readAudit()).map((r) => r.auditId)).toEqual(['u1']);
  });
});
