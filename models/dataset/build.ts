/**
 * The dataset builder: validates the admin's records against a template and renders each one into the chat
 * example a LoRA is trained on — system + user exactly as inference sends them (./prompt), assistant = the
 * record in the contract's canonical form (shared/output `renderOutput`, the form the grammar-constrained model
 * writes). It then splits the examples (seeded) and describes the result in a data card.
 *
 * Every problem names its row. Errors make a row unusable; warnings are things a person should look at
 * (suspected label inconsistencies, wording the guard flags) but that do not stop a build.
 */
import { createHash } from 'node:crypto';
import { guardText } from '../../shared/guard';
import { profileTemplate, type ChatMessage, type PromptProfile } from '../../shared/prompt';
import { deriveContract, parseOutput, renderOutput } from '../../shared/output';
import { guardLanguage, promptTokens } from '../../shared/pipeline';
import type { Template } from '../../shared/templates';
import { bigrams, jaccard, rougeL } from '../eval/rouge';
import { inferencePrompt, type ExampleKind } from './prompt';
import type { RawRow, ReadResult } from './read';

/** Bump when the rendering of examples changes (the data card records it). */
export const BUILDER_VERSION = '1.1.0';

export type IssueSeverity = 'error' | 'warning';

/** One finding about the records. `rows` are 1-based data rows; the first is the row the issue is about. */
export interface DatasetIssue {
  severity: IssueSeverity;
  code:
    | 'read'
    | 'empty-input'
    | 'empty-output'
    | 'kind'
    | 'contract'
    | 'personal-data'
    | 'protected-trait'
    | 'third-party-name'
    | 'guard-warning'
    | 'too-long'
    | 'duplicate'
    | 'same-input-different-output'
    | 'same-output-different-input'
    | 'inconsistent-labels';
  rows: number[];
  message: string;
}

/** One rendered training example. */
export interface Example {
  row: number;
  kind: ExampleKind;
  /** system, user (as inference sends them), assistant (canonical record). */
  messages: [ChatMessage, ChatMessage, ChatMessage];
  /** The normalised, redacted source that went into the user message (no personal data). */
  source: string;
  /** Structured fields of the record, when the template has them (for label-consistency checks and eval). */
  fields?: unknown;
}

/** Options of {@link buildDataset}. */
export interface BuildOptions {
  /** Source kind of rows without a `kind` cell (default: the template's first text source kind). */
  kind?: ExampleKind;
  /** Share of examples held out for validation (default 0.1; at least one example). */
  validationFraction?: number;
  /** Seed of the train/validation split (default 42). */
  seed?: number;
  /** The smallest context window the model will run with, in tokens (default 4096, Liuhen's records). */
  contextWindow?: number;
  /** Build from the valid rows even when some rows have errors. */
  skipInvalid?: boolean;
  /**
   * The prompt profile the model will be trained and run with (default `compact`: a fine-tuned model does not
   * need the full format description; see shared/prompt).
   */
  prompt?: 'full' | 'compact';
  /**
   * The structured-fields block of templates that have one. `auto` (default): kept when the records carry it;
   * when NO record does (the seed format: the three sections only), the model is trained — and must be run —
   * without it. `omit`: dropped from every record.
   */
  fields?: 'auto' | 'omit';
  /** File name and SHA-256 of the records file, for the data card. */
  input?: { name: string; sha256: string };
  /** Time written into the data card (default: now). */
  now?: Date;
}

