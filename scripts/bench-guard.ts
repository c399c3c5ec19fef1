/**
 * bench:guard — how well the guard holds on labelled text, and how fast it is.
 *
 * 1. Per category recall and precision on the guard corpus (test/guard-corpus/measure.json by default; tune on
 *    dev.json only): identifiers, addresses, protected traits, allegations, names, vague labels. A gold span
 *    counts as found when a prediction of its category overlaps it; a prediction counts as right when it
 *    overlaps a gold span of its category.
 * 2. Leaks: for every corpus item, the exact prompt the pipeline would send (buildMessages) must not contain any
 *    labelled identifier, address, name, protected trait or allegation.
 * 3. Person names on the CLUENER2020 training split (../shared/benchmarks/cluener2020-train.jsonl, label "name").
 * 4. Throughput of redact + scan on a ~60k-character transcript, today's guard against the guard of a previous
 *    commit (`--baseline <commit>`, default the last commit before issue 13), both measured in this run.
 *
 * Usage: npm run bench:guard [-- --split dev|measure] [--baseline <commit>] [--cluener <path>] [--limit N]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { redact, scanTerms } from '../shared/guard';
import type { GuardHit, Redaction } from '../shared/guard';
import { buildMessages } from '../shared/pipeline/generate';
import { prepareEvidence } from '../shared/pipeline/evidence';
import { exitEn, exitZh } from '../shared/output/test-fixtures';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values: opts } = parseArgs({
  options: {
    split: { type: 'string', default: 'measure' },
    baseline: { type: 'string', default: '1eea48b' },
    cluener: { type: 'string', default: resolve(ROOT, '../shared/benchmarks/cluener2020-train.jsonl') },
    limit: { type: 'string' },
  },
});

type Category = 'identifier' | 'address' | 'trait' | 'allegation' | 'name' | 'vague';
const CATEGORIES: Category[] = ['identifier', 'address', 'trait', 'allegation', 'name', 'vague'];
interface Span {
  start: number;
  end: number;
  category: Category;
}
interface Item {
  text: string;
  lang: 'zh' | 'en';
  spans: Span[];
}

/** What the guard predicts, in the original text's offsets. */
function predict(text: string, lang: 'zh' | 'en'): Span[] {
  const out: Span[] = [];
  for (const r of redact(text, { language: lang }).redactions) out.push({ start: r.start, end: r.end, category: r.type === 'ADDRESS' ? 'address' : 'identifier' });
  for (const h of scanTerms(text, { language: lang })) {
    const category: Category | undefined =
      h.category === 'THIRD_PARTY_NAME' ? 'name' : h.category === 'VAGUE_LABEL' ? 'vague' : h.action === 'BLOCK' ? 'trait' : h.action === 'ESCALATE' ? 'allegation' : undefined;
    if (category) out.push({ start: h.start, end: h.end, category });
  }
  return out;
}

const overlaps = (a: { start: number; end: number }, b: { start: number; end: number }): boolean => a.start < b.end && b.start < a.end;
const pct = (n: number, d: number): string => (d === 0 ? '   —  ' : `${((100 * n) / d).toFixed(1).padStart(5)}%`);

function scoreCorpus(items: Item[]): void {
  const tally = new Map<Category, { gold: number; found: number; pred: number; right: number; misses: string[]; wrong: string[] }>();
  for (const c of CATEGORIES) tally.set(c, { gold: 0, found: 0, pred: 0, right: 0, misses: [], wrong: [] });
  for (const item of items) {
    const pred = predict(item.text, item.lang);
    for (const g of item.spans) {
      const t = tally.get(g.category);
      if (!t) continue;
      t.gold++;
      if (pred.some((p) => p.category === g.category && overlaps(p, g))) t.found++;
      else t.misses.push(item.text.slice(g.start, g.end));
    }
    for (const p of pred) {
      const t = tally.get(p.category);
      if (!t) continue;
      t.pred++;
      if (item.spans.some((g) => g.category === p.category && overlaps(p, g))) t.right++;
      else t.wrong.push(`${item.text.slice(p.start, p.end)}  «${item.text}»`);
    }
  }
  console.log(`\n## Guard corpus (${opts.split}): ${items.length} sentences`);
  console.log('category      gold  recall   precision  (pred)');
  for (const [c, t] of tally) {
    console.log(`${c.padEnd(12)} ${String(t.gold).padStart(5)}  ${pct(t.found, t.gold)}   ${pct(t.right, t.pred)}     (${t.pred})`);
  }
  for (const [c, t] of tally) {
    if (t.misses.length > 0) console.log(`  missed ${c}: ${t.misses.slice(0, 12).map((m) => JSON.stringify(m)).join(', ')}${t.misses.length > 12 ? ' …' : ''}`);
    if (t.wrong.length > 0) console.log(`  false ${c}: ${t.wrong.slice(0, 6).join(' | ')}${t.wrong.length > 6 ? ' …' : ''}`);
  }
}

