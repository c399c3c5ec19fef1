/**
 * The audit trail (留痕) through WordHost and the Word double, with plans from the real pipeline: what is stored
 * in the document's custom XML part (no protected-trait category, a keyed hash of the redacted evidence, a hash
 * chain), what the writer's review shows (accepted / edited / rejected / pending), a tampered trail detected,
 * a partial insertion recorded, and overlapping insertions queued with the writer's tracking mode kept.
 */
import { afterEach, describe, expect, it } from 'vitest';
import exitJson from '../../../shared/fixtures/exit-interviews.json';
import talentJson from '../../../shared/fixtures/talent-reviews.json';
import categories from '../../shared/guard/terms/categories.json';
import type { InsertionPlan } from '../../shared/host/port';
import { exitFixtures, exitZh, talentFixtures, talentZh } from '../../shared/output/test-fixtures';
import { verifyChain } from '../../shared/pipeline/audit-chain';
import { auditToCsv, auditToJson } from '../../shared/pipeline/audit-export';
import { generate } from '../../shared/pipeline/generate';
import { buildPlan } from '../../shared/pipeline/plan';
import { FakeEngine } from '../../test/doubles/fake-engine';
import { WordMock, type WordMockOptions } from '../../test/doubles/office-mock';
import { readAuditPart } from './audit-xml';
import { TAG_PREFIX, WordHost } from './word-host';

let mock: WordMock | undefined;
afterEach(() => mock?.uninstall());

function setup(options: WordMockOptions = {}): { mock: WordMock; host: WordHost } {
  mock = new WordMock({ wordApi: '1.6', ...options }).install();
  return { mock, host: new WordHost({ now: () => new Date('2026-12-01T10:00:00Z') }) };
}

/** Every BLOCK and ESCALATE category of the guard's data: none may appear in stored or exported audit data. */
const PROTECTED = Object.entries((categories as unknown as { categories: Record<string, { action: string }> }).categories)
  .filter(([, c]) => c.action === 'BLOCK' || c.action === 'ESCALATE')
  .map(([name]) => name);

const BODY = ['面谈记录', '正文一', '正文二', '以上。'];

/** E3 (health, family planning, harassment allegation, retaliation fear) and TR4 (maternity) through the pipeline. */
async function results() {
  const e3 = exitJson.cases[2] as { source: string };
  const exit = await generate({ template: exitZh, source: { kind: 'transcript', text: e3.source }, engine: new FakeEngine({ outputs: [exitFixtures()[2]?.text ?? ''] }), modelId: 'qwen-fake', modelRevision: '3f2a9c1' });
  const tr4 = (talentJson.cases[3] as unknown as { row: Record<string, string> }).row;
  const talent = await generate({ template: talentZh, source: { kind: 'table-row', fields: tr4, header: Object.keys(tr4), rowIndex: 4 }, engine: new FakeEngine({ outputs: [talentFixtures()[3]?.text ?? ''] }), modelId: 'qwen-fake' });
  const tr2 = (talentJson.cases[1] as unknown as { row: Record<string, string> }).row;
  const plain = await generate({ template: talentZh, source: { kind: 'table-row', fields: tr2, header: Object.keys(tr2), rowIndex: 2 }, engine: new FakeEngine({ outputs: [talentFixtures()[1]?.text ?? ''] }), modelId: 'qwen-fake' });
  return { exit, talent, plain };
}

