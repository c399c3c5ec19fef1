import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderOutput } from '../../shared/output';
import { buildMessages } from '../../shared/pipeline';
import { TemplateRegistry, type Template } from '../../shared/templates';
import { FakeEngine } from '../../test/doubles/fake-engine';
import { buildDataset } from '../dataset/build';
import { readRecords } from '../dataset/read';
import { CaseReadError, readCases } from './cases';
import { evaluateGenerations, readGenerations, renderCompareTable, resolveGenerations } from './compare';
import { OpenAiCompatibleEngine as PaneOpenAiEngine } from '../../shared/engine/openai-engine';
import { startOpenAiTestServer } from '../../test/doubles/openai-server';
import { connectOpenAiEngine, PROMPT_MISMATCH, ReplayEngine } from './engines';
import { evaluate, renderEvalReport, type EvalCase } from './evaluate';
import { lcsLength, rougeL } from './rouge';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const CASES = path.join(import.meta.dirname, 'samples', 'exit-interview.zh-CN.cases.jsonl');
const SAMPLE_CSV = path.join(ROOT, 'models', 'dataset', 'samples', 'exit-interview.zh-CN.csv');
const template = new TemplateRegistry().get('exit-interview', 'zh-CN') as Template;
const cases = readCases(readFileSync(CASES, 'utf8'), 'cases.jsonl');

describe('character-level ROUGE-L', () => {
  it('scores the longest common subsequence of characters, ignoring whitespace', () => {
    expect(lcsLength([...'abcde'], [...'ace'])).toBe(3);
    const r = rougeL('ace', 'abcde');
    expect([r.precision, r.recall]).toEqual([1, 0.6]);
    expect(r.f1).toBeCloseTo(0.75, 12);
    expect(rougeL('员工因薪酬离职', '员工 因 薪酬 离职').f1).toBe(1);
    expect(rougeL('员工因通勤离职', '员工因薪酬离职').f1).toBeCloseTo(5 / 7);
    expect(rougeL('', 'abc').f1).toBe(0);
    expect(rougeL('', '').f1).toBe(1);
  });
});

describe('reading evaluation cases', () => {
  it('reads the dataset builder\'s val.jsonl lines and labelled case lines', () => {
    const built = buildDataset(template, readRecords(readFileSync(SAMPLE_CSV), SAMPLE_CSV));
    const fromDataset = readCases(built.validationJsonl, 'val.jsonl');
    expect(fromDataset).toHaveLength(1);
    expect(fromDataset[0]).toEqual({
      id: `row-${built.validation[0]?.row}`,
      kind: 'transcript',
      source: built.validation[0]?.source,
      reference: built.validation[0]?.messages[2].content,
    });
    expect(cases.map((c) => c.id)).toEqual(['E1', 'E2', 'E3', 'E4']);
    expect(cases[2]?.flags).toContain('ESCALATE:GENDER_MARITAL_ALLEGATION');
    expect(cases[0]?.mustNotContain).toContain('13800138000');
  });

  it('names the line of a bad case', () => {
    expect(() => readCases('{"source":"a"}\n{"kind":"notes"}\n', 'x.jsonl')).toThrow(new CaseReadError('x.jsonl:2: "source" must be a non-empty string'));
    expect(() => readCases('{"messages":[{"role":"assistant","content":"x"}]}\n', 'v.jsonl')).toThrow('v.jsonl:1: a chat line needs "meta.source"');
    expect(() => readCases('\n', 'e.jsonl')).toThrow('e.jsonl: no cases');
  });
});