/** Counts, provenance and hashes of a built dataset. */
export interface DataCard {
  builder: { name: 'liuhen-dataset'; version: string };
  createdAt: string;
  template: { id: string; version: string; language: string; name: string };
  input?: { name: string; sha256: string; format: 'csv' | 'jsonl' };
  counts: {
    rows: number;
    valid: number;
    withErrors: number;
    warnings: number;
    train: number;
    validation: number;
    byKind: Record<string, number>;
    /** Pieces of personal data removed from the inputs before rendering (by type). */
    redactedInInputs: Record<string, number>;
    /** Turns whose protected-trait sentences or third-party names were withheld from the prompt (by flag). */
    withheldInInputs: Record<string, number>;
  };
  split: { seed: number; validationFraction: number };
  contextWindow: number;
  /** The prompt profile every example was rendered with; the model must be run with the same one. */
  prompt: { profile: 'full' | 'compact'; fields: boolean };
  /** SHA-256 of the system prompt every example carries (changes when the template changes). */
  systemPromptSha256: string;
  /** SHA-256 of train.jsonl and val.jsonl as written. */
  files: { train: { name: 'train.jsonl'; sha256: string; examples: number }; validation: { name: 'val.jsonl'; sha256: string; examples: number } };
}

/** What {@link buildDataset} returns. `built` is false when errors stopped the build. */
export interface BuildResult {
  built: boolean;
  /** Why nothing was built, when `built` is false. */
  refusal?: string;
  issues: DatasetIssue[];
  examples: Example[];
  train: Example[];
  validation: Example[];
  trainJsonl: string;
  validationJsonl: string;
  card: DataCard;
}

export function sha256(text: string | Uint8Array): string {
  return createHash('sha256').update(text).digest('hex');
}

/** A small, fast seeded PRNG (mulberry32): the same seed always gives the same split, on every machine. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Seeded hold-out split; both parts keep the file's order. */
export function splitExamples<T>(items: readonly T[], fraction: number, seed: number): { train: T[]; validation: T[] } {
  if (items.length < 2) return { train: [...items], validation: [] };
  const order = items.map((_, i) => i);
  const random = mulberry32(seed);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j] ?? 0, order[i] ?? 0];
  }
  const nVal = Math.min(items.length - 1, Math.max(1, Math.round(items.length * fraction)));
  const val = new Set(order.slice(0, nVal));
  return {
    train: items.filter((_, i) => !val.has(i)),
    validation: items.filter((_, i) => val.has(i)),
  };
}

/** One JSONL line per example: the chat the trainer reads, plus where it came from (no personal data). */
export function exampleLine(e: Example): string {
  return JSON.stringify({ messages: e.messages, meta: { row: e.row, kind: e.kind, source: e.source } });
}

/** Whitespace-insensitive key for duplicate detection. */
function key(text: string): string {
  return text.normalize('NFKC').replace(/\s+/gu, ' ').trim();
}

function reasonCodes(fields: unknown): string | undefined {
  if (typeof fields !== 'object' || fields === null) return undefined;
  const reasons = (fields as { reasons?: unknown }).reasons;
  if (!Array.isArray(reasons)) return undefined;
  const codes = reasons
    .map((r) => (typeof r === 'object' && r !== null ? (r as { code?: unknown }).code : undefined))
    .filter((c): c is string | number => typeof c === 'string' || typeof c === 'number')
    .map(String);
  return codes.length > 0 ? [...new Set(codes)].sort().join('+') : undefined;
}

function defaultKind(template: Template): ExampleKind {
  return (template.sources.find((s) => s === 'transcript' || s === 'notes') as ExampleKind | undefined) ?? 'transcript';
}

interface RowCheck {
  example?: Example;
  issues: DatasetIssue[];
  redactions: string[];
  withheld: string[];
}

/** The record without its fields block (the heading line and what follows), for `fields: 'omit'`. */
function withoutFieldsBlock(template: Template, output: string): string {
  const heading = template.fields?.heading;
  if (!heading) return output;
  const lines = output.split(/\r?\n/);
  const at = lines.findIndex((l) => l.trim().startsWith(heading));
  return at < 0 ? output : lines.slice(0, at).join('\n');
}

