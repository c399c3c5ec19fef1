/**
 * The pipeline end to end with a scripted engine: every synthetic fixture goes through generate() with the
 * fake engine replaying the fixture's expected record, and we check what a writer (and an auditor) would
 * notice: the record's structure, the flags, what never reaches the model nor the record.
 */
import { describe, expect, it } from 'vitest';
import exitJson from '../../../shared/fixtures/exit-interviews.json';
import talentJson from '../../../shared/fixtures/talent-reviews.json';
import { exitFixtures, talentFixtures, exitZh, talentZh, englishExit, englishTalent, exitEn, talentEn } from '../../shared/output/test-fixtures';
import { buildMessages, generate, promptTokens } from '../../shared/pipeline/generate';
import { escalationLine } from '../../shared/pipeline/evidence';
import type { GenerationResult, PipelineSource } from '../../shared/pipeline/types';
import type { Template } from '../../shared/templates/schema';
import { EngineError } from '../../shared/engine/errors';
import { FakeEngine } from '../doubles/fake-engine';

interface ExitCase {
  id: string;
  kind: 'transcript' | 'notes';
  source: string;
  expected: { flags: string[]; must_not_contain: string[]; redactions?: Array<{ type: string }> };
}
interface TalentCase {
  id: string;
  row: Record<string, string>;
  expected: { flags: string[]; must_not_contain: string[] };
}

const exitCases = exitJson.cases as unknown as ExitCase[];
const talentCases = talentJson.cases as unknown as TalentCase[];

function rowSource(row: Record<string, string>, rowIndex = 1): PipelineSource {
  return { kind: 'table-row', fields: row, header: Object.keys(row), rowIndex };
}

function allText(r: GenerationResult): string {
  return [...Object.values(r.sections), JSON.stringify(r.fields ?? null), JSON.stringify(r.audit)].join('\n');
}

/** What the engine was told about the employee: the user messages (the system prompt is the template's own text). */
function promptText(engine: FakeEngine): string {
  return engine.requests.flatMap((q) => q.messages.filter((m) => m.role === 'user').map((m) => m.content)).join('\n');
}

async function run(template: Template, source: PipelineSource, output: string, engine = new FakeEngine({ outputs: [output] })) {
  const result = await generate({ template, source, engine, modelId: 'fake-model' });
  return { result, engine };
}

describe('generate: exit-interview fixtures', () => {
  const outputs = new Map(exitFixtures().map((f) => [f.id, f]));
  for (const c of exitCases) {
    it(`${c.id}: structure, flags, nothing forbidden reaches the model or the record`, async () => {
      const fixture = outputs.get(c.id);
      if (!fixture) throw new Error(`no fixture output for ${c.id}`);
      const { result, engine } = await run(exitZh, { kind: c.kind, text: c.source }, fixture.text);
      expect(result.finishReason).toBe('stop');
      expect(result.problems).toEqual([]);
      expect(Object.keys(result.sections)).toEqual(exitZh.sections.map((s) => s.key));
      // A source with an allegation gets the fixed neutral escalation line after the last section's body.
      const escalated = c.expected.flags.some((f) => f.startsWith('ESCALATE:'));
      const last = exitZh.sections[exitZh.sections.length - 1]?.key ?? '';
      const expected = { ...fixture.sections };
      if (escalated) expected[last] = `${expected[last] ?? ''}\n${escalationLine('zh', ['员工关系/合规部门'])}`;
      expect(result.sections).toEqual(expected);
      const flags = result.flags.map((f) => f.flag);
      for (const f of c.expected.flags) expect(flags).toContain(f);
      for (const r of c.expected.redactions ?? []) expect(result.redactions.map((x) => x.type)).toContain(r.type);
      expect(result.audit.redactionCount).toBe(result.redactions.length);
      for (const forbidden of c.expected.must_not_contain) {
        expect(promptText(engine)).not.toContain(forbidden);
        expect(allText(result)).not.toContain(forbidden);
      }
      // Deterministic by default, constrained by the template's grammar.
      const request = engine.requests[0];
      expect(request?.temperature).toBe(0);
      expect(request?.seed).toBeTypeOf('number');
      expect(request?.responseFormat?.type).toBe('grammar');
      expect(result.requests).toBe(1);
    });
  }

  // Was: "the allegation itself stays" in the prompt. DESIGN.md and issue 13: allegations are escalated, not
  // summarised — the sentence is withheld and the record gets a fixed neutral line naming who handles it.
  it('E3: escalations ask for review; protected and allegation sentences are withheld; the record gets the neutral line', async () => {
    const c = exitCases.find((x) => x.id === 'E3');
    const fixture = outputs.get('E3');
    if (!c || !fixture) throw new Error('E3 missing');
    const { result, engine } = await run(exitZh, { kind: c.kind, text: c.source }, fixture.text);
    expect(result.review).toContain('escalation');
    expect(result.withheld?.map((w) => w.where)).toEqual(expect.arrayContaining(['T2', 'T3', 'T5']));
    expect(result.withheld?.some((w) => (w.handlers ?? []).some((h) => h.includes('员工关系')))).toBe(true);
    const prompt = promptText(engine);
    expect(prompt).not.toContain('女生结了婚就不适合跑外地项目');
    expect(prompt).toContain('[此处为员工反映的需另行处理的事项,已略去]');
    expect(prompt).toContain('[此处涉及个人敏感信息,已略去]');
    expect(Object.values(result.sections).join('\n')).toMatch(/反映了需另行核实的事项,已转交员工关系\/合规部门处理/);
  });

  it('E4: sparse notes are flagged LOW_INFORMATION and the ID number is redacted before prompting', async () => {
    const c = exitCases.find((x) => x.id === 'E4');
    const fixture = outputs.get('E4');
    if (!c || !fixture) throw new Error('E4 missing');
    const { result, engine } = await run(exitZh, { kind: c.kind, text: c.source }, fixture.text);
    expect(result.flags).toContainEqual({ flag: 'LOW_INFORMATION', where: 'source' });
    expect(result.redactions[0]?.checksumValid).toBe(true);
    expect(promptText(engine)).toContain('[身份证号已隐去]');
  });

  it('E1 is not low-information and raises no guard flag', async () => {
    const c = exitCases.find((x) => x.id === 'E1');
    const fixture = outputs.get('E1');
    if (!c || !fixture) throw new Error('E1 missing');
    const { result } = await run(exitZh, { kind: c.kind, text: c.source }, fixture.text);
    expect(result.flags.filter((f) => f.where === 'source')).toEqual([]);
    expect(result.review).toEqual([]);
  });
});

