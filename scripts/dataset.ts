/**
 * `npm run dataset -- --input records.csv --template exit-interview --lang zh-CN [--out DIR]` — builds the
 * fine-tuning dataset from an admin's approved records (CSV `input,output`, or JSONL).
 *
 * Writes DIR/report.md always; DIR/train.jsonl, DIR/val.jsonl and DIR/data-card.json only when the records are
 * clean (or with --skip-invalid). Exit code 0: built; 1: not built (see the report); 2: bad arguments or an
 * unreadable file.
 *
 * Options: --out DIR (default models/out/data/<template>), --kind transcript|notes (rows without a kind cell),
 * --template-file FILE (a company template JSON instead of a built-in one), --seed N (42), --val FRACTION (0.1),
 * --context-window N (4096), --skip-invalid.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { formatProblem, TemplateRegistry, type Template } from '../shared/templates';
import { buildDataset, sha256 } from '../models/dataset/build';
import type { ExampleKind } from '../models/dataset/prompt';
import { DatasetReadError, readRecords } from '../models/dataset/read';
import { renderReport } from '../models/dataset/report';
import { parseOptions } from './cli-options';

const USAGE =
  'usage: npm run dataset -- --input records.csv --template exit-interview --lang zh-CN [--out DIR] [--kind transcript|notes]\n' +
  '         [--template-file FILE] [--seed N] [--val FRACTION] [--context-window N] [--skip-invalid]';

function fail(message: string): never {
  console.error(`dataset: ${message}`);
  process.exit(2);
}

const opts = parseOptions(process.argv.slice(2), ['input', 'template', 'lang', 'out', 'kind', 'template-file', 'seed', 'val', 'context-window'], ['skip-invalid', 'help'], (m) => fail(`${m}\n${USAGE}`));
if (opts.has('help')) {
  console.log(USAGE);
  process.exit(0);
}
const input = opts.get('input') ?? fail(`--input is required\n${USAGE}`);

function number(name: string, fallback: number, check: (n: number) => boolean, what: string): number {
  const raw = opts.get(name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || !check(n)) fail(`--${name}: ${what}, got "${raw}"`);
  return n;
}
const seed = number('seed', 42, (n) => Number.isInteger(n) && n >= 0, 'a whole number >= 0');
const validationFraction = number('val', 0.1, (n) => n > 0 && n <= 0.5, 'a fraction in (0, 0.5]');
const contextWindow = number('context-window', 4096, (n) => Number.isInteger(n) && n >= 1024, 'a whole number >= 1024');
const kindOpt = opts.get('kind');
if (kindOpt !== undefined && kindOpt !== 'transcript' && kindOpt !== 'notes') fail(`--kind: transcript or notes, got "${kindOpt}"`);

const registry = new TemplateRegistry();
const templateFile = opts.get('template-file');
if (templateFile !== undefined) {
  let text: string;
  try {
    text = readFileSync(templateFile, 'utf8');
  } catch (e) {
    fail(`--template-file: cannot read ${templateFile} (${(e as Error).message})`);
  }
  const r = registry.addFile(path.basename(templateFile), text);
  if (!r.ok) fail(`--template-file: ${r.problems.map(formatProblem).join('; ')}`);
}
const templateId = opts.get('template') ?? fail(`--template is required (e.g. exit-interview)\n${USAGE}`);
const lang = opts.get('lang');
const template: Template | undefined = registry.get(templateId, lang);
if (!template || (lang !== undefined && template.language.split('-')[0] !== lang.split('-')[0])) {
  const known = registry.list().map((t) => `${t.id} --lang ${t.language}`).join(', ');
  fail(`--template: no template "${templateId}"${lang ? ` in ${lang}` : ''} (known: ${known})`);
}

let bytes: Uint8Array;
try {
  bytes = readFileSync(input);
} catch (e) {
  fail(`--input: cannot read ${input} (${(e as Error).message})`);
}
let read;
try {
  read = readRecords(bytes, input);
} catch (e) {
  if (e instanceof DatasetReadError) fail(`${input}: ${e.message}`);
  throw e;
}

const out = opts.get('out') ?? path.join('models', 'out', 'data', template.id);
const result = buildDataset(template, read, {
  seed,
  validationFraction,
  contextWindow,
  skipInvalid: opts.has('skip-invalid'),
  ...(kindOpt ? { kind: kindOpt as ExampleKind } : {}),
  input: { name: path.basename(input), sha256: sha256(bytes) },
});

mkdirSync(out, { recursive: true });
const files = { train: path.join(out, 'train.jsonl'), validation: path.join(out, 'val.jsonl'), card: path.join(out, 'data-card.json') };
if (result.built) {
  writeFileSync(files.train, result.trainJsonl);
  writeFileSync(files.validation, result.validationJsonl);
  writeFileSync(files.card, `${JSON.stringify(result.card, null, 2)}\n`);
}
const reportPath = path.join(out, 'report.md');
writeFileSync(reportPath, renderReport(result, result.built ? files : undefined));

const c = result.card.counts;
const errors = result.issues.filter((i) => i.severity === 'error');
for (const e of errors.slice(0, 10)) console.error(`  error: ${e.message}`);
if (errors.length > 10) console.error(`  … and ${errors.length - 10} more errors`);
console.log(
  `dataset: ${c.rows} rows, ${c.valid} valid, ${c.withErrors} with errors, ${c.warnings} warnings; ` +
    (result.built ? `wrote ${c.train} train + ${c.validation} validation examples to ${out}` : `NOT built: ${result.refusal ?? ''}`),
);
console.log(`dataset: report ${reportPath}`);
process.exit(result.built ? 0 : 1);
