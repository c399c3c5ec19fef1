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
 * --context-window N (4096), --skip-invalid, --prompt compact|full (the prompt profile the model is trained and run
 * with; default compact), --fields auto|omit (auto: records with the sections only train a model without the
 * structured fields). `--template-file` alone uses that template's own id and language.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Template } from '../shared/templates';
import { buildDataset, sha256 } from '../models/dataset/build';
import type { ExampleKind } from '../models/dataset/prompt';
import { DatasetReadError, readRecords } from '../models/dataset/read';
import { renderReport } from '../models/dataset/report';
import { resolveTemplate } from '../models/dataset/template-arg';
import { parseOptions } from './cli-options';
import { promptTokens } from '../shared/pipeline';

const USAGE =
  'usage: npm run dataset -- --input records.csv (--template exit-interview --lang zh-CN | --template-file FILE) [--out DIR]\n' +
  '         [--kind transcript|notes] [--prompt compact|full] [--fields auto|omit] [--seed N] [--val FRACTION] [--context-window N] [--skip-invalid]';

function fail(message: string): never {
  console.error(`dataset: ${message}`);
  process.exit(2);
}

const opts = parseOptions(process.argv.slice(2), ['input', 'template', 'lang', 'out', 'kind', 'template-file', 'seed', 'val', 'context-window', 'prompt', 'fields'], ['skip-invalid', 'help'], (m) => fail(`${m}\n${USAGE}`));
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

const resolved = resolveTemplate({ template: opts.get('template'), lang: opts.get('lang'), templateFile: opts.get('template-file') });
if (typeof resolved === 'string') fail(`${resolved}\n${USAGE}`);
const template: Template = resolved;
const promptOpt = opts.get('prompt') ?? 'compact';
if (promptOpt !== 'full' && promptOpt !== 'compact') fail(`--prompt: full or compact, got "${promptOpt}"`);
const fieldsOpt = opts.get('fields') ?? 'auto';
if (fieldsOpt !== 'auto' && fieldsOpt !== 'omit') fail(`--fields: auto or omit, got "${fieldsOpt}"`);

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
  prompt: promptOpt,
  fields: fieldsOpt,
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
console.log(
  `dataset: prompt profile ${result.card.prompt.profile}, ${result.card.prompt.fields ? `with ${template.fields?.heading ?? 'fields'}` : 'sections only (no structured fields)'}` +
    (result.examples[0] ? `; prompt ≈${promptTokens(result.examples[0].messages.slice(0, 2))} tokens for row ${result.examples[0].row}` : ''),
);
console.log(`dataset: report ${reportPath}`);
process.exit(result.built ? 0 : 1);