describe('WordHost audit: what the document stores', () => {
  it('no protected-trait or escalation category in the XML part or in the CSV / JSON exports; counts by action instead', async () => {
    const { mock, host } = setup({ body: BODY, selection: { paragraphs: [1, 1] } });
    const { exit, talent } = await results();
    expect(exit.flags.map((f) => f.flag)).toEqual(expect.arrayContaining(['BLOCK:HEALTH', 'ESCALATE:GENDER_MARITAL_ALLEGATION']));
    expect(talent.flags.map((f) => f.flag)).toContain('BLOCK:MATERNITY');
    const sel = await host.readSelection();
    const target = { kind: 'after-anchor' as const, anchor: sel.anchor };
    const r = await host.apply([buildPlan(exit, exitZh, target), buildPlan(talent, talentZh, target)]);
    expect(r.inserted).toHaveLength(2);
    const xml = mock.parts[0]?.xml ?? '';
    const records = await host.readAudit();
    const exports = [auditToCsv(records, [exitZh, talentZh]), auditToJson(records)];
    for (const text of [xml, ...exports]) {
      for (const category of PROTECTED) expect(text, category).not.toContain(category);
      expect(text).not.toMatch(/BLOCK:|ESCALATE:/);
    }
    expect(PROTECTED).toEqual(expect.arrayContaining(['MATERNITY', 'HEALTH', 'GENDER_MARITAL_ALLEGATION', 'LITIGATION']));
    expect(records[0]).toMatchObject({ event: 'inserted', insertion: 'whole', modelId: 'qwen-fake', modelRevision: '3f2a9c1', seed: expect.any(Number) as number });
    expect(records[0]?.flagCounts?.BLOCK).toBeGreaterThanOrEqual(2);
    expect(records[0]?.flagCounts?.ESCALATE).toBeGreaterThanOrEqual(1);
    expect(records[1]?.flagCounts).toMatchObject({ BLOCK: 1, WARN: 1 });
    expect(records[0]?.promptVersion).toMatch(/^sys-/);
    expect(records[0]?.textHash).toMatch(/^[0-9a-f]{64}$/);
    // The escalated record keeps no evidence (allegations stay out of the trail); the other keeps its redacted evidence.
    expect(records[0]?.evidence).toBeUndefined();
    expect(records[1]?.evidence).toBeDefined();
    expect(records[1]?.evidence).not.toMatch(/产假|休假/);
  });

  it('the source hash is keyed with the document salt: the plain hash of the source or of the evidence is not stored', async () => {
    const { mock, host } = setup({ body: BODY, selection: { paragraphs: [1, 1] } });
    const { plain } = await results();
    const sel = await host.readSelection();
    await host.apply([buildPlan(plain, talentZh, { kind: 'after-anchor', anchor: sel.anchor })]);
    const part = readAuditPart(mock.parts[0]?.xml);
    expect(part.salt).toMatch(/^[0-9a-f]{64}$/);
    const stored = part.entries[0]?.record;
    expect(stored?.sourceHash).toMatch(/^[0-9a-f]{64}$/);
    expect(stored?.sourceHash).not.toBe(plain.audit.evidenceDigest);
    expect(mock.parts[0]?.xml).not.toContain(plain.audit.evidenceDigest ?? 'x');
  });
});