function checkRow(template: Template, row: RawRow, kindDefault: ExampleKind, budget: number, profile: PromptProfile, full: Template): RowCheck {
  const issues: DatasetIssue[] = [];
  const at = `row ${row.row} (line ${row.line})`;
  const rows = [row.row];
  const kind = row.kind ?? kindDefault;
  if (!(template.sources as readonly string[]).includes(kind)) {
    issues.push({ severity: 'error', code: 'kind', rows, message: `${at}: template ${template.id} takes ${template.sources.join(' or ')}, not ${kind}` });
  }
  if (row.input.trim() === '') issues.push({ severity: 'error', code: 'empty-input', rows, message: `${at}: input is empty` });
  if (row.output.trim() === '') issues.push({ severity: 'error', code: 'empty-output', rows, message: `${at}: output is empty` });
  if (issues.length > 0) return { issues, redactions: [], withheld: [] };

  const prompt = inferencePrompt(full, kind, row.input, profile);
  const tokens = promptTokens(prompt.messages);
  if (tokens > budget) {
    issues.push({
      severity: 'error',
      code: 'too-long',
      rows,
      message: `${at}: input is too long for one prompt (≈${tokens} tokens; at most ${budget} leave room for the answer); ` +
        'the task pane would condense it in parts, so it cannot be a training example as one prompt — shorten it',
    });
  }

  const output = profile.fields ? row.output : withoutFieldsBlock(full, row.output);
  const parsed = parseOutput(template, output);
  if (!parsed.ok) {
    const detail = parsed.problems.map((p) => p.message).join(' ');
    const seedHint = full.fields && parsed.problems.some((p) => p.code === 'fields-missing')
      ? ` (other rows have ${full.fields.heading}: give it in every row, or in none — records with the sections only are accepted, and the model is then trained and run without the fields; --fields omit drops it everywhere)`
      : '';
    issues.push({ severity: 'error', code: 'contract', rows, message: `${at}: output does not keep the ${template.id} contract: ${detail}${seedHint}` });
  }

  const guard = guardText(output, { language: guardLanguage(template) });
  if (guard.redacted.redactions.length > 0) {
    const types = [...new Set(guard.redacted.redactions.map((r) => r.type))].join(', ');
    issues.push({ severity: 'error', code: 'personal-data', rows, message: `${at}: output contains personal data (${types}); remove it — the model would learn to write it` });
  }
  for (const hit of guard.hits) {
    if (hit.action === 'BLOCK') {
      issues.push({ severity: 'error', code: 'protected-trait', rows, message: `${at}: output records "${hit.match}" (${hit.flag}): ${hit.message}` });
    } else if (hit.flag === 'THIRD_PARTY_NAME') {
      issues.push({ severity: 'error', code: 'third-party-name', rows, message: `${at}: output names a person ("${hit.match}"); refer to the role instead` });
    } else {
      issues.push({ severity: 'warning', code: 'guard-warning', rows, message: `${at}: output has "${hit.match}" (${hit.flag}): ${hit.message}` });
    }
  }
  if (issues.some((i) => i.severity === 'error') || !parsed.ok) return { issues, redactions: prompt.redactions, withheld: prompt.withheld.flatMap((w) => w.reasons) };

  const target = renderOutput(template, parsed.sections, parsed.fields);
  const example: Example = {
    row: row.row,
    kind,
    messages: [
      prompt.messages[0] ?? { role: 'system', content: '' },
      prompt.messages[1] ?? { role: 'user', content: '' },
      { role: 'assistant', content: target },
    ],
    source: prompt.sourceText,
    ...(parsed.fields !== undefined ? { fields: parsed.fields } : {}),
  };
  return { example, issues, redactions: prompt.redactions, withheld: prompt.withheld.flatMap((w) => w.reasons) };
}