describe('generate: talent-review fixtures', () => {
  const outputs = new Map(talentFixtures().map((f) => [f.id, f]));
  for (const c of talentCases) {
    it(`${c.id}: structure, flags, nothing forbidden reaches the model or the record`, async () => {
      const fixture = outputs.get(c.id);
      if (!fixture) throw new Error(`no fixture output for ${c.id}`);
      const { result, engine } = await run(talentZh, rowSource(c.row, 3), fixture.text);
      expect(result.problems).toEqual([]);
      expect(Object.keys(result.sections)).toEqual(talentZh.sections.map((s) => s.key));
      expect(result.audit.rowIndex).toBe(3);
      const flags = result.flags.map((f) => f.flag);
      // MISSING:<a>/<b> in the fixtures names fields the built-in template does not expect (see TR1 below).
      for (const f of c.expected.flags.filter((x) => !x.startsWith('MISSING:'))) expect(flags).toContain(f);
      for (const forbidden of c.expected.must_not_contain) {
        expect(promptText(engine)).not.toContain(forbidden);
        expect(allText(result)).not.toContain(forbidden);
      }
      // The digest is of the redacted evidence (the host keys it with the document's salt when storing).
      expect(result.audit.evidenceDigest).toMatch(/^[0-9a-f]{64}$/);
      expect(result.audit.flags.map((f) => f.flag).filter((f) => /^(BLOCK|WARN|ESCALATE):/.test(f))).toEqual([]);
      expect(result.audit.flagCounts?.BLOCK ?? 0).toBe(new Set(flags.filter((f) => f.startsWith('BLOCK:'))).size);
    });
  }

  it('TR1: MISSING:<field> for each expected field the row lacks', async () => {
    const c = talentCases.find((x) => x.id === 'TR1');
    const fixture = outputs.get('TR1');
    if (!c || !fixture) throw new Error('TR1 missing');
    // The fixture expects 目标岗位/职业意向/流失风险: a company template that expects those fields.
    const template: Template = { ...talentZh, expectedFields: [...talentZh.expectedFields, '目标岗位', '职业意向', '流失风险'] };
    const { result } = await run(template, rowSource(c.row), fixture.text);
    const missing = result.flags.filter((f) => f.flag.startsWith('MISSING:')).map((f) => f.flag);
    expect(missing).toEqual(['MISSING:目标岗位', 'MISSING:职业意向', 'MISSING:流失风险']);
  });

  it('TR3: placeholders (—, 待评估) count as missing', async () => {
    const c = talentCases.find((x) => x.id === 'TR3');
    const fixture = outputs.get('TR3');
    if (!c || !fixture) throw new Error('TR3 missing');
    const { result } = await run(talentZh, rowSource(c.row), fixture.text);
    expect(result.flags.map((f) => f.flag)).toEqual(expect.arrayContaining(['MISSING:绩效', 'MISSING:潜力', 'MISSING_DATA']));
    expect(result.flags.find((f) => f.flag === 'MISSING_DATA')?.where).toBe('fields');
  });

  it('TR4: the maternity-leave remark is withheld from the model and flagged', async () => {
    const c = talentCases.find((x) => x.id === 'TR4');
    const fixture = outputs.get('TR4');
    if (!c || !fixture) throw new Error('TR4 missing');
    const { result, engine } = await run(talentZh, rowSource(c.row), fixture.text);
    expect(result.withheld).toEqual([{ where: '备注', reasons: ['BLOCK:MATERNITY'] }]);
    expect(promptText(engine)).not.toContain('备注');
    expect(promptText(engine)).toContain('学习敏锐度: 9/10');
    expect(result.flags).toContainEqual({ flag: 'BLOCK:MATERNITY', where: 'source' });
    // The remark is gone from the evidence, so it cannot contradict the high potential.
    expect(result.flags.map((f) => f.flag)).not.toContain('FIELD_CONFLICT');
  });

  it('high potential with a negative manager remark: FIELD_CONFLICT, confidences lowered', async () => {
    const row = { 岗位: 'P6产品经理', 绩效: 'A', 潜力: '高', 上级评价: '执行力偏弱,多次未按期交付' };
    const fixture = outputs.get('TR1');
    if (!fixture) throw new Error('TR1 missing');
    const { result } = await run(talentZh, rowSource(row), fixture.text);
    expect(result.flags).toContainEqual({ flag: 'FIELD_CONFLICT', where: 'source' });
    expect(result.conflicts?.[0]?.fields).toEqual(['绩效', '潜力', '上级评价']);
    const fields = result.fields as { nine_box: { confidence: number }; strengths: { confidence: number }; flags: string[] };
    const original = fixture.fields as { nine_box: { confidence: number }; strengths: { confidence: number } };
    expect(fields.nine_box.confidence).toBeLessThan(original.nine_box.confidence);
    expect(fields.strengths.confidence).toBeLessThan(original.strengths.confidence);
    expect(fields.flags).toContain('FIELD_CONFLICT');
  });

  it('a consistent row raises no FIELD_CONFLICT', async () => {
    const c = talentCases.find((x) => x.id === 'TR2');
    const fixture = outputs.get('TR2');
    if (!c || !fixture) throw new Error('TR2 missing');
    const { result } = await run(talentZh, rowSource(c.row), fixture.text);
    expect(result.flags.map((f) => f.flag)).not.toContain('FIELD_CONFLICT');
    expect(result.fields).toEqual(fixture.fields);
  });
});

