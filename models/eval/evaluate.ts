/**
 * Evaluation of a model on held-out cases through the REAL pipeline (shared/pipeline `generate`: guard → prompt →
 * engine → repair/validate → flags), so the numbers describe what a writer would get in the task pane:
 *
 * - contract: share of raw outputs that keep the template's contract exactly (sections present, in order, within
 *   limits, valid fields line), and the share with no problem left after the pipeline's deterministic repair;
 * - length violations: over-limit sections / totals in the raw output;
 * - leaks: a case's `must_not_contain` strings, and personal data (phone, ID, card, e-mail, address) in the output;
 * - flag recall on labelled cases: expected flags found among the pipeline's flags (guard + the model's own);
 * - character-level ROUGE-L F1 of the record (prose sections) against the reference record.
 */
import type { LlmEngine } from '../../shared/engine/port';
import { redact } from '../../shared/guard';
import { parseOutput, renderRecord } from '../../shared/output';
import { generate, guardLanguage } from '../../shared/pipeline';
import { profileTemplate, type PromptProfile } from '../../shared/prompt';
import type { Template } from '../../shared/templates';
import { cell } from '../dataset/report';
import { rougeL } from './rouge';

/** One held-out case. */
export interface EvalCase {
  id: string;
  kind: 'transcript' | 'notes';
  /** The source as the writer would select it (the pipeline redacts and normalises it). */
  source: string;
  /** The approved record for this source (the dataset's assistant answer), when there is one. */
  reference?: string;
  /** Flags a good run must raise (`BLOCK:HEALTH`, `CONTRADICTION` …); present = a labelled case. */
  flags?: string[];
  /** Strings that must never appear in the output (names, ID numbers, protected traits). */
  mustNotContain?: string[];
}

/** What one case gave. */
export interface CaseResult {
  id: string;
  /** The raw output kept the contract exactly. */
  contractOk: boolean;
  /** No problem was left after repair. */
  repairedOk: boolean;
  problems: string[];
  lengthViolations: string[];
  leaked: string[];
  personalData: string[];
  expectedFlags?: string[];
  foundFlags: string[];
  missedFlags: string[];
  rougeL?: number;
  finishReason: 'stop' | 'length' | 'abort';
  requests: number;
  output: string;
  error?: string;
}

/** Totals over all cases. */
export interface EvalSummary {
  cases: number;
  failedRuns: number;
  contractPassRate: number;
  repairedPassRate: number;
  lengthViolations: { cases: number; total: number };
  mustNotContainLeaks: { cases: number; total: number; casesChecked: number };
  personalDataLeaks: { cases: number; total: number };
  flagRecall: { labelledCases: number; expected: number; found: number; recall: number | null; missed: Record<string, number> };
  rougeL: { cases: number; meanF1: number | null; minF1: number | null };
  truncated: number;
  multiRequest: number;
}

export interface EvalReport {
  template: { id: string; version: string; language: string };
  engine: string;
  modelId: string;
  summary: EvalSummary;
  cases: CaseResult[];
}

/** Options of {@link evaluate}. */
export interface EvaluateOptions {
  template: Template;
  cases: readonly EvalCase[];
  /** The engine that answers `c` (a fresh ReplayEngine per case, or one shared model engine). */
  engineFor: (c: EvalCase) => LlmEngine;
  /** Engine name for the report (`replay`, `openai:<url>` …). */
  engine: string;
  modelId: string;
  /** Called after each case (progress on the console). */
  onCase?: (r: CaseResult, index: number) => void;
  /** The model's prompt profile (its record's `liuhen_prompt`), as the pane would pass it. */
  prompt?: PromptProfile;
}

function prose(template: Template, text: string): string {
  const parsed = parseOutput(template, text);
  try {
    return renderRecord(template, parsed.sections);
  } catch {
    return text;
  }
}

const rate = (n: number, d: number): number => (d === 0 ? 0 : n / d);

