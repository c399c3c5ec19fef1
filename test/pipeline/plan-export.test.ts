/**
 * Insertion plans and audit exports built from real pipeline results (fixtures through generate with the
 * fake engine): what goes into Word, and what an analyst gets in Excel.
 */
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import talentJson from '../../../shared/fixtures/talent-reviews.json';
import exitJson from '../../../shared/fixtures/exit-interviews.json';
import { exitFixtures, exitZh, talentFixtures, talentZh } from '../../shared/output/test-fixtures';
import { AUDIT_CSV_HEADER, auditToCsv, auditToJson, CSV_BOM, csvField } from '../../shared/pipeline/audit-export';
import { generate } from '../../shared/pipeline/generate';
import { buildPlan, toParagraphs } from '../../shared/pipeline/plan';
import type { AuditRecord } from '../../shared/host/port';
import { FakeEngine } from '../doubles/fake-engine';

const tr1Row = (talentJson.cases[0] as unknown as { row: Record<string, string> }).row;
const tr1 = talentFixtures()[0];
const e1 = exitFixtures()[0];
if (!tr1 || !e1) throw new Error('fixtures missing');

async function talentResult(row = tr1Row, output = tr1?.text ?? '') {
  return generate({
    template: talentZh,
    source: { kind: 'table-row', fields: row, header: Object.keys(row), rowIndex: 2 },
    engine: new FakeEngine({ outputs: [output] }),
    modelId: 'qwen-fake',
  });
}

describe('buildPlan', () => {
  it('one block per section in template order, the template heading style, comments with confidence and sources', async () => {
    const result = await talentResult();
    const plan = buildPlan(result, talentZh, { kind: 'after-anchor', anchor: 'a1' });
    expect(plan.auditId).toBe(result.auditId);
    expect(plan.blocks.map((b) => b.heading)).toEqual(talentZh.sections.map((s) => s.heading));
    expect(plan.blocks.every((b) => b.headingStyle === 'Heading4')).toBe(true);
    expect(plan.blocks[0]?.paragraphs).toEqual(['超级明星']);
    expect(plan.blocks[0]?.comments).toEqual([{ anchorText: '超级明星', text: '9 超级明星 · 置信度 0.85 · 依据: 绩效=A/A-, 潜力=高' }]);
    expect(plan.blocks[3]?.comments[0]?.text).toBe('READY_1_2 1–2年 · 置信度 0.55 · 依据: 潜力=高, 跨团队协作=6/10');
    expect(plan.audit).toMatchObject({ auditId: result.auditId, rowIndex: 2, templateId: 'talent-review' });
  });

  it('no comments when the template does not ask to explain', async () => {
    const result = await generate({ template: exitZh, source: { kind: 'transcript', text: (exitJson.cases[0] as { source: string }).source }, engine: new FakeEngine({ outputs: [e1?.text ?? ''] }), modelId: 'm' });
    const plan = buildPlan(result, exitZh, { kind: 'after-anchor', anchor: 'a' });
    expect(plan.blocks.flatMap((b) => b.comments)).toEqual([]);
    // …but an exit template that explains comments every reason with its sources.
    const explained = buildPlan(result, { ...exitZh, explain: true }, { kind: 'after-anchor', anchor: 'a' });
    expect(explained.blocks[0]?.comments[0]?.text.split('\n')).toEqual([
      'COMP 薪酬福利 · primary 主要原因 · 置信度 0.90 · 依据: T2',
      'CAREER 职业发展与晋升 · secondary 次要原因 · 置信度 0.85 · 依据: T4',
      'LOC 通勤与工作地点 · secondary 次要原因 · 置信度 0.80 · 依据: T5',
      'EXT 获得外部机会 · trigger 触发因素 · 置信度 0.90 · 依据: T2',
    ]);
  });

  it('a multi-line body becomes paragraphs; a conflicted row says so in the comment', async () => {
    expect(toParagraphs('第一行\n\n  第二行 \r\n第三行')).toEqual(['第一行', '第二行', '第三行']);
    const row = { 岗位: 'P6产品经理', 绩效: 'A', 潜力: '高', 上级评价: '执行力偏弱' };
    const result = await talentResult(row);
    const plan = buildPlan(result, talentZh, { kind: 'table-cell', tableId: 't', rowIndex: 2, column: '评语' });
    expect(plan.blocks[0]?.comments[0]?.text).toMatch(/置信度 0\.51 .*字段相互矛盾/);
  });

  it('sections the model did not write are left out', async () => {
    const result = await talentResult(tr1Row, '【九宫格定位】\n超级明星');
    const plan = buildPlan(result, talentZh, { kind: 'after-anchor', anchor: 'a' });
    expect(plan.blocks.map((b) => b.heading)).toEqual(['【九宫格定位】']);
  });
});