describe('generate: what can go wrong', () => {
  const e1 = exitCases[0];
  if (!e1) throw new Error('no E1');
  const e1Source: PipelineSource = { kind: 'transcript', text: e1.source };

  it('malformed output: problems are typed and listed, nothing throws', async () => {
    const { result } = await run(exitZh, e1Source, '好的,以下是记录:\n【离职原因】\n员工因薪酬离职。\n【结构化信息】\n{"reasons": [oops');
    expect(result.finishReason).toBe('stop');
    const codes = result.problems.map((p) => p.code);
    expect(codes).toContain('missing-section');
    expect(codes.some((c) => c.startsWith('fields-'))).toBe(true);
    expect(result.review).toContain('contract-problems');
    expect(result.sections['reasons']).toBe('员工因薪酬离职。');
  });

  it('empty output: every required section is reported missing', async () => {
    const { result } = await run(exitZh, e1Source, '');
    expect(result.problems.filter((p) => p.code === 'missing-section').map((p) => ('key' in p ? p.key : ''))).toEqual(['reasons', 'experience', 'suggestions']);
  });

  it('the output guard catches protected traits the model wrote', async () => {
    const fixture = exitFixtures()[0];
    if (!fixture) throw new Error('no fixture');
    const bad = fixture.text.replace('员工主要因薪酬', '员工在备孕,主要因薪酬');
    const { result } = await run(exitZh, e1Source, bad);
    expect(result.outputHits.map((h) => h.flag)).toContain('BLOCK:FAMILY_PLANNING');
    expect(result.flags).toContainEqual({ flag: 'BLOCK:FAMILY_PLANNING', where: 'output' });
    expect(result.review).toContain('blocked-terms');
  });

  it('cancel mid-stream: finishReason abort, partial previews seen, fewer chunks than the output', async () => {
    const fixture = exitFixtures()[0];
    if (!fixture) throw new Error('no fixture');
    const engine = new FakeEngine({ outputs: [fixture.text], chunkSize: 2 });
    const controller = new AbortController();
    let partials = 0;
    const result = await generate({
      template: exitZh,
      source: e1Source,
      engine,
      modelId: 'fake',
      signal: controller.signal,
      onPartial: (partial, raw) => {
        partials += 1;
        if (partial.sections.length >= 1 && raw.length > 20) controller.abort();
      },
    });
    expect(result.finishReason).toBe('abort');
    expect(partials).toBeGreaterThan(0);
    expect(result.raw.length).toBeLessThan(fixture.text.length);
    expect(fixture.text.startsWith(result.raw)).toBe(true);
  });

  it('already cancelled: nothing is sent', async () => {
    const engine = new FakeEngine({ outputs: ['x'] });
    const controller = new AbortController();
    controller.abort();
    const result = await generate({ template: exitZh, source: e1Source, engine, modelId: 'fake', signal: controller.signal });
    expect(result.finishReason).toBe('abort');
    expect(engine.requests).toHaveLength(0);
  });

  it('truncated output (max tokens) asks for review', async () => {
    const fixture = exitFixtures()[0];
    if (!fixture) throw new Error('no fixture');
    const engine = new FakeEngine({ outputs: [{ text: fixture.text.slice(0, 40), finishReason: 'length' }] });
    const result = await generate({ template: exitZh, source: e1Source, engine, modelId: 'fake' });
    expect(result.finishReason).toBe('length');
    expect(result.review).toContain('truncated');
  });

  it('engine failures reject with the typed engine error', async () => {
    const engine = new FakeEngine({ outputs: ['x'] });
    engine.failNext(new EngineError('device-lost'));
    await expect(generate({ template: exitZh, source: e1Source, engine, modelId: 'fake' })).rejects.toMatchObject({ code: 'device-lost' });
  });

  it('sampling can be overridden', async () => {
    const engine = new FakeEngine({ outputs: [''] });
    await generate({ template: exitZh, source: e1Source, engine, modelId: 'fake', temperature: 0.7, seed: 7 });
    expect(engine.requests[0]).toMatchObject({ temperature: 0.7, seed: 7 });
  });
});

