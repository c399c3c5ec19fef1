/**
 * Talent review ratings come from the data: the nine-box cell is computed from the row's performance and
 * potential with the template's own scales and grid, the model only explains it and cannot override it, a row
 * the data cannot place is "not placed" with what is missing, and a row with too little information gets no
 * draft at all (no engine call).
 */
import { describe, expect, it } from 'vitest';
import talentJson from '../../../shared/fixtures/talent-reviews.json';
import { talentEn, talentFixtures, talentZh } from '../../shared/output/test-fixtures';
import { renderOutput } from '../../shared/output/parse';
import { generate } from '../../shared/pipeline/generate';
import { describePlacement, placeNineBox } from '../../shared/pipeline/ninebox';
import { buildPlan } from '../../shared/pipeline/plan';
import type { PipelineSource } from '../../shared/pipeline/types';
import { parseTemplate, type Template } from '../../shared/templates';
import { FakeEngine } from '../doubles/fake-engine';

interface TalentCase {
  id: string;
  row: Record<string, string>;
  expected: { nine_box: { cell: number | null; label: string } };
}
const cases = talentJson.cases as unknown as TalentCase[];

function rowSource(row: Record<string, string>): PipelineSource {
  return { kind: 'table-row', fields: row, header: Object.keys(row), rowIndex: 1 };
}

describe('nine-box placement from the data', () => {
  for (const c of cases) {
    it(`${c.id}: the fixture's expected cell (${String(c.expected.nine_box.cell)} ${c.expected.nine_box.label}) is what the mapping computes`, () => {
      const p = placeNineBox(talentZh, c.row);
      expect(p).toBeDefined();
      expect(p!.placed ? p!.cell : null).toBe(c.expected.nine_box.cell);
      expect(p!.label).toBe(c.expected.nine_box.label);
    });
  }

  it('says which values it rests on, and what is missing when it cannot place a row', () => {
    expect(describePlacement(talentZh, placeNineBox(talentZh, cases[0]!.row)!)).toBe('9 超级明星(绩效“A/A-”→高;潜力“高”→高)');
    const tr3 = placeNineBox(talentZh, cases[2]!.row)!;
    expect(tr3.placed).toBe(false);
    expect(describePlacement(talentZh, tr3)).toBe('暂不落格:绩效无评级(“—(试用期未参评)”);潜力无评级(“待评估”)');
    const noPotential = placeNineBox(talentZh, { 岗位: '工程师', 绩效: 'A' })!;
    expect(describePlacement(talentZh, noPotential)).toBe('暂不落格:缺少潜力字段(潜力)');
    const offScale = placeNineBox(talentEn, { Role: 'Engineer', Performance: 'Superb', Potential: 'High' })!;
    expect(describePlacement(talentEn, offScale)).toMatch(/^Not placed: Performance value "Superb" is not on the company's scale/);
  });

  it('several periods combine by the scale rule (lowest by default; the company may choose the latest)', () => {
    expect(placeNineBox(talentZh, { 绩效: 'C/B', 潜力: '高' })).toMatchObject({ cell: 7 });
    const latest = parseTemplate(
      { ...JSON.parse(JSON.stringify(talentZh)), nineBox: { ...talentZh.nineBox, performance: { ...talentZh.nineBox!.performance, combine: 'last' } } },
      'latest.json',
    );
    if (!latest.ok) throw new Error(JSON.stringify(latest.problems));
    expect(placeNineBox(latest.template, { 绩效: 'C/B', 潜力: '高' })).toMatchObject({ cell: 8 });
  });

  it("uses the company's own grid and labels (template data, not code)", () => {
    const json = JSON.parse(JSON.stringify(talentEn)) as Template;
    json.taxonomies['nineBox'] = [
      ...'ABCDEFGHI'.split('').map((code) => ({ code, label: `Box ${code}` })),
    ];
    json.nineBox = { ...json.nineBox!, grid: { high: ['G', 'H', 'I'], medium: ['D', 'E', 'F'], low: ['A', 'B', 'C'] } };
    const r = parseTemplate(json, 'acme.json');
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    expect(placeNineBox(r.template, { Performance: 'Meets', Potential: 'High' })).toMatchObject({ placed: true, cell: 'H', label: 'Box H' });
  });

  it('a grid cell that is not in the taxonomy is a template error', () => {
    const json = JSON.parse(JSON.stringify(talentZh)) as Template;
    json.nineBox = { ...json.nineBox!, grid: { ...json.nineBox!.grid, high: [7, 8, 10] } };
    const r = parseTemplate(json, 'bad.json');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems.map((p) => p.field)).toContain('nineBox.grid.high[2]');
  });
});

