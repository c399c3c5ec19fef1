import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { promptProfileOf } from '../../shared/engine/model-record';
import { parseOutput, renderOutput, renderRecord } from '../../shared/output';
import { generate, promptTokens } from '../../shared/pipeline';
import { TemplateRegistry, type Template } from '../../shared/templates';
import { FakeEngine } from '../../test/doubles/fake-engine';
import { buildDataset, exampleLine, sha256, splitExamples, type BuildOptions } from './build';
import { DatasetReadError, readRecords } from './read';
import { renderReport } from './report';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const SAMPLE = path.join(import.meta.dirname, 'samples', 'exit-interview.zh-CN.csv');
const SAMPLE_SEED = path.join(import.meta.dirname, 'samples', 'exit-interview.seed.zh-CN.csv');
const SAMPLE_CHAT = path.join(import.meta.dirname, 'samples', 'exit-interview.zh-CN.chat.jsonl');
const template = new TemplateRegistry().get('exit-interview', 'zh-CN') as Template;
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

interface Fixture {
  id: string;
  kind: 'transcript' | 'notes';
  source: string;
}
const fixtures = (JSON.parse(readFileSync(path.join(ROOT, '..', 'shared', 'fixtures', 'exit-interviews.json'), 'utf8')) as { cases: Fixture[] }).cases;

/** A record that keeps the zh-CN exit-interview contract. */
function record(reasons: string, experience = '员工对团队氛围评价正面。', suggestions = '建议优化流程。', code = 'COMP'): string {
  return renderOutput(template, { reasons, experience, suggestions }, {
    reasons: [{ code, role: 'primary', stated: true, confidence: 0.9, sources: ['T2'] }],
    flags: [],
  });
}

function csv(rows: Array<[string, string]>): Uint8Array {
  return enc(Papa.unparse({ fields: ['input', 'output'], data: rows }));
}

function build(rows: Array<[string, string]>, options: BuildOptions = {}) {
  return buildDataset(template, readRecords(csv(rows), 'records.csv'), options);
}

