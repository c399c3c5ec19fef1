/**
 * `npm run eval -- --data val.jsonl --template exit-interview --lang zh-CN --engine replay` — evaluates a model on
 * held-out cases through the real pipeline and writes a readable report.
 *
 * Engines:
 *   --engine replay                       answers each case with its own reference record: the honest baseline of
 *                                         the harness (what guard, repair and checks make of the approved records);
 *   --engine openai --url URL --model ID  a fine-tune served with an OpenAI-compatible API (the pane's own client,
 *                                         shared/engine/openai-engine.ts), e.g. vLLM (default --kind vllm: the
 *                                         template's grammar as structured_outputs.grammar, as in the pane) or
 *                                         `mlc_llm serve models/out/webllm/<id>-q4f32_1-MLC --kind mlc` (no grammar
 *                                         field there). LIUHEN_API_KEY is sent as a Bearer token when set.
 *
 * Judging a model on its own output (generated locally by `liuhen_models generate` under the pane's grammar):
 *   --outputs FILE                        scores one model's generations file;
 *   --compare base,ft-v1,ft-v2            scores several side by side and prints one table, a column per model
 *                                         (each NAME is <generations dir>/NAME.jsonl, or NAME=FILE, or a .jsonl path;
 *                                         --generations DIR, default: the data file's folder + /generations).
 *
 * Writes OUT/eval-report.md and OUT/eval-report.json (OUT defaults to the data file's folder). Exit code 0 when the
 * run finished (and the contract pass rate is at least --min-contract, when given), 1 below it, 2 on bad arguments.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promptProfileOf } from '../shared/engine/model-record';
import type { LlmEngine } from '../shared/engine/port';
import type { Template } from '../shared/templates';
import { CaseReadError, readCases } from '../models/eval/cases';
import { evaluateGenerations, loadGenerations, renderCompareTable, resolveGenerations, type GeneratedReport } from '../models/eval/compare';
import { connectOpenAiEngine, PROMPT_MISMATCH, ReplayEngine } from '../models/eval/engines';
import { resolveTemplate } from '../models/dataset/template-arg';
import { evaluate, renderEvalReport, type EvalCase } from '../models/eval/evaluate';
import { parseOptions } from './cli-options';

const USAGE =
  'usage: npm run eval -- --data val.jsonl --template exit-interview --lang zh-CN --engine replay|openai\n' +
  '         [--url http://127.0.0.1:8000/v1 --model ID [--kind vllm|mlc|llamacpp]] [--context-window N] [--out DIR] [--min-contract 0.9]\n' +
  '       npm run eval -- --template exit-interview --lang zh-CN (--outputs FILE | --compare base,ft-v1 [--generations DIR] [--data val.jsonl])\n' +
  '         (--template-file FILE instead of --template for a company template)';

function fail(message: string): never {
  console.error(`eval: ${message}`);
  process.exit(2);
}

const opts = parseOptions(
  process.argv.slice(2),
  ['data', 'template', 'lang', 'engine', 'url', 'model', 'kind', 'context-window', 'out', 'min-contract', 'outputs', 'compare', 'generations', 'template-file'],
  ['grammar', 'help'],
  (m) => fail(`${m}\n${USAGE}`),
);
if (opts.has('help')) {
  console.log(USAGE);
  process.exit(0);
}

const resolved = resolveTemplate({ template: opts.get('template'), lang: opts.get('lang'), templateFile: opts.get('template-file') });
if (typeof resolved === 'string') fail(`${resolved}\n${USAGE}`);
const template: Template = resolved;
const pct = (x: number | null): string => (x === null ? 'n/a' : `${(x * 100).toFixed(1)}%`);

const minContractRaw = opts.get('min-contract');
const minContract = minContractRaw === undefined ? undefined : Number(minContractRaw);
if (minContract !== undefined && !(minContract >= 0 && minContract <= 1)) fail('--min-contract: a fraction between 0 and 1');
const compareSpec = opts.get('compare');
const outputsFile = opts.get('outputs');
if (compareSpec !== undefined || outputsFile !== undefined) {
  // Models judged on their own generations (liuhen_models generate), replayed through the pipeline.
  const dataOpt = opts.get('data');
  const dir = opts.get('generations') ?? (dataOpt ? path.join(path.dirname(dataOpt), 'generations') : outputsFile ? path.dirname(outputsFile) : '.');
  const specs = compareSpec !== undefined ? compareSpec.split(',').map((x) => x.trim()).filter((x) => x !== '') : [outputsFile ?? ''];
  if (specs.length === 0) fail('--compare: give model names, e.g. --compare base,ft-v1');
  const reports: GeneratedReport[] = [];
  for (const spec of specs) {
    const { label, file } = compareSpec !== undefined ? resolveGenerations(spec, dir) : { label: undefined, file: spec };
    let g;
    try {
      g = loadGenerations(file, label);
    } catch (e) {
      fail((e as Error).message);
    }
    reports.push(await evaluateGenerations(template, g));
  }
  const out = opts.get('out') ?? dir;
  mkdirSync(out, { recursive: true });
  const table = renderCompareTable(reports);
  const single = reports.length === 1 ? reports[0] : undefined;
  if (single) {
    writeFileSync(path.join(out, `eval-report.${single.label}.md`), renderEvalReport(single.report));
    writeFileSync(path.join(out, `eval-report.${single.label}.json`), `${JSON.stringify(single.report, null, 2)}\n`);
  } else {
    writeFileSync(path.join(out, 'compare-report.md'), `# Comparison: ${template.id}@${template.language}\n\n${table}\n`);
    writeFileSync(path.join(out, 'compare-report.json'), `${JSON.stringify(reports.map((r) => ({ label: r.label, profile: r.profile, summary: r.report.summary, meanPromptTokens: r.meanPromptTokens })), null, 2)}\n`);
  }
  console.log(table);
  const mismatched = reports.filter((r) => r.mismatchedPrompts > 0);
  for (const r of mismatched) console.error(`eval: ${r.label}: ${r.mismatchedPrompts} cases — ${PROMPT_MISMATCH}`);
  console.log(`eval: report ${path.join(out, single ? `eval-report.${single.label}.md` : 'compare-report.md')}`);
  const low = minContract !== undefined && reports.some((r) => r.report.summary.contractPassRate < minContract);
  process.exit(mismatched.length > 0 || low ? 1 : 0);
}

const data = opts.get('data') ?? fail(`--data is required\n${USAGE}`);
const engineName = opts.get('engine') ?? fail(`--engine is required (replay or openai)\n${USAGE}`);
const contextWindow = Number(opts.get('context-window') ?? '4096');
if (!Number.isInteger(contextWindow) || contextWindow < 1024) fail('--context-window: a whole number >= 1024');

let cases: EvalCase[];
try {
  cases = readCases(readFileSync(data, 'utf8'), path.basename(data));
} catch (e) {
  if (e instanceof CaseReadError) fail(e.message);
  fail(`--data: cannot read ${data} (${(e as Error).message})`);
}

let engineFor: (c: EvalCase) => LlmEngine;
let engineLabel: string;
let modelId: string;
if (engineName === 'replay') {
  const without = cases.filter((c) => c.reference === undefined).map((c) => c.id);
  if (without.length > 0) fail(`--engine replay needs a reference record for every case; missing: ${without.slice(0, 5).join(', ')}`);
  engineFor = (c) => new ReplayEngine(c.reference ?? '', contextWindow);
  engineLabel = 'replay';
  modelId = 'replay-of-references';
} else if (engineName === 'openai') {
  const url = opts.get('url') ?? fail('--engine openai needs --url (e.g. http://127.0.0.1:8000/v1)');
  const model = opts.get('model') ?? fail('--engine openai needs --model (the id the server serves)');
  const kind = opts.get('kind') ?? 'vllm';
  if (kind !== 'vllm' && kind !== 'mlc' && kind !== 'llamacpp') fail(`--kind: vllm, mlc or llamacpp, got "${kind}"`);
  let engine: LlmEngine;
  try {
    engine = await connectOpenAiEngine({ baseUrl: url, model, kind, contextWindow, ...(process.env.LIUHEN_API_KEY ? { apiKey: process.env.LIUHEN_API_KEY } : {}) });
  } catch (e) {
    fail(`--url ${url}: ${(e as Error).message}`);
  }
  engineFor = () => engine;
  engineLabel = `openai:${url}`;
  modelId = model;
} else {
  fail(`--engine: replay or openai, got "${engineName}"`);
}

const started = Date.now();
// The prompt profile the data was rendered with (data-card.json beside it): a fine-tune served for evaluation gets
// the prompt it was trained on, and sections-only references are judged against the template without fields.
const cardFile = path.join(path.dirname(data), 'data-card.json');
const cardPrompt = existsSync(cardFile) ? (JSON.parse(readFileSync(cardFile, 'utf8')) as { prompt?: { profile: 'full' | 'compact'; fields?: boolean } }).prompt : undefined;
const prompt = cardPrompt ? promptProfileOf({ model: '', model_id: '', model_lib: '', liuhen_prompt: cardPrompt }) : undefined;
if (prompt) console.log(`eval: prompt profile ${prompt.style}${prompt.fields ? '' : ', no fields'} (from ${cardFile})`);
const report = await evaluate({
  template,
  cases,
  ...(prompt ? { prompt } : {}),
  engineFor,
  engine: engineLabel,
  modelId,
  onCase: (r, i) => {
    if (engineName !== 'replay') console.log(`eval: ${i + 1}/${cases.length} ${r.id} ${r.contractOk ? 'ok' : 'FAIL'}${r.error ? ` (${r.error})` : ''}`);
  },
});
const out = opts.get('out') ?? path.dirname(data);
mkdirSync(out, { recursive: true });
writeFileSync(path.join(out, 'eval-report.md'), renderEvalReport(report));
writeFileSync(path.join(out, 'eval-report.json'), `${JSON.stringify(report, null, 2)}\n`);

const s = report.summary;
console.log(
  `eval: ${s.cases} cases via ${engineLabel} in ${((Date.now() - started) / 1000).toFixed(1)} s — contract ${pct(s.contractPassRate)} ` +
    `(after repair ${pct(s.repairedPassRate)}), length violations ${s.lengthViolations.total}, must_not_contain leaks ${s.mustNotContainLeaks.total}, ` +
    `personal data ${s.personalDataLeaks.total}, flag recall ${pct(s.flagRecall.recall)}, ROUGE-L ${s.rougeL.meanF1 === null ? 'n/a' : s.rougeL.meanF1.toFixed(3)}`,
);
console.log(`eval: report ${path.join(out, 'eval-report.md')}`);
process.exit(minContract !== undefined && s.contractPassRate < minContract ? 1 : 0);