describe('WordHost audit: the writer\'s review (WordApi 1.6 tracked changes, matched by content-control tag)', () => {
  it('follows records through insert, accept, edit, and reject of another; the trail records the verdicts', async () => {
    const { mock, host } = setup({ body: BODY, selection: { paragraphs: [1, 1] }, trackingMode: 'Off' });
    const { exit, talent, plain } = await results();
    const sel = await host.readSelection();
    const target = { kind: 'after-anchor' as const, anchor: sel.anchor };
    const plans = [buildPlan(plain, talentZh, target), buildPlan(talent, talentZh, target), buildPlan(exit, exitZh, target)];
    await host.apply(plans);
    const [a, b, c] = plans.map((p) => p.auditId) as [string, string, string];
    let review = await host.readReview(await host.readAudit());
    expect(review.supported).toBe(true);
    expect(review.states.map((s) => s.verdict)).toEqual(['pending', 'pending', 'pending']);

    // The writer accepts A, then edits it (tracking off); accepts B untouched; rejects C.
    mock.accept(`${TAG_PREFIX}${a}`);
    mock.edit(`${TAG_PREFIX}${a}`, 1, '核心骨干', '核心骨干成员');
    mock.accept(`${TAG_PREFIX}${b}`);
    mock.reject(`${TAG_PREFIX}${c}`);
    review = await host.readReview(await host.readAudit());
    const byRef = new Map(review.states.map((s) => [s.ref, s]));
    expect(byRef.get(a)).toMatchObject({ verdict: 'edited', changeCount: 2 });
    expect(byRef.get(b)).toMatchObject({ verdict: 'accepted' });
    expect(byRef.get(b)?.changeCount).toBeUndefined();
    expect(byRef.get(c)).toMatchObject({ verdict: 'rejected' });
  });

  it('without WordApi 1.6 it says so and reports what can be known (rejected, edited, or in the document)', async () => {
    const { mock, host } = setup({ body: BODY, selection: { paragraphs: [1, 1] }, wordApi: '1.4' });
    const { talent, plain } = await results();
    const sel = await host.readSelection();
    const target = { kind: 'after-anchor' as const, anchor: sel.anchor };
    const plans = [buildPlan(plain, talentZh, target), buildPlan(talent, talentZh, target)];
    await host.apply(plans);
    mock.reject(`${TAG_PREFIX}${plans[1]?.auditId ?? ''}`);
    const review = await host.readReview(await host.readAudit());
    expect(review.supported).toBe(false);
    expect(review.reason).toMatch(/1\.6/);
    expect(review.states.map((s) => s.verdict)).toEqual(['in-document', 'rejected']);
  });
});

describe('WordHost audit: tamper evidence', () => {
  async function trailWithThree(): Promise<{ mock: WordMock; host: WordHost }> {
    const s = setup({ body: BODY, selection: { paragraphs: [1, 1] } });
    const { exit, talent, plain } = await results();
    const sel = await s.host.readSelection();
    const target = { kind: 'after-anchor' as const, anchor: sel.anchor };
    await s.host.apply([buildPlan(plain, talentZh, target)]);
    await s.host.apply([buildPlan(talent, talentZh, target)]);
    await s.host.apply([buildPlan(exit, exitZh, target)]);
    return s;
  }

  it('an untouched trail: "3 records, chain intact"', async () => {
    const { host } = await trailWithThree();
    expect(await verifyChain(await host.readAuditTrail())).toMatchObject({ count: 3, intact: true, unreadable: [] });
  });

  it('a record edited in the document (model id changed) is named as the first altered record', async () => {
    const { mock, host } = await trailWithThree();
    const part = mock.parts[0] as { xml: string };
    const second = (await host.readAudit())[1];
    part.xml = part.xml.replace(/(<record>[^<]*?)&quot;modelId&quot;:&quot;qwen-fake&quot;([^<]*<\/record><record>[^<]*<\/record><\/audit>)$/, '$1&quot;modelId&quot;:&quot;other&quot;$2');
    expect(part.xml).toContain('&quot;modelId&quot;:&quot;other&quot;');
    const report = await verifyChain(await host.readAuditTrail());
    expect(report.intact).toBe(false);
    expect(report.firstBreak).toEqual({ position: 2, auditId: second?.auditId, kind: 'altered' });
  });

  it('a removed record is reported missing; an unreadable one is reported, never dropped', async () => {
    const { mock, host } = await trailWithThree();
    const part = mock.parts[0] as { xml: string };
    const original = part.xml;
    part.xml = original.replace(/<record>[^<]*<\/record>/, (m, offset: number) => (offset === original.indexOf('<record>') ? '' : m));
    let report = await verifyChain(await host.readAuditTrail());
    expect(report).toMatchObject({ count: 2, intact: false, firstBreak: { position: 1, kind: 'missing' } });
    part.xml = original.replace(/(<record>[^<]*<\/record>)(<record>)[^<]*(<\/record>)/, '$1$2{damaged$3');
    report = await verifyChain(await host.readAuditTrail());
    expect(report.count).toBe(3);
    expect(report.records).toHaveLength(2);
    expect(report.unreadable).toEqual([{ position: 2, problem: 'not valid JSON' }]);
  });
});