describe('audit export', () => {
  it('CSV: BOM, header, one row per record, nine-box label, confidences, flags; Excel-safe quoting', async () => {
    const talent = await talentResult({ ...tr1Row, 备注: '在"核心"项目中,表现优秀\n第二段' });
    const exit = await generate({ template: exitZh, source: { kind: 'transcript', text: (exitJson.cases[2] as { source: string }).source }, engine: new FakeEngine({ outputs: [exitFixtures()[2]?.text ?? ''] }), modelId: 'm' });
    const records: AuditRecord[] = [
      { ...talent.audit, time: '2026-12-01T10:00:00.000Z' },
      { ...exit.audit, time: '2026-12-01T10:01:00.000Z' },
    ];
    const csv = auditToCsv(records, [talentZh, exitZh]);
    expect(csv.startsWith(CSV_BOM)).toBe(true);
    expect(csv.endsWith('\r\n')).toBe(true);
    const parsed = Papa.parse<string[]>(csv.slice(1), { skipEmptyLines: true });
    expect(parsed.errors).toEqual([]);
    const [header, t, e] = parsed.data;
    expect(header).toEqual([...AUDIT_CSV_HEADER]);
    const col = (row: string[] | undefined, name: string): string => row?.[AUDIT_CSV_HEADER.indexOf(name as (typeof AUDIT_CSV_HEADER)[number])] ?? '';
    expect(col(t, 'nine_box_cell')).toBe('9');
    expect(col(t, 'nine_box_label')).toBe('超级明星');
    expect(col(t, 'nine_box_confidence')).toBe('0.85');
    expect(col(t, 'succession_readiness')).toBe('READY_1_2');
    expect(col(t, 'row_index')).toBe('2');
    expect(col(e, 'reason_codes')).toBe('PERS-R;MGR;LOAD');
    // Counts by action, never the categories (BLOCK:HEALTH, ESCALATE:GENDER_MARITAL_ALLEGATION, THIRD_PARTY_NAME).
    expect(exit.flags.map((f) => f.flag)).toEqual(expect.arrayContaining(['BLOCK:HEALTH', 'ESCALATE:GENDER_MARITAL_ALLEGATION', 'THIRD_PARTY_NAME']));
    expect(Number(col(e, 'block_flags'))).toBeGreaterThanOrEqual(1);
    expect(Number(col(e, 'escalate_flags'))).toBeGreaterThanOrEqual(1);
    expect(Number(col(e, 'warn_flags'))).toBeGreaterThanOrEqual(1);
    expect(csv).not.toMatch(/HEALTH|GENDER_MARITAL|BLOCK:|ESCALATE:|WARN:/);
    expect(col(e, 'prompt_version')).toMatch(/^sys-[0-9a-f]{16}$/);
    expect(col(e, 'seed')).toMatch(/^\d+$/);
  });

  it('csvField quotes commas, quotes and line breaks, and defuses formulas', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('说"好"')).toBe('"说""好"""');
    expect(csvField('一\n二')).toBe('"一\n二"');
    expect(csvField('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"');
    expect(csvField(-0.5)).toBe('-0.5');
    expect(csvField(null)).toBe('');
  });

  it('JSON keeps each record without its text, evidence or categories; older records are reduced to counts', async () => {
    const r = await talentResult();
    const json = JSON.parse(auditToJson([{ ...r.audit, time: 't' }])) as { format: string; records: AuditRecord[] };
    expect(json.format).toBe('liuhen-audit');
    const { evidence: _e, evidenceDigest: _d, text: _t, ...kept } = r.audit;
    expect(json.records[0]).toEqual({ ...kept, time: 't' });
    const legacy: AuditRecord = { ...r.audit, time: 't', flags: [{ flag: 'BLOCK:MATERNITY', where: 'source' }, { flag: 'ESCALATE:HARASSMENT', where: 'source' }, { flag: 'LOW_INFORMATION', where: 'source' }] };
    delete legacy.flagCounts;
    const out = auditToJson([legacy]);
    expect(out).not.toMatch(/MATERNITY|HARASSMENT/);
    expect((JSON.parse(out) as { records: AuditRecord[] }).records[0]).toMatchObject({ flags: [{ flag: 'LOW_INFORMATION' }], flagCounts: { BLOCK: 1, WARN: 0, ESCALATE: 1 } });
  });
});
