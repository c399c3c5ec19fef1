/**
 * `npm run bench:core` — numbers for the host-agnostic core, on the CPU (no browser, no model):
 *
 *   1. per fixture (../shared/fixtures): the prompt that `render` builds with the fixture's template
 *      (exit-interview zh/en by the fixture's language, talent-review for table rows), after the guard has
 *      redacted the source and shared/source has normalised it — characters and estimated Qwen2.5 tokens of
 *      the system and user messages, and the output budget (`deriveContract(...).maxTokens`);
 *   2. the guard's throughput (`guardText`: redaction + term scan + name detection, and each part alone) on a
 *      ~60,000-character transcript built from the fixtures — median of several runs — against a baseline of one
 *      trivial regex pass over the same text, and the ratio guard / baseline.
 *
 * Options: --runs N (default 15), --chars N (default 60000). The machine may be shared: the best run is printed
 * next to the median, and the ratio uses medians.
 */
import { exitInterviewCases, talentReviewCases, talentRowText } from '../test/fixtures';
import { guardText, redact, scanTerms } from '../shared/guard';
import { deriveContract } from '../shared/output';
import { render, type PromptSource } from '../shared/prompt';
import { estimateTokens, normaliseSource } from '../shared/source';
import { BUILTIN_TEMPLATES, type Template } from '../shared/templates';

const argv = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
const RUNS = Math.max(3, Number(option('runs') ?? '15'));
const TARGET_CHARS = Math.max(1000, Number(option('chars') ?? '60000'));

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? NaN) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
};

function template(id: string, lang: 'zh' | 'en'): Template {
  const t = BUILTIN_TEMPLATES.find((x) => x.id === id && x.language === (lang === 'zh' ? 'zh-CN' : 'en'));
  if (!t) throw new Error(`no built-in template ${id} for ${lang}`);
  return t;
}

function table(header: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number>>, align: ReadonlyArray<'l' | 'r'>): void {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const width = header.map((_, j) => Math.max(...cells.map((r) => [...(r[j] ?? '')].length)));
  const pad = (s: string, j: number): string => {
    const n = (width[j] ?? 0) - [...s].length;
    return align[j] === 'r' ? ' '.repeat(n) + s : s + ' '.repeat(n);
  };
  const line = (r: readonly string[]): string => `  ${r.map((c, j) => pad(c, j)).join('  ')}`;
  console.log(line(header));
  console.log(`  ${width.map((w) => '-'.repeat(w)).join('  ')}`);
  for (const r of cells.slice(1)) console.log(line(r));
}

// --- 1. prompt sizes ----------------------------------------------------------------------------------------
function promptSizes(): void {
  console.log('Prompt size per fixture (source redacted by the guard and normalised, then render(template, source))\n');
  const rows: Array<Array<string | number>> = [];
  const add = (id: string, t: Template, source: PromptSource): void => {
    const [system, user] = render(t, source);
    const sys = system?.content ?? '';
    const usr = user?.content ?? '';
    const sysTok = estimateTokens(sys);
    const usrTok = estimateTokens(usr);
    const budget = deriveContract(t).maxTokens;
    rows.push([id, `${t.id}@${t.language}`, source.kind, sys.length, sysTok, usr.length, usrTok, sys.length + usr.length, sysTok + usrTok, budget, sysTok + usrTok + budget]);
  };
  for (const c of exitInterviewCases()) {
    const t = template('exit-interview', c.lang);
    const redacted = guardText(c.source).redacted.text;
    add(c.id, t, { kind: c.kind, text: normaliseSource(redacted, c.kind).text });
  }
  for (const c of talentReviewCases()) {
    const t = template('talent-review', c.lang);
    add(c.id, t, { kind: 'table-row', text: guardText(talentRowText(c)).redacted.text });
  }
  table(
    ['fixture', 'template', 'kind', 'sys chars', 'sys tok', 'user chars', 'user tok', 'chars', 'tokens', 'out budget', 'tok+budget'],
    rows,
    ['l', 'l', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
  );
  console.log('\n  tokens: shared/source estimateTokens (errs high); out budget: deriveContract(template).maxTokens');
}

// --- 2. guard throughput ------------------------------------------------------------------------------------
/** A long transcript from the fixtures: every exit source and every talent row, turns renumbered, repeated. */
function longTranscript(target: number): string {
  const pieces = [...exitInterviewCases().map((c) => c.source), ...talentReviewCases().map(talentRowText)];
  const lines: string[] = [];
  let length = 0;
  let turn = 1;
  for (let round = 0; length < target; round++) {
    for (const piece of pieces) {
      for (const raw of piece.split('\n')) {
        const line = `T${turn++} ${raw.replace(/^[TN]\d+\s*/, '')}`;
        lines.push(line);
        length += line.length + 1;
      }
    }
  }
  return lines.join('\n');
}

function time(fn: () => unknown): number[] {
  for (let i = 0; i < 2; i++) fn(); // warm-up: compile term data, JIT
  const ms: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    fn();
    ms.push(performance.now() - t0);
  }
  return ms;
}

function throughput(): void {
  const text = longTranscript(TARGET_CHARS);
  const bytes = new TextEncoder().encode(text).length;
  console.log(`\nGuard throughput on a ${text.length.toLocaleString('en')}-character transcript built from the fixtures (${bytes.toLocaleString('en')} UTF-8 bytes), median of ${RUNS} runs\n`);
  let sink = 0;
  const baselineRe = /\d+/g;
  const cases: Array<[string, () => unknown]> = [
    ['guardText (redact + scan + names)', () => (sink += guardText(text).hits.length)],
    ['  redact only', () => (sink += redact(text).redactions.length)],
    ['  scanTerms only (names on)', () => (sink += scanTerms(text).length)],
    ['  scanTerms only (names off)', () => (sink += scanTerms(text, { detectNames: false }).length)],
    ['baseline: one /\\d+/g pass', () => {
      let n = 0;
      for (const _ of text.matchAll(baselineRe)) n++;
      sink += n;
    }],
  ];
  const results = cases.map(([label, fn]) => {
    const runs = time(fn);
    return { label, ms: median(runs), best: Math.min(...runs) };
  });
  const baseline = results[results.length - 1]?.ms ?? NaN;
  table(
    ['what', 'ms/run', 'best ms', 'chars/s', 'MB/s', '× baseline'],
    results.map((r) => [
      r.label,
      r.ms.toFixed(2),
      r.best.toFixed(2),
      Math.round((text.length / r.ms) * 1000).toLocaleString('en'),
      ((bytes / r.ms) * 1000 / 1e6).toFixed(2),
      (r.ms / baseline).toFixed(1),
    ]),
    ['l', 'r', 'r', 'r', 'r', 'r'],
  );
  const g = guardText(text);
  console.log(`\n  found: ${g.redacted.redactions.length} redactions, ${g.hits.length} term hits, ${g.flags.length} distinct flags (check value ${sink % 1000})`);
}

console.log(`Liuhen core bench — node ${process.version}, ${new Date().toISOString()}\n`);
promptSizes();
throughput();