describe('WordHost audit: partial insertions and one insertion at a time', () => {
  it('Word failing after some paragraphs: the record says partial; the plans before it are whole, the ones after not written', async () => {
    const { mock, host } = setup({ body: BODY, selection: { paragraphs: [1, 1] }, trackingMode: 'TrackMineOnly' });
    const sel = await host.readSelection();
    const plan = (id: string): InsertionPlan => ({
      auditId: id,
      target: { kind: 'after-anchor', anchor: sel.anchor },
      blocks: [{ heading: `【${id}】`, headingStyle: 'Heading3', paragraphs: [`${id}一`, `${id}二`], comments: [] }],
      audit: { auditId: id, time: '', templateId: 't', templateVersion: '1', templateLanguage: 'zh-CN', modelId: 'm', sourceHash: '', evidenceDigest: '0'.repeat(64), redactionCount: 0, flags: [], text: `【${id}】\n${id}一\n${id}二` },
    });
    // Paragraphs 1-3 are plan A, 4-5 of plan B land, the 6th fails.
    mock.failures.set('insertParagraph', 0);
    const real = mock.failIf.bind(mock);
    let n = 0;
    mock.failIf = (op: string): void => {
      if (op === 'insertParagraph' && (n += 1) === 6) throw new Error('GeneralException: simulated failure in insertParagraph');
      real(op);
    };
    const r = await host.apply([plan('A'), plan('B'), plan('C')]);
    expect(r.inserted).toEqual(['A']);
    expect(r.partial).toEqual(['B']);
    expect(r.failed.map((f) => f.auditId)).toEqual(['B', 'C']);
    expect(mock.inserted().map((p) => p.text)).toEqual(['【A】', 'A一', 'A二', '【B】', 'B一']);
    expect(mock.trackingMode).toBe('TrackMineOnly');
    const records = await host.readAudit();
    expect(records.map((x) => [x.auditId, x.event, x.insertion])).toEqual([
      ['A', 'inserted', 'whole'],
      ['B', 'inserted', 'partial'],
    ]);
    expect((await verifyChain(await host.readAuditTrail())).intact).toBe(true);
  });

  it('a plan with nothing to insert fails alone: the others are inserted once and reported inserted', async () => {
    const { mock, host } = setup({ body: BODY, selection: { paragraphs: [1, 1] } });
    const sel = await host.readSelection();
    const target = { kind: 'after-anchor' as const, anchor: sel.anchor };
    const r = await host.apply([
      { auditId: 'ok1', target, blocks: [{ heading: 'H1', headingStyle: 'Heading3', paragraphs: ['p1'], comments: [] }] },
      { auditId: 'empty', target, blocks: [] },
      { auditId: 'ok2', target, blocks: [{ heading: 'H2', headingStyle: 'Heading3', paragraphs: ['p2'], comments: [] }] },
    ]);
    expect(r.inserted).toEqual(['ok1', 'ok2']);
    expect(r.failed.map((f) => f.auditId)).toEqual(['empty']);
    expect(mock.inserted().map((p) => p.text)).toEqual(['H1', 'p1', 'H2', 'p2']);
  });

  it('concurrent inserts are queued: the writer\'s mode is read once and restored, every row inserted exactly once', async () => {
    const { mock, host } = setup({ body: ['前言', [['岗位', '评语'], ...Array.from({ length: 6 }, (_, i) => [`P${i}`, ''])]], selection: { table: 0, rows: [1, 6] }, trackingMode: 'Off' });
    const t = await host.readTable();
    if (!t.ok) throw new Error(t.message);
    const plan = (row: number): InsertionPlan => ({
      auditId: `r${row}`,
      target: { kind: 'table-cell', tableId: t.table.tableId, rowIndex: row, column: '评语' },
      blocks: [{ heading: `第${row}行`, headingStyle: 'Heading4', paragraphs: ['正文'], comments: [] }],
      audit: { auditId: `r${row}`, time: '', templateId: 't', templateVersion: '1', templateLanguage: 'zh-CN', modelId: 'm', sourceHash: '', evidenceDigest: '0'.repeat(64), redactionCount: 0, flags: [], rowIndex: row },
    });
    // A batch inserting rows one by one while the writer clicks "Insert flagged rows" (rows 5 and 6).
    const results = await Promise.all([host.apply([plan(1)]), host.apply([plan(2)]), host.apply([plan(5), plan(6)]), host.apply([plan(3)]), host.apply([plan(4)])]);
    expect(results.flatMap((r) => r.inserted).sort()).toEqual(['r1', 'r2', 'r3', 'r4', 'r5', 'r6']);
    expect(results.flatMap((r) => r.failed)).toEqual([]);
    expect(mock.trackingMode).toBe('Off');
    // Read once at the start of the drain, restored once at its end: never "restored" to Liuhen's own TrackAll.
    expect(mock.modeHistory.filter((m) => m !== 'TrackAll')).toEqual(['Off']);
    expect(mock.modeHistory[mock.modeHistory.length - 1]).toBe('Off');
    const cells = mock.tables()[0]?.rows.slice(1).map((row) => row[1]?.paragraphs.length);
    expect(cells).toEqual([3, 3, 3, 3, 3, 3]);
    expect(mock.inserted().every((p) => p.insertedUnder === 'TrackAll')).toBe(true);
    const trail = await host.readAuditTrail();
    expect(trail.entries.map((e) => e.record?.auditId)).toEqual(['r1', 'r2', 'r5', 'r6', 'r3', 'r4']);
    expect((await verifyChain(trail)).intact).toBe(true);
  });

  it('records saved while insertions run (a copy, a review) are never lost: the part has one writer at a time', async () => {
    const { host } = setup({ body: BODY, selection: { paragraphs: [1, 1] } });
    const sel = await host.readSelection();
    const target = { kind: 'after-anchor' as const, anchor: sel.anchor };
    const audit = (id: string) => ({ auditId: id, time: '', templateId: 't', templateVersion: '1', templateLanguage: 'zh-CN', modelId: 'm', sourceHash: '', redactionCount: 0, flags: [] });
    const one = (id: string): InsertionPlan => ({ auditId: id, target, blocks: [{ heading: id, headingStyle: 'Heading3', paragraphs: ['x'], comments: [] }], audit: audit(id) });
    await Promise.all([host.apply([one('i1')]), host.saveAudit([{ ...audit('c1'), event: 'copied' }]), host.apply([one('i2')]), host.saveAudit([{ ...audit('c2'), event: 'copied' }]), host.apply([one('i3')])]);
    const trail = await host.readAuditTrail();
    expect(trail.entries.map((e) => e.record?.auditId).sort()).toEqual(['c1', 'c2', 'i1', 'i2', 'i3']);
    expect((await verifyChain(trail)).intact).toBe(true);
  });

  it('a failure in the middle of a queue still restores the writer\'s mode', async () => {
    const { mock, host } = setup({ body: BODY, selection: { paragraphs: [1, 1] }, trackingMode: 'TrackMineOnly' });
    const sel = await host.readSelection();
    const target = { kind: 'after-anchor' as const, anchor: sel.anchor };
    const one = (id: string): InsertionPlan => ({ auditId: id, target, blocks: [{ heading: id, headingStyle: 'Heading3', paragraphs: ['x'], comments: [] }] });
    mock.failures.set('insertContentControl', 1);
    const results = await Promise.all([host.apply([one('a')]), host.apply([one('b')]), host.apply([{ ...one('c'), target: { kind: 'after-anchor', anchor: 'gone' } }])]);
    expect(results.map((r) => r.inserted)).toEqual([[], ['b'], []]);
    expect(mock.trackingMode).toBe('TrackMineOnly');
    expect(mock.modeHistory[mock.modeHistory.length - 1]).toBe('TrackMineOnly');
  });
});