describe('reading the records file', () => {
  it('reads quotes, commas and newlines inside cells, a BOM and CRLF line ends exactly', () => {
    const text =
      '\uFEFFinput,output\r\n' +
      '"T1 HR: 为什么离开?\r\nT2 员工: 钱少, ""晋升""慢","out 1"\r\n' +
      '\r\n' +
      'plain input,"out, with comma"\r\n';
    const r = readRecords(enc(text), 'records.csv');
    expect(r.problems).toEqual([]);
    expect(r.rows).toEqual([
      { row: 1, line: 2, input: 'T1 HR: 为什么离开?\r\nT2 员工: 钱少, "晋升"慢', output: 'out 1' },
      { row: 2, line: 5, input: 'plain input', output: 'out, with comma' },
    ]);
  });

  it('refuses wrong columns and says which are missing and which are unknown', () => {
    expect(() => readRecords(enc('question,answer\na,b\n'), 'x.csv')).toThrow(DatasetReadError);
    expect(() => readRecords(enc('question,answer\na,b\n'), 'x.csv')).toThrow(
      'wrong columns: missing columns input, output; unknown columns question, answer. The first line must be the header "input,output"',
    );
    expect(() => readRecords(enc('input,output,output\na,b,c\n'), 'x.csv')).toThrow('repeated column output');
    // The optional kind column is allowed.
    expect(readRecords(enc('input,output,kind\na,b,notes\n'), 'x.csv').rows[0]?.kind).toBe('notes');
  });

  it('names the line and data row of bytes that are not UTF-8 (a CSV saved as GBK)', () => {
    const gbk = new Uint8Array([...enc('input,output\r\n"ok","ok"\r\n'), 0xd5, 0xc5, 0xc8, 0xfd, ...enc(',x\r\n')]); // 张三 in GBK
    expect(() => readRecords(gbk, 'x.csv')).toThrow(/not valid UTF-8: invalid bytes on line 3 \(data row 2\)\. Save the file as "CSV UTF-8"/);
    // Inside a quoted multi-line cell, the row is the one the cell belongs to.
    const inCell = new Uint8Array([...enc('input,output\r\n"first line\r\n'), 0xd5, 0xc5, ...enc('",x\r\n')]);
    expect(() => readRecords(inCell, 'x.csv')).toThrow(/line 3 \(data row 1\)/);
    expect(() => readRecords(new Uint8Array([...enc('{"input":"a","output":"b"}\n'), 0xff, 0x0a]), 'x.jsonl')).toThrow(/line 2 \(record 2\)/);
  });

  it('says the file is empty for no bytes, a lone BOM or blank lines', () => {
    for (const bytes of [new Uint8Array(), enc('\uFEFF'), enc('\r\n\r\n  \n')]) {
      expect(() => readRecords(bytes, 'x.csv')).toThrow('the file is empty');
    }
    expect(() => readRecords(enc('\n\n'), 'x.jsonl')).toThrow('the file is empty');
  });

  it('reports a row with the wrong number of cells or an unclosed quote, and keeps reading the others', () => {
    const r = readRecords(enc('input,output\na,b\nc,d,e\nf,g\n'), 'x.csv');
    expect(r.rows.map((x) => x.input)).toEqual(['a', 'f']);
    expect(r.problems).toEqual([{ row: 2, line: 3, message: 'has 3 cells, the header has 2 (a comma inside a cell needs the cell in double quotes)' }]);
    const open = readRecords(enc('input,output\na,b\n"c,d\n'), 'x.csv');
    expect(open.problems.some((p) => p.row === 2 && p.message.includes('never closed'))).toBe(true);
  });

  it('reads JSONL and names bad lines', () => {
    const r = readRecords(enc('{"input":"a","output":"b"}\n\nnot json\n{"input":"c","answer":"d"}\n{"input":1,"output":"x"}\n'), 'x.jsonl');
    expect(r.format).toBe('jsonl');
    expect(r.rows).toEqual([{ row: 1, line: 1, input: 'a', output: 'b' }]);
    expect(r.problems.map((p) => [p.row, p.line])).toEqual([[2, 3], [3, 4], [4, 5]]);
    expect(r.problems[1]?.message).toContain('unknown key answer');
  });
});