/** Duplicates and suspected label inconsistencies between rows (only rows without errors are compared). */
function crossRowIssues(rows: readonly { row: RawRow; example: Example }[]): DatasetIssue[] {
  const issues: DatasetIssue[] = [];
  const duplicateOf = new Set<number>();
  const byPair = new Map<string, number>();
  const byInput = new Map<string, { row: number; output: string }>();
  const byOutput = new Map<string, { row: number; input: string }>();
  for (const { row, example } of rows) {
    const i = key(row.input);
    const o = key(example.messages[2].content);
    const pair = `${i}\u0000${o}`;
    const first = byPair.get(pair);
    if (first !== undefined) {
      duplicateOf.add(row.row);
      issues.push({ severity: 'error', code: 'duplicate', rows: [row.row, first], message: `row ${row.row} (line ${row.line}): duplicate of row ${first} (same input and output); a repeated example is over-weighted` });
      continue;
    }
    byPair.set(pair, row.row);
    const sameInput = byInput.get(i);
    if (sameInput !== undefined) {
      issues.push({
        severity: 'warning',
        code: 'same-input-different-output',
        rows: [row.row, sameInput.row],
        message: `row ${row.row} (line ${row.line}): same input as row ${sameInput.row} but a different record; keep the better one, or the model learns both`,
      });
    } else byInput.set(i, { row: row.row, output: o });
    const sameOutput = byOutput.get(o);
    if (sameOutput !== undefined) {
      issues.push({
        severity: 'warning',
        code: 'same-output-different-input',
        rows: [row.row, sameOutput.row],
        message: `row ${row.row} (line ${row.line}): same record as row ${sameOutput.row} for a different input; a copied record teaches the model to ignore the input`,
      });
    } else byOutput.set(o, { row: row.row, input: i });
  }

  // Near-identical inputs whose records disagree (different reason codes, or very different wording). Each row is
  // reported once, against the first such row before it; bigram sets are computed once per row.
  const candidates = rows
    .filter((r) => !duplicateOf.has(r.row.row))
    .map((r) => ({ ...r, grams: bigrams(r.example.source), input: key(r.row.input), output: key(r.example.messages[2].content), codes: reasonCodes(r.example.fields) }));
  for (let b = 1; b < candidates.length; b++) {
    const y = candidates[b];
    if (!y) continue;
    for (let a = 0; a < b; a++) {
      const x = candidates[a];
      if (!x || x.input === y.input || x.output === y.output) continue; // reported above
      if (jaccard(x.grams, y.grams) < 0.8) continue;
      const codesDiffer = x.codes !== undefined && y.codes !== undefined && x.codes !== y.codes;
      const wording = codesDiffer ? 0 : rougeL(x.example.messages[2].content, y.example.messages[2].content).f1;
      if (codesDiffer || wording < 0.5) {
        const why = codesDiffer ? `reason codes ${y.codes ?? ''} vs ${x.codes ?? ''}` : `records share only ${Math.round(wording * 100)}% of their wording`;
        issues.push({
          severity: 'warning',
          code: 'inconsistent-labels',
          rows: [y.row.row, x.row.row],
          message: `row ${y.row.row} (line ${y.row.line}): input is nearly the same as row ${x.row.row} but the records differ (${why}); check that both are labelled the same way`,
        });
        break;
      }
    }
  }
  return issues;
}