describe('generate: long sources', () => {
  const fixture = exitFixtures()[0];
  if (!fixture) throw new Error('no fixture');
  const turn = (i: number): string =>
    `T${i} 员工:第${i}次谈到薪酬和晋升的问题,我觉得调薪节奏太慢,晋升标准也不透明,希望公司能把答辩反馈写得具体一些,这样大家都知道差在哪里。`;
  const long = Array.from({ length: 80 }, (_, i) => turn(i + 1)).join('\n');
  const isCondense = (text: string): boolean => text.includes('把材料压缩成要点');

  it('a source over the context window is condensed part by part, then the record is written from the notes', async () => {
    const window = 2048;
    expect(promptTokens(buildMessages(exitZh, { kind: 'transcript', text: long }))).toBeGreaterThan(window);
    const engine = new FakeEngine({
      contextWindow: window,
      respond: (request, call) => (isCondense(request.messages[0]?.content ?? '') ? `N${call + 1}: 员工反映调薪慢、晋升标准不透明(T${call + 1})` : fixture.text),
    });
    const steps: string[] = [];
    const result = await generate({
      template: exitZh,
      source: { kind: 'transcript', text: long },
      engine,
      modelId: 'fake',
      onStep: (s) => steps.push(s.step === 'condense' ? `condense ${s.part}/${s.count}` : 'record'),
    });
    const condenseCalls = engine.requests.filter((q) => isCondense(q.messages[0]?.content ?? ''));
    expect(condenseCalls.length).toBeGreaterThan(1);
    expect(result.requests).toBe(engine.requests.length);
    expect(result.problems).toEqual([]);
    expect(result.sections).toEqual(fixture.sections);
    // Every prompt fitted the window (the fake engine refuses one that does not, like WebLLM).
    for (const q of engine.requests) expect(promptTokens(q.messages) + q.maxTokens).toBeLessThanOrEqual(window);
    const last = engine.requests[engine.requests.length - 1];
    expect(last?.messages[1]?.content).toContain('员工反映调薪慢');
    expect(last?.responseFormat?.type).toBe('grammar');
    expect(steps).toEqual([...condenseCalls.map((_, i) => `condense ${i + 1}/${condenseCalls.length}`), 'record']);
    // Together the parts cover the whole source, once.
    const parts = condenseCalls.map((q) => q.messages[1]?.content ?? '').join('\n');
    for (let i = 1; i <= 80; i += 1) expect(parts).toContain(`T${i} 员工:`);
  });

  it('condensed notes pass the guard again before the record prompt', async () => {
    const engine = new FakeEngine({
      contextWindow: 2048,
      respond: (request) => (isCondense(request.messages[0]?.content ?? '') ? 'N1: 员工反映调薪慢(T2)\nN2: 员工在备孕(T3)\nN3: 王经理不支持(T4)' : fixture.text),
    });
    await generate({ template: exitZh, source: { kind: 'transcript', text: long }, engine, modelId: 'fake' });
    const record = engine.requests[engine.requests.length - 1]?.messages[1]?.content ?? '';
    expect(record).toContain('员工反映调薪慢');
    expect(record).not.toContain('备孕');
    expect(record).not.toContain('王经理');
  });

  it('when the engine still refuses the prompt (context-overflow), the pipeline condenses instead of failing', async () => {
    let refused = false;
    const engine = new FakeEngine({
      contextWindow: 8192,
      respond: (request) => (isCondense(request.messages[0]?.content ?? '') ? 'N1: 要点(T2)' : fixture.text),
    });
    const original = engine.generate.bind(engine);
    engine.generate = (request) => {
      if (!refused && !isCondense(request.messages[0]?.content ?? '')) {
        refused = true;
        engine.failNext(new EngineError('context-overflow', { contextWindow: 8192 }));
      }
      return original(request);
    };
    const result = await generate({ template: exitZh, source: e1Like(), engine, modelId: 'fake' });
    expect(refused).toBe(true);
    expect(result.problems).toEqual([]);
    expect(engine.requests.some((q) => isCondense(q.messages[0]?.content ?? ''))).toBe(true);
  });

  it('cancel during the condense step stops everything', async () => {
    const controller = new AbortController();
    const engine = new FakeEngine({
      contextWindow: 2048,
      respond: (request) => {
        if (isCondense(request.messages[0]?.content ?? '')) controller.abort();
        return 'N1: 要点';
      },
    });
    const result = await generate({ template: exitZh, source: { kind: 'transcript', text: long }, engine, modelId: 'fake', signal: controller.signal });
    expect(result.finishReason).toBe('abort');
    expect(engine.requests).toHaveLength(1);
  });

  function e1Like(): PipelineSource {
    return { kind: 'transcript', text: exitCases[0]?.source ?? '' };
  }
});