/** Labelled values that must never reach a prompt (vague labels may: they are a warning, not personal data). */
function leaks(items: Item[]): void {
  let checked = 0;
  const leaked: string[] = [];
  const alnum = (s: string): string => s.normalize('NFKC').replace(/[^\p{L}\p{N}]/gu, '');
  for (const item of items) {
    const template = item.lang === 'zh' ? exitZh : exitEn;
    const prompt = buildMessages(template, { kind: 'notes', text: item.text })
      .map((m) => m.content)
      .join('\n');
    const flatPrompt = alnum(prompt);
    // Words the template's own instructions use (骚扰, retaliation …) are not a leak: compare with an empty source.
    const empty = buildMessages(template, { kind: 'notes', text: '。' })
      .map((m) => m.content)
      .join('\n');
    for (const g of item.spans) {
      if (g.category === 'vague') continue;
      checked++;
      const value = item.text.slice(g.start, g.end);
      const flat = alnum(value);
      const inPrompt = prompt.split(value).length > empty.split(value).length;
      if (inPrompt || (g.category !== 'trait' && g.category !== 'allegation' && flat.length >= 4 && flatPrompt.includes(flat) && !alnum(empty).includes(flat))) {
        leaked.push(`${g.category}: ${JSON.stringify(value)}`);
      }
    }
  }
  console.log(`\n## Leaks into prompts: ${leaked.length} of ${checked} labelled values (identifiers, addresses, names, traits, allegations)`);
  for (const l of leaked.slice(0, 30)) console.log(`  leaked ${l}`);
}

function cluener(path: string): void {
  if (!existsSync(path)) {
    console.log(`\n## CLUENER: ${path} not found, skipped`);
    return;
  }
  const lines = readFileSync(path, 'utf8').split('\n').filter((l) => l.trim() !== '');
  const limit = opts.limit ? Number(opts.limit) : lines.length;
  let gold = 0;
  let found = 0;
  let exact = 0;
  let pred = 0;
  let right = 0;
  for (const line of lines.slice(0, limit)) {
    const row = JSON.parse(line) as { text: string; label: Record<string, Record<string, number[][]>> };
    const spans = Object.values(row.label['name'] ?? {}).flat().map(([s, e]) => ({ start: s ?? 0, end: (e ?? 0) + 1 }));
    const hits = scanTerms(row.text, { language: 'zh' }).filter((h) => h.category === 'THIRD_PARTY_NAME');
    gold += spans.length;
    found += spans.filter((g) => hits.some((h) => overlaps(h, g))).length;
    exact += spans.filter((g) => hits.some((h) => h.start === g.start && h.end === g.end)).length;
    pred += hits.length;
    right += hits.filter((h) => spans.some((g) => overlaps(h, g))).length;
  }
  console.log(`\n## CLUENER2020 train, person names: ${Math.min(limit, lines.length)} sentences, ${gold} names`);
  console.log(`recall ${pct(found, gold)} (exact span ${pct(exact, gold)})   precision ${pct(right, pred)} (${pred} predicted)`);
}

interface GuardModule {
  redact: (t: string) => { redactions: Redaction[] };
  scanTerms: (t: string) => GuardHit[];
}

/** The guard as it was at `commit`, checked out into a temporary folder that shares node_modules. */
async function baselineGuard(commit: string): Promise<{ guard: GuardModule; cleanup: () => void } | undefined> {
  try {
    const dir = mkdtempSync(join(tmpdir(), 'liuhen-guard-baseline-'));
    const tar = execFileSync('git', ['archive', commit, 'shared/guard'], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 });
    mkdirSync(dir, { recursive: true });
    execFileSync('tar', ['-x', '-C', dir], { input: tar });
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
    const guard = (await import(pathToFileURL(join(dir, 'shared/guard/index.ts')).href)) as GuardModule;
    return { guard, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
  } catch (e) {
    console.log(`(baseline ${commit} unavailable: ${(e as Error).message})`);
    return undefined;
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

function timeIt(f: () => void, runs = 7): number {
  f(); // warm-up (compiles the term set)
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    f();
    times.push(performance.now() - t0);
  }
  return median(times);
}

async function throughput(items: Item[]): Promise<void> {
  // A transcript of ~60k characters from the corpus sentences, as interviewer/employee turns.
  const turns: string[] = [];
  let n = 0;
  for (let i = 0; n < 60_000; i++) {
    const item = items[i % items.length];
    if (!item) break;
    const line = `${i % 2 === 0 ? '员工' : 'HR'}: ${item.text}`;
    turns.push(line);
    n += line.length + 1;
  }
  const text = turns.join('\n');
  const half = text.slice(0, Math.floor(text.length / 2));
  const now = (t: string) => () => {
    const r = redact(t);
    scanTerms(r.text);
  };
  const today = timeIt(now(text));
  const todayHalf = timeIt(now(half));
  const evidence = timeIt(() => prepareEvidence(exitZh, { kind: 'transcript', text }), 3);
  console.log(`\n## Throughput on a ${text.length}-character transcript (median of 7)`);
  console.log(`today: redact + scan ${today.toFixed(1)} ms (half the text: ${todayHalf.toFixed(1)} ms, ratio ${(today / todayHalf).toFixed(2)} — linear ≈ 2)`);
  console.log(`today: prepareEvidence (redact, scan, withhold per turn) ${evidence.toFixed(1)} ms`);
  const base = await baselineGuard(opts.baseline ?? '1eea48b');
  if (base) {
    const before = timeIt(() => {
      const r = base.guard.redact(text);
      base.guard.scanTerms((r as { text?: string }).text ?? text);
    });
    console.log(`baseline ${opts.baseline}: redact + scan ${before.toFixed(1)} ms → today / baseline = ${(today / before).toFixed(2)}×`);
    base.cleanup();
  }
}

async function main(): Promise<void> {
  const file = resolve(ROOT, 'test/guard-corpus', `${opts.split}.json`);
  const items = (JSON.parse(readFileSync(file, 'utf8')) as { items: Item[] }).items;
  scoreCorpus(items);
  leaks(items);
  cluener(opts.cluener ?? '');
  await throughput(items);
}

await main();