describe('evaluate() through the real pipeline', () => {
  it('replay baseline: the approved references keep the contract, raise every labelled flag and leak nothing', async () => {
    const report = await evaluate({ template, cases, engineFor: (c) => new ReplayEngine(c.reference ?? ''), engine: 'replay', modelId: 'replay' });
    expect(report.summary).toMatchObject({
      cases: 4,
      failedRuns: 0,
      contractPassRate: 1,
      repairedPassRate: 1,
      lengthViolations: { cases: 0, total: 0 },
      mustNotContainLeaks: { cases: 0, total: 0, casesChecked: 4 },
      personalDataLeaks: { cases: 0, total: 0 },
      flagRecall: { labelledCases: 4, expected: 9, found: 9, recall: 1 },
      rougeL: { cases: 4, meanF1: 1, minF1: 1 },
    });
    expect(renderEvalReport(report)).toContain('Baseline: the replay engine answers every case with its own reference record');
  });

  it('a bad model is caught: broken contract, over-limit text, leaks, missed flags, low ROUGE-L', async () => {
    const leaky =
      '好的,以下是记录:\n【离职原因】\n' + '员工因薪酬离职,王经理不支持,电话138 0013 8000。'.repeat(8) + '\n【在职体验】\n员工评价一般。';
    const e2 = cases.find((c) => c.id === 'E2') as EvalCase;
    const e1 = cases.find((c) => c.id === 'E1') as EvalCase;
    const report = await evaluate({ template, cases: [e1, e2], engineFor: () => new FakeEngine({ outputs: [leaky] }), engine: 'fake', modelId: 'bad' });
    const s = report.summary;
    expect(s.contractPassRate).toBe(0);
    expect(s.repairedPassRate).toBe(0);
    expect(s.lengthViolations.cases).toBe(2);
    expect(s.mustNotContainLeaks).toMatchObject({ cases: 2, total: 2 }); // E1's phone, E2's 王经理
    expect(s.personalDataLeaks.cases).toBe(2);
    expect(s.flagRecall.missed).toEqual({ CONTRADICTION: 1 }); // E2's model flag; THIRD_PARTY_NAME comes from the guard
    expect(s.rougeL.meanF1 ?? 1).toBeLessThan(0.5);
    const text = renderEvalReport(report);
    expect(text).toContain('| E1 | FAIL | FAIL |');
    expect(text).not.toContain('138 0013 8000'); // the report never repeats a leaked value
  });

  it('evaluates a model served with an OpenAI-compatible API (the pane\'s own client, over SSE), and counts a failing server as engine failures', async () => {
    const e4 = cases.find((c) => c.id === 'E4')?.reference ?? '';
    const server = await startOpenAiTestServer({ models: { 'acme-exit': 4096 }, reply: () => Array.from(e4) });
    try {
      const engine = await connectOpenAiEngine({ baseUrl: server.baseUrl, model: 'acme-exit' });
      expect(engine).toBeInstanceOf(PaneOpenAiEngine); // one client, not two
      expect(engine.contextWindow()).toBe(4096);
      const e4cases = cases.filter((c) => c.id === 'E4');
      const ok = await evaluate({ template, cases: e4cases, engineFor: () => engine, engine: 'openai', modelId: 'acme-exit' });
      expect(ok.summary.contractPassRate).toBe(1);
      expect(ok.summary.rougeL.meanF1).toBe(1);
      const body = server.requests[0];
      expect(body?.model).toBe('acme-exit');
      expect(body?.messages.map((m) => m.role)).toEqual(['system', 'user']);
      // The server got the pipeline's prompt (redacted ID number, the source's turn ids) and the pane's grammar.
      expect(body?.messages[1]?.content).toContain('N1');
      expect(body?.messages[1]?.content).not.toContain('230102199108172034');
      expect(body?.structured_outputs?.grammar).toMatch(/^root ::= /m);
      server.set({ failWith: { status: 503, message: 'overloaded', on: 'chat' } });
      const failed = await evaluate({ template, cases: e4cases, engineFor: () => engine, engine: 'openai', modelId: 'acme-exit' });
      expect(failed.summary.failedRuns).toBe(1);
      expect(failed.summary.contractPassRate).toBe(0);
    } finally {
      await server.close();
    }
  });
});