describe('validating records against the template', () => {
  it('builds the sample cleanly: every answer keeps the contract, seeded split, hashed data card', () => {
    const bytes = readFileSync(SAMPLE);
    const result = buildDataset(template, readRecords(bytes, SAMPLE), { input: { name: 'sample.csv', sha256: sha256(bytes) }, now: new Date(0) });
    expect(result.issues).toEqual([]);
    expect(result.built).toBe(true);
    expect(result.card.counts).toMatchObject({ rows: 12, valid: 12, withErrors: 0, train: 11, validation: 1 });
    expect(result.card.counts.redactedInInputs).toEqual({ CN_MOBILE: 1 });
    expect(result.card.template).toEqual({ id: 'exit-interview', version: '1.0.0', language: 'zh-CN', name: '离职面谈记录' });
    expect(result.card.files.train.sha256).toBe(sha256(result.trainJsonl));
    expect(result.card.files.validation.sha256).toBe(sha256(result.validationJsonl));
    for (const e of result.examples) {
      expect(e.messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant']);
      expect(parseOutput(template, e.messages[2].content).ok).toBe(true);
      expect(e.messages[1].content).not.toContain('13800138000');
    }
    const lines = result.trainJsonl.trim().split('\n').map((l) => JSON.parse(l) as { messages: unknown[]; meta: { row: number } });
    expect(lines).toHaveLength(11);
    expect(lines[0]?.messages).toHaveLength(3);
  });

  it('keeps the committed chat JSONL sample (read by the Python tests) in the format the builder writes', () => {
    // Shape only: the system prompt changes whenever shared/prompt does, and that must not break this file.
    const fresh = buildDataset(template, readRecords(readFileSync(SAMPLE), SAMPLE)).examples.map((e) => JSON.parse(exampleLine(e)) as Record<string, unknown>);
    const committed = readFileSync(SAMPLE_CHAT, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const shape = (o: Record<string, unknown>) => ({
      keys: Object.keys(o),
      roles: (o.messages as { role: string }[]).map((m) => m.role),
      meta: Object.keys(o.meta as object),
      row: (o.meta as { row: number }).row,
    });
    expect(committed.map(shape)).toEqual(fresh.map(shape));
  });

  it('rejects outputs that break the contract, naming the row and the problem', () => {
    const missing = '【离职原因】\n员工因薪酬离职。\n【在职体验】\n员工评价正面。';
    const tooLong = record('员工因薪酬离职。'.repeat(30));
    const r = build([['T2 员工: 钱少', missing], ['T2 员工: 太累', tooLong], ['T2 员工: 通勤', record('员工因通勤离职。')]]);
    expect(r.built).toBe(false);
    const errors = r.issues.filter((i) => i.severity === 'error');
    expect(errors.map((i) => [i.rows[0], i.code])).toEqual([[1, 'contract'], [2, 'contract']]);
    expect(errors[0]?.message).toMatch(/^row 1 \(line 2\): output does not keep the exit-interview contract: .*【意见建议】/);
    expect(errors[1]?.message).toMatch(/【离职原因】|160/);
    expect(r.refusal).toContain('2 of 3 rows have errors');
  });

  it('rejects personal data, protected traits and names in outputs', () => {
    const r = build([
      ['T2 员工: 钱少', record('员工因薪酬离职,联系电话13800138000。')],
      ['T2 员工: 要备孕', record('员工因备孕离职。')],
      ['T2 员工: 王经理不支持我', record('员工反映王经理不支持其工作。', '员工评价一般。', '建议加强沟通。', 'MGR')],
      ['T2 员工: 通勤太远', record('员工因通勤离职。', '员工评价正面。', '建议远程办公。', 'LOC')],
    ]);
    const codes = r.issues.filter((i) => i.severity === 'error').map((i) => [i.rows[0], i.code]);
    expect(codes).toContainEqual([1, 'personal-data']);
    expect(codes).toContainEqual([2, 'protected-trait']);
    expect(codes).toContainEqual([3, 'third-party-name']);
    expect(codes.some(([row]) => row === 4)).toBe(false);
    // The message never repeats the personal data itself.
    expect(r.issues.find((i) => i.code === 'personal-data')?.message).not.toContain('13800138000');
  });

  it('reports empty rows, duplicates and suspected label inconsistencies', () => {
    const a = record('员工因薪酬低于市场水平离职。');
    const r = build([
      ['T2 员工: 薪水比市场低不少', a],
      ['', a],
      ['T2 员工: 薪水比市场低不少', a], // exact duplicate of row 1
      ['T2 员工: 薪水比市场低不少', record('员工因晋升缓慢离职。', undefined, undefined, 'CAREER')], // same input, other record
      ['T2 员工: 加班太多', a], // same record as row 1 for another input
      ['T2 员工: 薪水比市场低不少。', record('员工主要因为晋升通道不清楚而选择离开。', undefined, undefined, 'CAREER')], // near-identical input, other codes
      ['T2 员工: 通勤远', ' '],
    ]);
    const found = r.issues.map((i) => [i.rows[0], i.severity, i.code]);
    expect(found).toEqual(
      expect.arrayContaining([
        [2, 'error', 'empty-input'],
        [3, 'error', 'duplicate'],
        [4, 'warning', 'same-input-different-output'],
        [5, 'warning', 'same-output-different-input'],
        [6, 'warning', 'inconsistent-labels'],
        [7, 'error', 'empty-output'],
      ]),
    );
    expect(r.issues.find((i) => i.code === 'duplicate')?.message).toBe(
      'row 3 (line 18): duplicate of row 1 (same input and output); a repeated example is over-weighted',
    );
    expect(r.issues.find((i) => i.code === 'inconsistent-labels')?.message).toContain('reason codes CAREER vs COMP');
  });

  it('refuses to build on errors unless skipInvalid, then builds from the valid rows only', () => {
    const rows: Array<[string, string]> = [
      ['T2 员工: 钱少', record('员工因薪酬离职。')],
      ['T2 员工: 通勤远', record('员工因通勤离职。', undefined, undefined, 'LOC')],
      ['T2 员工: 太累', 'not a record'],
      ['T2 员工: 想读书', record('员工因深造离职。', undefined, undefined, 'STUDY')],
    ];
    const refused = build(rows);
    expect(refused.built).toBe(false);
    expect(refused.trainJsonl).toBe('');
    expect(renderReport(refused)).toContain('**Not built:** 1 of 4 rows have errors');
    const skipped = build(rows, { skipInvalid: true });
    expect(skipped.built).toBe(true);
    expect(skipped.card.counts).toMatchObject({ rows: 4, valid: 3, withErrors: 1, train: 2, validation: 1 });
    expect([...skipped.train, ...skipped.validation].map((e) => e.row).sort()).toEqual([1, 2, 4]);
    expect(renderReport(skipped)).toMatch(/row 3 \(line 18\): output does not keep the exit-interview contract/); // records span 8 lines each
  });

  it('refuses a source too long for one prompt (the pane would condense it in parts)', () => {
    const long = Array.from({ length: 400 }, (_, i) => `T${i + 1} 员工: 这是一段很长的发言内容,用来测试上下文窗口的限制。`).join('\n');
    const r = build([[long, record('员工因薪酬离职。')], ['T2 员工: 钱少', record('员工因薪酬离职。')]]);
    expect(r.issues.map((i) => [i.rows[0], i.code])).toContainEqual([1, 'too-long']);
  });

  it('splits by seed: reproducible, disjoint, complete, at least one held out', () => {
    const items = Array.from({ length: 50 }, (_, i) => i);
    const a = splitExamples(items, 0.2, 7);
    expect(a).toEqual(splitExamples(items, 0.2, 7));
    expect(a.validation).toHaveLength(10);
    expect(splitExamples(items, 0.2, 8).validation).not.toEqual(a.validation);
    expect([...a.train, ...a.validation].sort((x, y) => x - y)).toEqual(items);
    expect(splitExamples([1, 2], 0.1, 1).validation).toHaveLength(1);
  });
});

describe('training prompts are inference prompts', () => {
  /** What the task pane sends a model whose record carries the data card's prompt profile (as convert writes it). */
  async function inferenceMessages(kind: 'transcript' | 'notes', text: string, answer: string, card?: { prompt: { profile: 'full' | 'compact'; fields: boolean } }) {
    const engine = new FakeEngine({ outputs: [answer] });
    const record = { model: 'https://x.test/resolve/v1/', model_id: 'acme-q4f32_1-MLC', model_lib: 'https://x.test/a.wasm', ...(card ? { liuhen_prompt: card.prompt } : {}) };
    const result = await generate({ template, source: { kind, text }, engine, modelId: 'test', prompt: promptProfileOf(record) });
    expect(engine.requests).toHaveLength(1);
    return { messages: engine.requests[0]?.messages, result, request: engine.requests[0] };
  }

  it('renders every sample row byte for byte as the pipeline prompts the model in the task pane', async () => {
    const read = readRecords(readFileSync(SAMPLE), SAMPLE);
    const result = buildDataset(template, read, { prompt: 'full' });
    for (const e of result.examples) {
      const row = read.rows.find((r) => r.row === e.row);
      const { messages } = await inferenceMessages(e.kind, row?.input ?? '', e.messages[2].content);
      expect(JSON.stringify(messages)).toBe(JSON.stringify(e.messages.slice(0, 2)));
      // meta.source (no personal data) gives the same prompt again: eval can rerun the pipeline from it.
      const again = await inferenceMessages(e.kind, e.source, e.messages[2].content);
      expect(JSON.stringify(again.messages)).toBe(JSON.stringify(e.messages.slice(0, 2)));
    }
  });

  it('matches on sources with personal data, protected traits and names (fixtures)', async () => {
    for (const f of fixtures) {
      const answer = record('员工因薪酬离职。');
      const r = buildDataset(template, readRecords(enc(Papa.unparse({ fields: ['input', 'output', 'kind'], data: [[f.source, answer, f.kind], ['T2 员工: 另一条', record('员工因通勤离职。', undefined, undefined, 'LOC')]] })), 'f.csv'));
      const e = r.examples.find((x) => x.row === 1);
      expect(e, f.id).toBeDefined();
      const { messages } = await inferenceMessages(f.kind, f.source, answer, r.card);
      expect(JSON.stringify(messages), f.id).toBe(JSON.stringify(e?.messages.slice(0, 2)));
    }
  });

  it('seed format (the three sections only, compact profile): the model trained is prompted and constrained exactly as trained', async () => {
    const read = readRecords(readFileSync(SAMPLE_SEED), SAMPLE_SEED);
    const result = buildDataset(template, read);
    expect(result.issues).toEqual([]);
    expect(result.built).toBe(true);
    expect(result.card.prompt).toEqual({ profile: 'compact', fields: false });
    for (const e of result.examples) {
      expect(e.messages[0].content).not.toContain('【结构化信息】');
      expect(e.messages[2].content).not.toContain('【结构化信息】');
      const row = read.rows.find((r) => r.row === e.row);
      const { messages, request, result: g } = await inferenceMessages(e.kind, row?.input ?? '', e.messages[2].content, result.card);
      expect(JSON.stringify(messages)).toBe(JSON.stringify(e.messages.slice(0, 2)));
      // The grammar asks for no fields line either, and the pane finds nothing missing in the trained format.
      expect(JSON.stringify(request?.responseFormat)).not.toContain('【结构化信息】');
      expect(g.problems).toEqual([]);
    }
    // The same records with the full profile: a different (longer) prompt, and the pane must then be told so.
    const fullProfile = buildDataset(template, read, { prompt: 'full' });
    expect(fullProfile.card.prompt).toEqual({ profile: 'full', fields: false });
    const e = fullProfile.examples[0];
    const row = read.rows.find((r) => r.row === e?.row);
    const compactRun = await inferenceMessages(e?.kind ?? 'transcript', row?.input ?? '', '', result.card);
    expect(JSON.stringify(compactRun.messages)).not.toBe(JSON.stringify(e?.messages.slice(0, 2)));
    const fullRun = await inferenceMessages(e?.kind ?? 'transcript', row?.input ?? '', '', fullProfile.card);
    expect(JSON.stringify(fullRun.messages)).toBe(JSON.stringify(e?.messages.slice(0, 2)));
    expect(promptTokens(e?.messages.slice(0, 2) ?? [])).toBeGreaterThan(2 * promptTokens(result.examples[0]?.messages.slice(0, 2) ?? []));
  });

  it('mixed records (some with the fields block, some without) name the rows and both ways out', () => {
    const rows: Array<[string, string]> = [
      ['T2 员工: 钱少', record('员工因薪酬离职。')],
      ['T2 员工: 通勤远', renderRecord(template, { reasons: '员工因通勤离职。', experience: '员工评价正面。', suggestions: '建议弹性上班。' })],
    ];
    const r = build(rows);
    expect(r.built).toBe(false);
    const issue = r.issues.find((i) => i.code === 'contract');
    expect(issue?.rows).toEqual([2]);
    expect(issue?.message).toContain('give it in every row, or in none');
    const omitted = build(rows, { fields: 'omit' });
    expect(omitted.built).toBe(true);
    expect(omitted.card.prompt.fields).toBe(false);
    expect(omitted.trainJsonl + omitted.validationJsonl).not.toContain('【结构化信息】');
  });
});

describe('npm run dataset', () => {
  const run = (args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts', 'dataset.ts'), ...args], { cwd: ROOT, encoding: 'utf8' });

  it('writes train/val JSONL, the data card and the report for the sample', () => {
    const out = mkdtempSync(path.join(tmpdir(), 'liuhen-dataset-'));
    const r = run(['--input', SAMPLE, '--template', 'exit-interview', '--lang', 'zh-CN', '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('12 rows, 12 valid, 0 with errors, 0 warnings; wrote 11 train + 1 validation examples');
    const card = JSON.parse(readFileSync(path.join(out, 'data-card.json'), 'utf8')) as { files: { train: { sha256: string } } };
    expect(card.files.train.sha256).toBe(sha256(readFileSync(path.join(out, 'train.jsonl'))));
    expect(readFileSync(path.join(out, 'report.md'), 'utf8')).toContain('**Built** 11 training and 1 validation examples');
  }, 60_000); // spawns tsx: slow on a loaded machine

  it('reads JSONL records against a company template file, skipping invalid rows when asked', () => {
    const out = mkdtempSync(path.join(tmpdir(), 'liuhen-dataset-'));
    const builtin = JSON.parse(readFileSync(path.join(ROOT, 'shared', 'templates', 'builtin', 'exit-interview.zh-CN.json'), 'utf8')) as Record<string, unknown> & { sections: { heading: string }[] };
    const acme = { ...builtin, id: 'acme-exit', $schema: undefined, sections: builtin.sections.map((sec, i) => ({ ...sec, heading: ['一、离职原因', '二、在职体验', '三、意见建议'][i] })) };
    const file = path.join(out, 'acme-exit.json');
    writeFileSync(file, JSON.stringify(acme));
    const acmeTemplate = new TemplateRegistry();
    expect(acmeTemplate.addFile('acme-exit.json', JSON.stringify(acme)).ok).toBe(true);
    const t = acmeTemplate.get('acme-exit', 'zh-CN') as Template;
    const good = (reason: string, code: string) => renderOutput(t, { reasons: reason, experience: '员工评价正面。', suggestions: '建议优化流程。' }, {
      reasons: [{ code, role: 'primary', stated: true, confidence: 0.9, sources: ['N1'] }], flags: [] });
    const records = path.join(out, 'records.jsonl');
    writeFileSync(records, [
      { input: 'N1 钱少', output: good('员工因薪酬离职。', 'COMP'), kind: 'notes' },
      { input: 'N1 通勤远', output: good('员工因通勤离职。', 'LOC'), kind: 'notes' },
      { input: 'N1 太累', output: record('员工因工作量离职。') }, // the built-in headings: wrong for this template
    ].map((o) => JSON.stringify(o)).join('\n'));
    const r = run(['--input', records, '--template-file', file, '--template', 'acme-exit', '--lang', 'zh-CN', '--out', out, '--skip-invalid']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('3 rows, 2 valid, 1 with errors');
    const train = readFileSync(path.join(out, 'train.jsonl'), 'utf8') + readFileSync(path.join(out, 'val.jsonl'), 'utf8');
    expect(train).toContain('一、离职原因');
    expect(train).toContain('"kind":"notes"');
    // --template-file alone: the file's own id and language.
    const alone = run(['--input', records, '--template-file', file, '--out', out, '--skip-invalid']);
    expect(alone.stderr).not.toContain('--template is required');
    expect(alone.status).toBe(0);
    expect(alone.stdout).toContain('3 rows, 2 valid, 1 with errors');
  }, 60_000); // spawns tsx: slow on a loaded machine

  it('refuses a broken file with exit 1 and a report, or exit 2 with a message for an unreadable one', () => {
    const out = mkdtempSync(path.join(tmpdir(), 'liuhen-dataset-'));
    const broken = path.join(out, 'broken.csv');
    writeFileSync(broken, 'input,output\n"T2 员工: 钱少","no headings"\n"T2 员工: 远","also none"\n');
    const r = run(['--input', broken, '--template', 'exit-interview', '--lang', 'zh-CN', '--out', out]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('NOT built');
    expect(existsSync(path.join(out, 'train.jsonl'))).toBe(false);
    expect(readFileSync(path.join(out, 'report.md'), 'utf8')).toContain('row 2 (line 3): output does not keep');
    writeFileSync(broken, 'question,answer\na,b\n');
    const bad = run(['--input', broken, '--template', 'exit-interview', '--out', out]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('wrong columns: missing columns input, output');
  }, 60_000); // spawns tsx: slow on a loaded machine
});