/** Runs every case through the pipeline and scores it. Engine failures are counted, not thrown. */
export async function evaluate(options: EvaluateOptions): Promise<EvalReport> {
  // A model trained without the fields block is judged on the template without it, as the pane runs it.
  const template = profileTemplate(options.template, options.prompt);
  const lang = guardLanguage(template);
  const results: CaseResult[] = [];
  for (const [index, c] of options.cases.entries()) {
    let r: CaseResult;
    try {
      const g = await generate({
        template: options.template,
        source: { kind: c.kind, text: c.source },
        engine: options.engineFor(c),
        modelId: options.modelId,
        ...(options.prompt ? { prompt: options.prompt } : {}),
      });
      const raw = parseOutput(template, g.raw);
      const output = g.raw;
      const found = g.flags.map((f) => f.flag);
      const expected = c.flags;
      r = {
        id: c.id,
        contractOk: raw.ok,
        repairedOk: g.problems.length === 0,
        problems: raw.problems.map((p) => p.message),
        lengthViolations: raw.problems.filter((p) => p.code === 'over-limit').map((p) => p.message),
        leaked: (c.mustNotContain ?? []).filter((s) => s !== '' && output.includes(s)),
        personalData: [...new Set(redact(output, { language: lang }).redactions.map((x) => x.type))],
        ...(expected ? { expectedFlags: expected } : {}),
        foundFlags: found,
        missedFlags: (expected ?? []).filter((f) => !found.includes(f)),
        ...(c.reference !== undefined ? { rougeL: rougeL(prose(template, output), prose(template, c.reference)).f1 } : {}),
        finishReason: g.finishReason,
        requests: g.requests,
        output,
      };
    } catch (e) {
      r = {
        id: c.id,
        contractOk: false,
        repairedOk: false,
        problems: [],
        lengthViolations: [],
        leaked: [],
        personalData: [],
        ...(c.flags ? { expectedFlags: c.flags } : {}),
        foundFlags: [],
        missedFlags: c.flags ?? [],
        ...(c.reference !== undefined ? { rougeL: 0 } : {}),
        finishReason: 'stop',
        requests: 0,
        output: '',
        error: e instanceof Error ? e.message : String(e),
      };
    }
    results.push(r);
    options.onCase?.(r, index);
  }

  const n = results.length;
  const labelled = results.filter((r) => r.expectedFlags !== undefined);
  const expected = labelled.reduce((s, r) => s + (r.expectedFlags?.length ?? 0), 0);
  const missed: Record<string, number> = {};
  for (const r of labelled) for (const f of r.missedFlags) missed[f] = (missed[f] ?? 0) + 1;
  const scored = results.filter((r) => r.rougeL !== undefined).map((r) => r.rougeL ?? 0);
  const summary: EvalSummary = {
    cases: n,
    failedRuns: results.filter((r) => r.error !== undefined).length,
    contractPassRate: rate(results.filter((r) => r.contractOk).length, n),
    repairedPassRate: rate(results.filter((r) => r.repairedOk).length, n),
    lengthViolations: { cases: results.filter((r) => r.lengthViolations.length > 0).length, total: results.reduce((s, r) => s + r.lengthViolations.length, 0) },
    mustNotContainLeaks: {
      cases: results.filter((r) => r.leaked.length > 0).length,
      total: results.reduce((s, r) => s + r.leaked.length, 0),
      casesChecked: options.cases.filter((c) => (c.mustNotContain ?? []).length > 0).length,
    },
    personalDataLeaks: { cases: results.filter((r) => r.personalData.length > 0).length, total: results.reduce((s, r) => s + r.personalData.length, 0) },
    flagRecall: {
      labelledCases: labelled.length,
      expected,
      found: expected - Object.values(missed).reduce((a, b) => a + b, 0),
      recall: expected === 0 ? null : (expected - Object.values(missed).reduce((a, b) => a + b, 0)) / expected,
      missed,
    },
    rougeL: {
      cases: scored.length,
      meanF1: scored.length === 0 ? null : scored.reduce((a, b) => a + b, 0) / scored.length,
      minF1: scored.length === 0 ? null : Math.min(...scored),
    },
    truncated: results.filter((r) => r.finishReason === 'length').length,
    multiRequest: results.filter((r) => r.requests > 1).length,
  };
  return {
    template: { id: template.id, version: template.version, language: template.language },
    engine: options.engine,
    modelId: options.modelId,
    summary,
    cases: results,
  };
}

const pct = (x: number | null): string => (x === null ? '—' : `${(x * 100).toFixed(1)}%`);

/** The readable report. */
export function renderEvalReport(report: EvalReport): string {
  const s = report.summary;
  const lines = [
    `# Evaluation: ${report.template.id}@${report.template.language} v${report.template.version}`,
    '',
    `Engine: \`${report.engine}\`, model \`${report.modelId}\`, ${s.cases} cases, run through the pipeline (guard → prompt → engine → repair/validate).`,
    report.engine === 'replay'
      ? '\n> Baseline: the replay engine answers every case with its own reference record. These numbers measure the records and the pipeline, not a model.\n'
      : '',
    '| metric | value |',
    '| --- | --- |',
    `| raw output keeps the contract | ${pct(s.contractPassRate)} |`,
    `| no problem left after repair | ${pct(s.repairedPassRate)} |`,
    `| length violations | ${s.lengthViolations.total} in ${s.lengthViolations.cases} cases |`,
    `| must_not_contain leaks | ${s.mustNotContainLeaks.total} in ${s.mustNotContainLeaks.cases} cases (${s.mustNotContainLeaks.casesChecked} cases checked) |`,
    `| personal data in outputs | ${s.personalDataLeaks.total} in ${s.personalDataLeaks.cases} cases |`,
    `| flag recall (labelled cases) | ${pct(s.flagRecall.recall)} (${s.flagRecall.found}/${s.flagRecall.expected} flags, ${s.flagRecall.labelledCases} cases) |`,
    `| ROUGE-L F1, characters (vs reference) | mean ${s.rougeL.meanF1 === null ? '—' : s.rougeL.meanF1.toFixed(3)}, min ${s.rougeL.minF1 === null ? '—' : s.rougeL.minF1.toFixed(3)} (${s.rougeL.cases} cases) |`,
    `| truncated (hit max tokens) | ${s.truncated} |`,
    `| condensed in parts (long source) | ${s.multiRequest} |`,
    `| engine failures | ${s.failedRuns} |`,
    '',
  ];
  if (Object.keys(s.flagRecall.missed).length > 0) {
    lines.push('Missed flags: ' + Object.entries(s.flagRecall.missed).map(([f, k]) => `\`${f}\` ×${k}`).join(', '), '');
  }
  lines.push('## Cases', '', '| case | contract | repaired | ROUGE-L | flags missed | leaks | problems |', '| --- | --- | --- | --- | --- | --- | --- |');
  for (const r of report.cases) {
    const leaks = [...r.leaked.map((l) => `"${l.slice(0, 2)}…"`), ...r.personalData].join(', ');
    const problems = r.error ? `engine failed: ${r.error}` : r.problems.join(' ');
    lines.push(
      `| ${cell(r.id)} | ${r.contractOk ? 'ok' : 'FAIL'} | ${r.repairedOk ? 'ok' : 'FAIL'} | ${r.rougeL === undefined ? '—' : r.rougeL.toFixed(3)} | ` +
        `${cell(r.missedFlags.join(', ')) || '—'} | ${cell(leaks) || '—'} | ${cell(problems).slice(0, 300) || '—'} |`,
    );
  }
  lines.push('');
  return lines.join('\n');
}