describe('generate: English templates', () => {
  it('an English transcript: phone redacted with an English placeholder, names withheld, record parsed', async () => {
    const fixture = englishExit();
    const text = [
      'T1 HR: What made you decide to leave?',
      'T2 Employee: Mostly pay. The new offer is about 30% higher. Call me on 13800138000 if anything comes up.',
      'T3 Employee: My manager John Smith never explained why my promotion review failed.',
      'T4 Employee: Colleagues and mentoring were great, but requirements changed all the time.',
    ].join('\n');
    const engine = new FakeEngine({ outputs: [fixture.text] });
    const result = await generate({ template: exitEn, source: { kind: 'transcript', text }, engine, modelId: 'm' });
    expect(result.problems).toEqual([]);
    expect(result.sections).toEqual(fixture.sections);
    const prompt = promptText(engine);
    expect(prompt).not.toContain('13800138000');
    expect(result.redactions.map((r) => r.type)).toContain('CN_MOBILE');
    expect(prompt).toContain('Write the record from this interview transcript.');
  });

  it('an English table row: MISSING flags by the English expected fields', async () => {
    const fixture = englishTalent();
    const row = { Role: 'Senior architect', Performance: 'A', Potential: 'N/A (new hire)', 'Technical depth': '9/10' };
    const engine = new FakeEngine({ outputs: [fixture.text] });
    const result = await generate({ template: talentEn, source: { kind: 'table-row', fields: row, header: Object.keys(row), rowIndex: 1 }, engine, modelId: 'm' });
    expect(result.flags).toContainEqual({ flag: 'MISSING:Potential', where: 'source' });
    expect(result.problems).toEqual([]);
  });
});

describe('buildMessages', () => {
  it('is exactly the prompt generate sends for a source that fits', async () => {
    const c = talentCases[3];
    if (!c) throw new Error('no TR4');
    const source = rowSource(c.row);
    const engine = new FakeEngine({ outputs: [''] });
    await generate({ template: talentZh, source, engine, modelId: 'fake' });
    expect(engine.requests[0]?.messages).toEqual(buildMessages(talentZh, source));
  });
});