describe('npm run eval', () => {
  const run = (args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts', 'eval.ts'), ...args], { cwd: ROOT, encoding: 'utf8' });

  it('writes the report for the sample cases with the replay engine, and gates on --min-contract', () => {
    const out = mkdtempSync(path.join(tmpdir(), 'liuhen-eval-'));
    const r = run(['--data', CASES, '--template', 'exit-interview', '--lang', 'zh-CN', '--engine', 'replay', '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('eval: 4 cases via replay');
    expect(r.stdout).toContain('contract 100.0%');
    expect(readFileSync(path.join(out, 'eval-report.md'), 'utf8')).toContain('| flag recall (labelled cases) | 100.0% (9/9 flags, 4 cases) |');

    const bad = path.join(out, 'bad.jsonl');
    const broken = renderOutput(template, { reasons: '员工因薪酬离职。', experience: '评价正面。' });
    writeFileSync(bad, `${JSON.stringify({ id: 'x', source: 'T2 员工: 钱少', reference: broken })}\n`);
    const gated = run(['--data', bad, '--template', 'exit-interview', '--lang', 'zh-CN', '--engine', 'replay', '--out', out, '--min-contract', '0.9']);
    expect(gated.status).toBe(1);
    expect(gated.stdout).toContain('contract 0.0%');
    const noRef = path.join(out, 'noref.jsonl');
    writeFileSync(noRef, `${JSON.stringify({ id: 'y', source: 'T2 员工: 钱少' })}\n`);
    expect(run(['--data', noRef, '--template', 'exit-interview', '--engine', 'replay']).stderr).toContain('needs a reference record for every case; missing: y');
  }, 60_000); // spawns tsx: slow on a loaded machine
});

describe('judging a model on its own generations (liuhen_models generate → --outputs / --compare)', () => {
  const profile = { profile: 'compact' as const, fields: true };
  const cases = readCases(readFileSync(CASES, 'utf8'), 'cases.jsonl').slice(0, 2);
  const line = (c: EvalCase, output: string, messages = buildMessages(template, { kind: c.kind, text: c.source }, { style: 'compact', fields: true })) =>
    JSON.stringify({ ...c, must_not_contain: c.mustNotContain, model: 'ft', profile, messages, output, prompt_tokens: 150, completion_tokens: 90, finish_reason: 'stop' });

  it('scores each model through the pipeline and prints one table, a column per model', async () => {
    const good = cases.map((c) => line(c, c.reference ?? '')).join('\n');
    const bad = cases.map((c) => line(c, '好的,以下是记录:\n' + (c.reference ?? ''))).join('\n');
    const a = await evaluateGenerations(template, readGenerations(good, 'ft-v2.jsonl', 'ft-v2'));
    const b = await evaluateGenerations(template, readGenerations(bad, 'ft-v1.jsonl', 'ft-v1'));
    expect(a.report.summary.contractPassRate).toBe(1);
    expect(b.report.summary.contractPassRate).toBe(0); // a preamble breaks the raw contract…
    expect(b.report.summary.repairedPassRate).toBe(1); // …and the pipeline's repair removes it
    const table = renderCompareTable([b, a]);
    expect(table.split('\n')[0]).toBe('| metric | ft-v1 | ft-v2 |');
    expect(table).toContain('| raw output keeps the contract | 0.0% | 100.0% |');
    expect(table).toContain('| prompt profile | compact | compact |');
    expect(table).toContain('| prompt mismatches | 0 | 0 |');
  });

  it('refuses to score output whose prompt is not the one the pipeline would send (another profile)', async () => {
    const full = cases.map((c) => line(c, c.reference ?? '', buildMessages(template, { kind: c.kind, text: c.source }))).join('\n');
    const r = await evaluateGenerations(template, readGenerations(full, 'x.jsonl'));
    expect(r.mismatchedPrompts).toBe(2);
    expect(r.report.cases[0]?.error).toBe(PROMPT_MISMATCH);
  });

  it('finds --compare names in the generations folder, or takes name=file', () => {
    expect(resolveGenerations('base', '/d/generations')).toEqual({ label: 'base', file: path.join('/d/generations', 'base.jsonl') });
    expect(resolveGenerations('v1=/x/a.jsonl', '/d')).toEqual({ label: 'v1', file: '/x/a.jsonl' });
  });
});

describe('the decoding helper of liuhen_models generate (models/eval/decode-server.ts)', () => {
  it('builds the pipeline prompt for the profile and masks tokens with the pane\'s grammar in web-llm\'s xgrammar', () => {
    // A character vocabulary: each token one character; the last one is the stop token.
    const vocab = [...'【】离职原因在体验意见建议员工薪酬。\n', '<eos>'];
    const id = (c: string): number => vocab.indexOf(c);
    const requests = [
      { op: 'init', template: 'exit-interview', lang: 'zh-CN', profile: { profile: 'compact', fields: false }, vocab, vocabType: 'raw', vocabSize: vocab.length, stop: [vocab.length - 1] },
      { op: 'prompt', kind: 'transcript', source: 'T2 员工: 钱少' },
      { op: 'start' },
      { op: 'accept', token: id('【') },
      { op: 'accept', token: id('职') }, // the heading is 【离职原因】: 职 cannot follow 【
    ];
    const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'models', 'eval', 'decode-server.ts')], {
      cwd: ROOT,
      input: requests.map((q) => JSON.stringify(q)).join('\n') + '\n',
      encoding: 'utf8',
    });
    expect(r.status).toBe(0);
    const [init, prompt, start, accept1, accept2] = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(init).toMatchObject({ ok: true, templateId: 'exit-interview', profile: { style: 'compact', fields: false } });
    expect(prompt?.messages).toEqual(buildMessages(template, { kind: 'transcript', text: 'T2 员工: 钱少' }, { style: 'compact', fields: false }));
    const allowed = (mask: unknown): string[] => {
      const words = new Int32Array(Uint8Array.from(Buffer.from(String(mask), 'base64')).buffer);
      return vocab.filter((_, i) => (((words[i >> 5] ?? 0) >>> (i & 31)) & 1) === 1);
    };
    expect(allowed(start?.mask)).toEqual(['【']);
    expect(accept1).toMatchObject({ accepted: true, terminated: false });
    expect(allowed(accept1?.mask)).toEqual(['离']);
    expect(accept2).toMatchObject({ accepted: false });
  }, 60_000); // spawns tsx and loads the xgrammar wasm
});

describe('npm run eval on a seed-format dataset', () => {
  it('judges with the data card\'s prompt profile: sections-only references keep their (fields-less) contract', () => {
    const seed = path.join(ROOT, 'models', 'dataset', 'samples', 'exit-interview.seed.zh-CN.csv');
    const built = buildDataset(template, readRecords(readFileSync(seed), seed));
    const dir = mkdtempSync(path.join(tmpdir(), 'liuhen-eval-seed-'));
    writeFileSync(path.join(dir, 'val.jsonl'), built.validationJsonl);
    writeFileSync(path.join(dir, 'data-card.json'), JSON.stringify(built.card));
    const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts', 'eval.ts'), '--data', path.join(dir, 'val.jsonl'), '--template', 'exit-interview', '--lang', 'zh-CN', '--engine', 'replay'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('prompt profile compact, no fields');
    expect(r.stdout).toContain('contract 100.0%');
  }, 60_000); // spawns tsx
});
