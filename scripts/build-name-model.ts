/**
 * build-name-model — generates shared/guard/terms/name-model.json, the statistical part of Chinese person-name
 * detection, from the FIRST 80 % of the CLUENER2020 training split (label "name"), and picks its score threshold on
 * that same part. The last 20 % is never used to build or tune: it is printed as the held-out measurement.
 *
 * The model is counts (a company can add its own names and counts): how often a character starts a name as a
 * surname (single and compound), is the first / second given-name character, stands right before or right after a
 * name, and how often it occurs at all (background); and the characters of transliterated names (贝克汉姆). names.ts scores a candidate (surname + 1–2 characters) by the
 * log-likelihood ratio of those counts against the background and reports it above `threshold`.
 *
 * Usage: npx tsx scripts/build-name-model.ts [--cluener <path>] [--min-precision 0.8]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import namesJson from '../shared/guard/terms/names.json';
import { NameDataSchema, NameModelSchema, compileNames, findNames, type NameModel } from '../shared/guard/names';
import { normalizeText, toOriginal } from '../shared/guard/normalize';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values: opts } = parseArgs({
  options: {
    cluener: { type: 'string', default: resolve(ROOT, '../shared/benchmarks/cluener2020-train.jsonl') },
    'min-precision': { type: 'string', default: '0.8' },
  },
});

interface Row {
  text: string;
  names: Array<{ start: number; end: number }>;
}
const rows: Row[] = readFileSync(opts.cluener ?? '', 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => {
    const r = JSON.parse(l) as { text: string; label: Record<string, Record<string, number[][]>> };
    return { text: r.text, names: Object.values(r.label['name'] ?? {}).flat().map(([s, e]) => ({ start: s ?? 0, end: (e ?? 0) + 1 })) };
  });
const cut = Math.floor(rows.length * 0.8);
const build = rows.slice(0, cut);
const heldOut = rows.slice(cut);

const isHan = (c: string): boolean => /^[\u4e00-\u9fff]$/.test(c);
const names = NameDataSchema.parse(namesJson);
const doubles = new Set(names.zh.doubleSurnames);

const listedSurnames = new Set(names.zh.surnames);
const count = (m: Record<string, number>, k: string): void => {
  m[k] = (m[k] ?? 0) + 1;
};
// Keep the data small: characters seen twice or more; singletons add nothing a smoothing prior lacks.
const prune = (m: Record<string, number>, min: number): Record<string, number> =>
  Object.fromEntries(Object.entries(m).filter(([, n]) => n >= min).sort((a, b) => b[1] - a[1]));

/** Counts from labelled rows. */
function countModel(part: Row[]): NameModel {
  const foreign: Record<string, number> = {};
  const left2: Record<string, number> = {};
  const right2: Record<string, number> = {};
  const model: NameModel = { threshold: 0, background: {}, surnames: {}, doubleSurnames: {}, given1: {}, given2: {}, left: {}, right: {}, lengths: [0, 0] };
  for (const row of part) {
    for (const c of row.text) count(model.background, isHan(c) ? c : '#');
    for (const { start, end } of row.names) {
      const name = row.text.slice(start, end);
      if (![...name].every(isHan)) continue;
      // Not a listed Chinese surname, or too long for one: a transliteration (贝克汉姆); its characters feed the
      // run scorer. Short ones (金秀贤) also feed the surname model.
      const listed = listedSurnames.has(name.charAt(0)) || doubles.has(name.slice(0, 2));
      if ((!listed || name.length >= 5) && name.length >= 2 && name.length <= 8) for (const c of name) count(foreign, c);
      const s = doubles.has(name.slice(0, 2)) ? 2 : 1;
      const g = name.length - s;
      if (g < 1 || g > 2) continue;
      if (s === 2) count(model.doubleSurnames, name.slice(0, 2));
      else count(model.surnames, name.charAt(0));
      count(model.given1, name.charAt(s));
      if (g === 2) count(model.given2, name.charAt(s + 1));
      model.lengths[g - 1] = (model.lengths[g - 1] ?? 0) + 1;
      const l = row.text.charAt(start - 1);
      const r = row.text.charAt(end);
      count(model.left, l && isHan(l) ? l : '#');
      const l2 = row.text.slice(start - 2, start);
      const r2 = row.text.slice(end, end + 2);
      if (start >= 2 && [...l2].every(isHan)) count(left2, l2);
      if (r2.length === 2 && [...r2].every(isHan)) count(right2, r2);
      count(model.right, r && isHan(r) ? r : '#');
    }
  }
  model.foreign = prune(foreign, 2);
  model.left2 = prune(left2, 3);
  model.right2 = prune(right2, 3);
  const background2: Record<string, number> = {};
  for (const row of part) {
    for (let i = 0; i + 2 <= row.text.length; i++) {
      const w = row.text.slice(i, i + 2);
      if (w in model.left2 || w in model.right2) count(background2, w);
    }
  }
  model.background2 = background2;
  model.background = prune(model.background, 2);
  model.left = prune(model.left, 2);
  model.right = prune(model.right, 2);
  return model;
}

