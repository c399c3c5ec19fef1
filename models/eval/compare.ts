/**
 * Judging models on their own output: the files `liuhen_models generate` writes (one JSON line per case: the
 * case, the prompt the model was sent, what it wrote under the pane's grammar) are replayed through the real
 * pipeline with {@link RecordedEngine} and scored like any engine; several files side by side make the
 * comparison table of `npm run eval -- --compare base,ft-v1,ft-v2` (base vs fine-tuned, version vs version).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promptProfileOf } from '../../shared/engine/model-record';
import type { PromptProfile } from '../../shared/prompt';
import type { Template } from '../../shared/templates';
import { cell } from '../dataset/report';
import { CaseReadError } from './cases';
import { RecordedEngine } from './engines';
import { evaluate, type EvalCase, type EvalReport } from './evaluate';

/** One case as `liuhen_models generate` wrote it. */
interface GeneratedLine {
  id: string;
  kind: 'transcript' | 'notes';
  source: string;
  reference?: string;
  flags?: string[];
  must_not_contain?: string[];
  model: string;
  profile?: { profile: 'full' | 'compact'; fields?: boolean };
  messages: { role: string; content: string }[];
  output: string;
  prompt_tokens: number;
  completion_tokens: number;
  finish_reason: 'stop' | 'length';
}

/** A model's generations, read. */
export interface Generations {
  label: string;
  file: string;
  profile: PromptProfile;
  lines: GeneratedLine[];
}

/** Reads a generations file; every problem names the line. */
export function readGenerations(text: string, file: string, label?: string): Generations {
  const lines: GeneratedLine[] = [];
  text.split(/\r?\n/).forEach((l, i) => {
    if (l.trim() === '') return;
    const where = `${file}:${i + 1}`;
    let o: Partial<GeneratedLine>;
    try {
      o = JSON.parse(l) as Partial<GeneratedLine>;
    } catch {
      throw new CaseReadError(`${where}: not JSON`);
    }
    if (typeof o.source !== 'string' || typeof o.output !== 'string' || !Array.isArray(o.messages) || typeof o.id !== 'string') {
      throw new CaseReadError(`${where}: not a line written by liuhen_models generate (needs id, source, messages, output)`);
    }
    lines.push(o as GeneratedLine);
  });
  if (lines.length === 0) throw new CaseReadError(`${file}: no generations`);
  const first = lines[0] as GeneratedLine;
  const profiles = new Set(lines.map((l) => JSON.stringify(l.profile ?? null)));
  if (profiles.size > 1) throw new CaseReadError(`${file}: the lines were generated with different prompt profiles`);
  const record = { model: '', model_id: '', model_lib: '', ...(first.profile ? { liuhen_prompt: first.profile } : {}) };
  return { label: label ?? first.model, file, profile: promptProfileOf(record), lines };
}

/** Where `--compare` finds a model: `name=path`, a path, or `<dir>/<name>.jsonl` (generate's default). */
export function resolveGenerations(spec: string, dir: string): { label: string; file: string } {
  const eq = spec.indexOf('=');
  if (eq > 0) return { label: spec.slice(0, eq), file: spec.slice(eq + 1) };
  if (spec.endsWith('.jsonl') || existsSync(spec)) return { label: path.basename(spec, '.jsonl'), file: spec };
  return { label: spec, file: path.join(dir, `${spec}.jsonl`) };
}

/** The report of one model's generations, and its mean prompt / completion tokens (the model's own tokenizer). */
export interface GeneratedReport {
  label: string;
  profile: PromptProfile;
  report: EvalReport;
  meanPromptTokens: number;
  meanCompletionTokens: number;
  mismatchedPrompts: number;
}

/** Runs a model's generations through the pipeline and scores them. */
export async function evaluateGenerations(template: Template, g: Generations, contextWindow = 4096): Promise<GeneratedReport> {
  const cases: EvalCase[] = g.lines.map((l) => ({
    id: l.id,
    kind: l.kind,
    source: l.source,
    ...(l.reference !== undefined ? { reference: l.reference } : {}),
    ...(l.flags ? { flags: l.flags } : {}),
    ...(l.must_not_contain ? { mustNotContain: l.must_not_contain } : {}),
  }));
  const byId = new Map(g.lines.map((l) => [l.id, l]));
  const report = await evaluate({
    template,
    cases,
    prompt: g.profile,
    engine: `generated:${g.label}`,
    modelId: g.label,
    engineFor: (c) => {
      const l = byId.get(c.id) as GeneratedLine;
      return new RecordedEngine(l.output, l.messages, contextWindow);
    },
  });
  // A generation cut at max tokens is truncated for the pane too: keep that in the numbers.
  for (const r of report.cases) if (byId.get(r.id)?.finish_reason === 'length') r.finishReason = 'length';
  report.summary.truncated = report.cases.filter((r) => r.finishReason === 'length').length;
  const mean = (f: (l: GeneratedLine) => number): number => g.lines.reduce((s, l) => s + f(l), 0) / g.lines.length;
  return {
    label: g.label,
    profile: g.profile,
    report,
    meanPromptTokens: mean((l) => l.prompt_tokens),
    meanCompletionTokens: mean((l) => l.completion_tokens),
    mismatchedPrompts: report.cases.filter((r) => r.error?.startsWith('prompt mismatch') === true).length,
  };
}

const pct = (x: number | null): string => (x === null ? '—' : `${(x * 100).toFixed(1)}%`);

/** One Markdown table, a column per model. */
export function renderCompareTable(reports: readonly GeneratedReport[]): string {
  const row = (name: string, f: (r: GeneratedReport) => string): string => `| ${name} | ${reports.map((r) => cell(f(r))).join(' | ')} |`;
  return [
    `| metric | ${reports.map((r) => cell(r.label)).join(' | ')} |`,
    `| --- | ${reports.map(() => '---').join(' | ')} |`,
    row('prompt profile', (r) => `${r.profile.style}${r.profile.fields ? '' : ', no fields'}`),
    row('cases', (r) => String(r.report.summary.cases)),
    row('raw output keeps the contract', (r) => pct(r.report.summary.contractPassRate)),
    row('no problem left after repair', (r) => pct(r.report.summary.repairedPassRate)),
    row('length violations', (r) => String(r.report.summary.lengthViolations.total)),
    row('must_not_contain leaks', (r) => String(r.report.summary.mustNotContainLeaks.total)),
    row('personal data in outputs', (r) => String(r.report.summary.personalDataLeaks.total)),
    row('flag recall', (r) => pct(r.report.summary.flagRecall.recall)),
    row('ROUGE-L F1 (characters)', (r) => (r.report.summary.rougeL.meanF1 === null ? '—' : r.report.summary.rougeL.meanF1.toFixed(3))),
    row('truncated (max tokens)', (r) => String(r.report.summary.truncated)),
    row('mean prompt tokens', (r) => r.meanPromptTokens.toFixed(0)),
    row('mean completion tokens', (r) => r.meanCompletionTokens.toFixed(0)),
    row('prompt mismatches', (r) => String(r.mismatchedPrompts)),
  ].join('\n');
}

/** Reads a generations file from disk. */
export function loadGenerations(file: string, label?: string): Generations {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new CaseReadError(`${file}: cannot read (${(e as Error).message}); write it with liuhen_models generate`);
  }
  return readGenerations(text, file, label);
}