describe('generate: the model explains the cell and cannot change it', () => {
  const outputs = new Map(talentFixtures().map((f) => [f.id, f]));

  it('a model output claiming another cell is overridden by the computed one (and the writer is told)', async () => {
    const tr1 = cases[0]!;
    const fixture = outputs.get('TR1')!;
    // The model claims cell 5 (core contributor) with its own sources, for a row the data puts in cell 9.
    const claimed = { ...fixture.fields, nine_box: { cell: 5, confidence: 0.99, sources: ['技术深度'] } };
    const engine = new FakeEngine({ outputs: [renderOutput(talentZh, fixture.sections, claimed)] });
    const result = await generate({ template: talentZh, source: rowSource(tr1.row), engine, modelId: 'fake' });
    const fields = result.fields as { nine_box: { cell: unknown; sources: string[] } };
    expect(fields.nine_box.cell).toBe(9);
    expect(fields.nine_box.sources).toEqual(['绩效', '潜力']);
    expect(result.repaired.some((l) => l.startsWith('nine_box.cell: 5 → 9'))).toBe(true);
    expect(result.audit.fields).toEqual(result.fields);
    // The model was told the computed cell, with the values it rests on…
    const user = engine.requests[0]!.messages.find((m) => m.role === 'user')!.content;
    expect(user).toContain('九宫格(按公司规则计算): 9 超级明星(绩效“A/A-”→高;潜力“高”→高)');
    // …and the constrained-decoding grammar only allows that cell (or null).
    const format = engine.requests[0]!.responseFormat as { grammar?: string } | undefined;
    expect(format?.grammar).toMatch(/^enum-nineBox-or-null ::= "9" \| "null"$/m);
  });

  it('a row the data cannot place gets cell null and MISSING_DATA whatever the model wrote', async () => {
    const fixture = outputs.get('TR3')!;
    const claimed = { ...fixture.fields, nine_box: { cell: 8, confidence: 0.9, sources: ['360反馈'] }, flags: [] };
    const engine = new FakeEngine({ outputs: [renderOutput(talentZh, fixture.sections, claimed)] });
    const result = await generate({ template: talentZh, source: rowSource(cases[2]!.row), engine, modelId: 'fake' });
    const fields = result.fields as { nine_box: { cell: unknown }; flags: string[] };
    expect(fields.nine_box.cell).toBeNull();
    expect(fields.flags).toContain('MISSING_DATA');
    expect(result.nineBox).toMatchObject({ placed: false, label: '暂不落格' });
  });

  it("each conclusion's comment shows the exact field values it rests on", async () => {
    const fixture = outputs.get('TR1')!;
    const engine = new FakeEngine({ outputs: [fixture.text] });
    const result = await generate({ template: talentZh, source: rowSource(cases[0]!.row), engine, modelId: 'fake' });
    const plan = buildPlan(result, talentZh, { kind: 'after-anchor', anchor: 'a1' });
    const comments = plan.blocks.flatMap((b) => b.comments.map((c) => c.text));
    expect(comments[0]).toContain('绩效=A/A-');
    expect(comments[0]).toContain('潜力=高');
    expect(comments.some((c) => c.includes('跨团队协作=6/10'))).toBe(true);
  });

  it('a row with too little information: LOW_INFORMATION, a refusal to draft, and no engine call', async () => {
    const engine = new FakeEngine({ outputs: ['should never be asked'] });
    const result = await generate({ template: talentZh, source: rowSource({ 姓名: '员工甲', 岗位: '运营专员', 绩效: '—', 潜力: '待评估' }), engine, modelId: 'fake' });
    expect(engine.callCount).toBe(0);
    expect(result.requests).toBe(0);
    expect(result.flags.map((f) => f.flag)).toContain('LOW_INFORMATION');
    expect(result.refusal?.message).toMatch(/^信息不足,未起草评语/);
    expect(result.sections).toEqual({});
    expect(buildPlan(result, talentZh, { kind: 'after-anchor', anchor: 'a1' }).blocks).toEqual([]);
  });

  it('the talent fixtures still draft (they have enough information)', async () => {
    for (const c of cases) {
      const engine = new FakeEngine({ outputs: [outputs.get(c.id)!.text] });
      const result = await generate({ template: talentZh, source: rowSource(c.row), engine, modelId: 'fake' });
      expect(result.refusal, c.id).toBeUndefined();
      expect(engine.callCount, c.id).toBe(1);
    }
  });
});

describe('batch: a thin row is refused, not inserted', () => {
  it('even with insertFlagged, the LOW_INFORMATION row gets no engine call and nothing is inserted for it', async () => {
    const { BatchRunner } = await import('../../shared/pipeline/batch');
    const { MemoryHost } = await import('../ui/memory-host');
    const fixture = talentFixtures().find((f) => f.id === 'TR2')!;
    const engine = new FakeEngine({ outputs: [fixture.text] });
    const host = new MemoryHost();
    const header = ['岗位', '绩效', '潜力', '专业能力', '带人意愿'];
    const records = [
      { rowIndex: 1, fields: { 岗位: '运营专员', 绩效: '—', 潜力: '待评估', 专业能力: '', 带人意愿: '' } },
      { rowIndex: 2, fields: cases[1]!.row },
    ];
    const b = new BatchRunner({
      template: talentZh,
      engine,
      modelId: 'fake',
      header,
      records,
      host,
      insertFlagged: true,
      target: (row) => ({ kind: 'table-cell', tableId: 't', rowIndex: row.rowIndex, column: '评语' }),
    });
    const final = await b.start();
    expect(final.rows.map((r) => r.status)).toEqual(['flagged', 'done']);
    expect(engine.callCount).toBe(1);
    const inserted = host.applied.flat().map((p) => p.target);
    expect(inserted).toEqual([{ kind: 'table-cell', tableId: 't', rowIndex: 2, column: '评语' }]);
  });
});