function evaluate(part: Row[], m: NameModel | undefined): { recall: number; precision: number; gold: number; pred: number } {
  const matcher = compileNames(names, m);
  let gold = 0;
  let found = 0;
  let pred = 0;
  let right = 0;
  const ov = (a: { start: number; end: number }, b: { start: number; end: number }): boolean => a.start < b.end && b.start < a.end;
  for (const row of part) {
    const norm = normalizeText(row.text);
    const hits = findNames(matcher, norm.text).map((h) => toOriginal(norm, h.start, h.end));
    gold += row.names.length;
    found += row.names.filter((g) => hits.some((h) => ov(h, g))).length;
    pred += hits.length;
    right += hits.filter((h) => row.names.some((g) => ov(h, g))).length;
  }
  return { recall: found / gold, precision: right / Math.max(1, pred), gold, pred };
}

const fmt = (r: { recall: number; precision: number; gold: number; pred: number }): string =>
  `recall ${(100 * r.recall).toFixed(1)} %  precision ${(100 * r.precision).toFixed(1)} %  (${r.gold} names, ${r.pred} predicted)`;

// Thresholds: counted on the first 60 %, chosen on 60–80 % (so in-sample counts do not flatter precision): the
// most recall whose precision stays at or above --min-precision. The shipped counts then use all of the first 80 %.
const minPrecision = Number(opts['min-precision']);
const fit = countModel(rows.slice(0, Math.floor(rows.length * 0.6)));
const tune = rows.slice(Math.floor(rows.length * 0.6), cut);
let best = { threshold: Infinity, foreignThreshold: Infinity, recall: 0 };
for (let th = 7; th >= 2.5; th -= 0.5) {
  for (const fth of [Infinity, 14, 12, 10, 8]) {
    const r = evaluate(tune, { ...fit, threshold: th, foreignThreshold: fth });
    console.log(`threshold ${th.toFixed(1)} foreign ${fth}: 60–80 % ${fmt(r)}`);
    if (r.precision >= minPrecision && r.recall > best.recall) best = { threshold: th, foreignThreshold: fth, recall: r.recall };
  }
}
const model = countModel(build);
model.threshold = best.threshold;
if (Number.isFinite(best.foreignThreshold)) model.foreignThreshold = best.foreignThreshold;
else delete model.foreign;
NameModelSchema.parse(model);
const out = resolve(ROOT, 'shared/guard/terms/name-model.json');
writeFileSync(out, `${JSON.stringify(model)}\n`);
console.log(`\nwrote ${out} (${readFileSync(out).length} bytes), threshold ${model.threshold}`);
console.log(`without model, first 80 %: ${fmt(evaluate(build, undefined))}`);
console.log(`with model,    first 80 %: ${fmt(evaluate(build, model))}`);
console.log(`without model, last 20 % (held out): ${fmt(evaluate(heldOut, undefined))}`);
console.log(`with model,    last 20 % (held out): ${fmt(evaluate(heldOut, model))}`);
