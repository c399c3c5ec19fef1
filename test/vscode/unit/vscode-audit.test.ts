/**
 * VsCodeHost's audit trail against the `vscode` double: the "landed" check reads the document after the refactor
 * preview at the pieces' own places (regeneration is deterministic, so the same text may already be there), a
 * preview with unchecked sections is recorded as partial, the file beside the document is a hash chain without
 * protected-trait categories, and overlapping applies wait for each other.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { AuditRecord, InsertionPlan, PlanBlock } from '../../../shared/host/port';
import { verifyChain } from '../../../shared/pipeline/audit-chain';

vi.mock('vscode', () => import('../vscode-double'));

const vscode = await import('../vscode-double');
const { VsCodeHost, landedOf } = await import('../../../extension/src/vscode-host');
const { __test } = vscode;

const block = (heading: string, ...paragraphs: string[]): PlanBlock => ({ heading, headingStyle: 'Heading3', paragraphs, comments: [] });
const record = (auditId: string, extra: Partial<AuditRecord> = {}): AuditRecord => ({
  auditId,
  time: '',
  templateId: 'exit-interview',
  templateVersion: '1.0.0',
  templateLanguage: 'zh-CN',
  modelId: 'm',
  sourceHash: '',
  evidenceDigest: '0'.repeat(64),
  redactionCount: 0,
  flags: [{ flag: 'BLOCK:MATERNITY', where: 'source' }],
  ...extra,
});
const FILE = 'file:///hr/a.md.liuhen-audit.json';
const stored = (): string => new TextDecoder().decode(__test.files.get(FILE));

describe('VsCodeHost audit', () => {
  let host: InstanceType<typeof VsCodeHost>;
  beforeEach(() => {
    __test.reset();
    host = new VsCodeHost();
  });

  it('the same text already in the document (deterministic regeneration) does not make a discarded preview count as inserted', async () => {
    const text = '员工:通勤太远。\n';
    __test.open('/hr/a.md', 'markdown', text, [0, text.length - 1]);
    const snap = await host.readSelection();
    const plan = (id: string): InsertionPlan => ({ auditId: id, target: { kind: 'after-anchor', anchor: snap.anchor }, blocks: [block('【离职原因】', '通勤。')], audit: record(id) });
    expect((await host.apply([plan('first')])).inserted).toEqual(['first']);
    // Regenerated: identical text. The writer discards... then applies with the only entry unchecked.
    __test.review = 'discard';
    expect((await host.apply([plan('again')])).inserted).toEqual([]);
    __test.review = () => false;
    expect((await host.apply([plan('again2')])).inserted).toEqual([]);
    expect((await host.readAudit()).map((r) => r.auditId)).toEqual(['first']);
  });

  it('sections unchecked in the preview: the record says partial and keeps the text that landed', async () => {
    const text = '员工:通勤太远。\n';
    __test.open('/hr/a.md', 'markdown', text, [0, text.length - 1]);
    const snap = await host.readSelection();
    __test.review = (entry) => entry.metadata?.label !== '【意见建议】';
    const r = await host.apply([{ auditId: 'p1', target: { kind: 'after-anchor', anchor: snap.anchor }, blocks: [block('【离职原因】', '通勤。'), block('【意见建议】', '远程。')], audit: record('p1', { text: '【离职原因】\n通勤。\n【意见建议】\n远程。' }) }]);
    expect(r).toMatchObject({ inserted: ['p1'], partial: ['p1'] });
    const [rec] = await host.readAudit();
    expect(rec).toMatchObject({ event: 'inserted', insertion: 'partial' });
    expect(rec?.text).toContain('通勤。');
    expect(rec?.text).not.toContain('远程');
  });

  it('the file is a hash chain with a salt and no category; an edited record is detected', async () => {
    __test.open('/hr/a.md', 'markdown', '# x\n');
    await host.saveAudit([record('a1')]);
    await host.saveAudit([record('a2'), record('a3')]);
    expect(stored()).not.toContain('MATERNITY');
    let report = await verifyChain(await host.readAuditTrail());
    expect(report).toMatchObject({ count: 3, intact: true });
    expect(report.records[0]).toMatchObject({ flagCounts: { BLOCK: 1 }, seq: 0 });
    const file = JSON.parse(stored()) as { records: Array<Record<string, unknown>> };
    (file.records[1] as Record<string, unknown>)['modelId'] = 'forged';
    __test.files.set(FILE, new TextEncoder().encode(JSON.stringify(file, null, 1)));
    report = await verifyChain(await host.readAuditTrail());
    expect(report.firstBreak).toEqual({ position: 2, auditId: 'a2', kind: 'altered' });
    // An unreadable record is reported, not dropped, and the file is still appended to.
    (file.records[1] as Record<string, unknown>)['auditId'] = 42;
    __test.files.set(FILE, new TextEncoder().encode(JSON.stringify(file)));
    report = await verifyChain(await host.readAuditTrail());
    expect(report.unreadable).toEqual([{ position: 2, problem: 'fields missing' }]);
    await host.saveAudit([record('a4')]);
    expect((await host.readAuditTrail()).entries).toHaveLength(4);
  });

  it('overlapping applies wait for each other: each preview sees the document the previous one left', async () => {
    const text = '员工:通勤太远。\n';
    const editor = __test.open('/hr/a.md', 'markdown', text, [0, text.length - 1]);
    const snap = await host.readSelection();
    const plan = (id: string, body: string): InsertionPlan => ({ auditId: id, target: { kind: 'after-anchor', anchor: snap.anchor }, blocks: [block(`【${id}】`, body)], audit: record(id) });
    const results = await Promise.all([host.apply([plan('x1', '一')]), host.apply([plan('x2', '二')]), host.apply([plan('x3', '三')])]);
    expect(results.map((r) => r.inserted)).toEqual([['x1'], ['x2'], ['x3']]);
    const doc = editor.document.getText();
    for (const id of ['x1', 'x2', 'x3']) expect(doc.split(`【${id}】`)).toHaveLength(2);
    expect((await host.readAudit()).map((r) => r.auditId)).toEqual(['x1', 'x2', 'x3']);
    expect((await verifyChain(await host.readAuditTrail())).intact).toBe(true);
  });

  it('review after the preview, from the document text: accepted, edited (with the change count), deleted', async () => {
    const text = '员工:通勤太远。\n';
    const editor = __test.open('/hr/a.md', 'markdown', text, [0, text.length - 1]);
    const snap = await host.readSelection();
    const plan = (id: string, body: string): InsertionPlan => ({ auditId: id, target: { kind: 'after-anchor', anchor: snap.anchor }, blocks: [block(`【${id}】`, body, '第二段。')], audit: record(id) });
    await host.apply([plan('k1', '通勤距离过长。')]);
    await host.apply([plan('k2', '考虑远程办公。')]);
    await host.apply([plan('k3', '薪酬偏低。')]);
    const doc = editor.document;
    const replace = (from: string, to: string): void => {
      const at = doc.getText().indexOf(from);
      __test.type(doc, at, at + from.length, to);
    };
    replace('考虑远程办公。', '考虑每周两天远程办公。');
    replace(doc.getText().slice(doc.getText().indexOf('### 【k3】'), doc.getText().indexOf('### 【k3】') + '### 【k3】\n\n薪酬偏低。\n\n第二段。'.length), '');
    const review = await host.readReview(await host.readAudit());
    expect(review.supported).toBe(true);
    expect(review.states.map((s) => [s.ref, s.verdict, s.changeCount])).toEqual([
      ['k1', 'accepted', undefined],
      ['k2', 'edited', 4],
      ['k3', 'rejected', undefined],
    ]);
  });

  it('landedOf: exact places, not includes()', () => {
    const before = 'A\nB\n';
    const pieces = [
      { start: 2, end: 2, insert: 'X\n' },
      { start: 2, end: 2, insert: 'Y\n' },
      { start: 4, end: 4, insert: 'X\n' },
    ];
    expect(landedOf(before, 'A\nX\nY\nB\nX\n', pieces)).toEqual(pieces);
    expect(landedOf(before, 'A\nY\nB\n', pieces)).toEqual([pieces[1]]);
    expect(landedOf(before, 'A\nB\nX\n', pieces)).toEqual([pieces[2]]);
    expect(landedOf(before, before, pieces)).toEqual([]);
  });
});