/** Validates the records and renders the dataset. Never throws on bad rows: they become issues. */
export function buildDataset(template: Template, read: ReadResult, options: BuildOptions = {}): BuildResult {
  // The seed format: when no record carries the fields block, train (and later run) without it.
  const full = template;
  const fieldsHeading = full.fields?.heading;
  const withFields = fieldsHeading !== undefined && options.fields !== 'omit' && read.rows.some((r) => r.output.includes(fieldsHeading));
  const profile: PromptProfile = { style: options.prompt ?? 'compact', fields: withFields };
  template = profileTemplate(full, profile);
  const seed = options.seed ?? 42;
  const validationFraction = options.validationFraction ?? 0.1;
  const contextWindow = options.contextWindow ?? 4096;
  const kindDefault = options.kind ?? defaultKind(template);
  // The pipeline sends a source in one prompt when promptTokens + maxTokens + 32 (its safety margin) fit the window.
  const budget = contextWindow - deriveContract(template).maxTokens - 32;

  const issues: DatasetIssue[] = read.problems.map((p) => ({ severity: 'error', code: 'read', rows: [p.row], message: `row ${p.row} (line ${p.line}): ${p.message}` }));
  const badRows = new Set(read.problems.map((p) => p.row));
  const checked: { row: RawRow; example: Example }[] = [];
  const redactedInInputs: Record<string, number> = {};
  const withheldInInputs: Record<string, number> = {};
  for (const row of read.rows) {
    const r = checkRow(template, row, kindDefault, budget, profile, full);
    issues.push(...r.issues);
    for (const t of r.redactions) redactedInInputs[t] = (redactedInInputs[t] ?? 0) + 1;
    for (const f of r.withheld) withheldInInputs[f] = (withheldInInputs[f] ?? 0) + 1;
    if (r.example && !badRows.has(row.row)) checked.push({ row, example: r.example });
    else badRows.add(row.row);
  }
  const cross = crossRowIssues(checked);
  issues.push(...cross);
  for (const i of cross) if (i.severity === 'error' && i.rows[0] !== undefined) badRows.add(i.rows[0]);
  issues.sort((a, b) => (a.rows[0] ?? 0) - (b.rows[0] ?? 0) || (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1));

  const examples = checked.filter((c) => !badRows.has(c.row.row)).map((c) => c.example);
  const errors = issues.filter((i) => i.severity === 'error');
  const totalRows = new Set([...read.rows.map((r) => r.row), ...read.problems.map((p) => p.row)]).size;

  let refusal: string | undefined;
  if (errors.length > 0 && !options.skipInvalid) {
    refusal = `${badRows.size} of ${totalRows} rows have errors; fix them (see the report) or rerun with --skip-invalid to build from the ${examples.length} valid rows`;
  } else if (examples.length < 2) {
    refusal = `only ${examples.length} valid example${examples.length === 1 ? '' : 's'}; at least 2 are needed to hold out a validation split (50–500 is the useful range)`;
  }
  const { train, validation } = refusal ? { train: [], validation: [] } : splitExamples(examples, validationFraction, seed);
  const trainJsonl = train.map((e) => `${exampleLine(e)}\n`).join('');
  const validationJsonl = validation.map((e) => `${exampleLine(e)}\n`).join('');
  const byKind: Record<string, number> = {};
  for (const e of examples) byKind[e.kind] = (byKind[e.kind] ?? 0) + 1;

  const card: DataCard = {
    builder: { name: 'liuhen-dataset', version: BUILDER_VERSION },
    createdAt: (options.now ?? new Date()).toISOString(),
    template: { id: template.id, version: template.version, language: template.language, name: template.name },
    ...(options.input ? { input: { ...options.input, format: read.format } } : {}),
    counts: {
      rows: totalRows,
      valid: examples.length,
      withErrors: badRows.size,
      warnings: issues.filter((i) => i.severity === 'warning').length,
      train: train.length,
      validation: validation.length,
      byKind,
      redactedInInputs,
      withheldInInputs,
    },
    split: { seed, validationFraction },
    contextWindow,
    prompt: { profile: profile.style, fields: profile.fields },
    systemPromptSha256: sha256(examples[0]?.messages[0].content ?? inferencePrompt(full, kindDefault, '-', profile).messages[0]?.content ?? ''),
    files: {
      train: { name: 'train.jsonl', sha256: sha256(trainJsonl), examples: train.length },
      validation: { name: 'val.jsonl', sha256: sha256(validationJsonl), examples: validation.length },
    },
  };
  return { built: refusal === undefined, ...(refusal ? { refusal } : {}), issues, examples, train, validation, trainJsonl, validationJsonl, card };
}
