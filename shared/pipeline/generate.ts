/**
 * The pipeline: source -> guard -> normalise -> prompt -> engine -> repair -> output guard -> flags.
 *
 * - Personal data is redacted and protected traits / names are withheld before any prompt exists (./evidence).
 * - Prompts come from shared/prompt only; `buildMessages` exposes the exact single-request prompt so fine-tuning
 *   data is rendered by the same code as inference.
 * - A source too long for the model's context is cut into parts, each condensed into cited notes, and the record
 *   is written from the notes: the engine never sees a prompt that does not fit.
 * - Whatever the model writes, the result says what is wrong (problems) instead of throwing; engine failures
 *   other than a cancel reject with the engine's typed error, so the UI can show its message.
 */
import { EngineError, isEngineError } from '../engine/errors';
import type { GenerateRequest, GenerationUsage, LlmEngine } from '../engine/port';
import { estimateChatTokens } from '../engine/tokens';
import type { GuardHit } from '../guard';
import { deriveContract, parsePartial, repairOutput, type OutputProblem, type RepairResult } from '../output';
import { profileTemplate, render, renderCondense, type ChatMessage, type PromptProfile, type PromptSource } from '../prompt';
import { chunkSourceSteps, countChars, detectLowInformation, estimateTokens, missingFields, SourceTooLongError, sourceTooLong, type NormalisedSource } from '../source';
import type { Template } from '../templates/schema';
import type { AuditFlag } from '../host/port';
import { detectFieldConflicts, lowerConfidences } from './conflicts';
import { nextTask, runSliced } from '../steps';
import { checkOutput, guardLanguage, prepareEvidence, prepareEvidenceSliced, sourceTextOf, type Evidence } from './evidence';
import { enforceInterviewScores, readInterviewScores } from './interview-scores';
import { auditFlagsOf } from './audit-chain';
import { newAuditId, sha256Hex } from './hash';
import { contractTemplate, enforcePlacement, withPlacement } from './ninebox';
import { assessRow } from './row-information';
import { renderSystem } from '../prompt/render';
import type { FieldConflict, Generate, GenerateInput, GenerationResult, PipelineSource, ReviewReason } from './types';

/** Default sampling seed: generation is reproducible unless the caller asks otherwise. */
export const DEFAULT_SEED = 20240611;
/** Context window assumed when the engine does not report one (no model loaded yet). */
export const FALLBACK_CONTEXT_WINDOW = 4096;
/** Tokens kept free on top of the estimates (the estimates err high already; this covers chat-template drift). */
const SAFETY_TOKENS = 32;
/** Confidences are multiplied by this when the row's fields contradict each other. */
export const CONFLICT_CONFIDENCE_FACTOR = 0.6;
/** How many times notes may be condensed again when the notes of all parts are still too long. */
const MAX_CONDENSE_ROUNDS = 3;

/**
 * The exact chat messages a single-request generation sends for `source` (redacted, protected content
 * withheld, normalised). The dataset builder uses this so training prompts are byte for byte inference prompts.
 */
export function buildMessages(template: Template, source: PipelineSource, profile?: PromptProfile): ChatMessage[] {
  const t = profileTemplate(template, profile);
  return render(t, prepareEvidence(t, withPlacement(t, source).source).promptSource, profile ? { profile } : {});
}

/** Prompt tokens of a chat: the same conservative estimate the engine checks before sending. */
export const promptTokens = estimateChatTokens;

function fits(messages: readonly ChatMessage[], maxTokens: number, window: number): boolean {
  return promptTokens(messages) + maxTokens + SAFETY_TOKENS <= window;
}

class Aborted extends Error {
  constructor(readonly raw: string) {
    super('aborted');
  }
}

interface Streamed {
  text: string;
  finishReason: 'stop' | 'length' | 'abort';
  usage?: GenerationUsage;
}

/** Runs one request to the end, collecting its text; `onText` sees the text so far after each chunk. */
async function stream(engine: LlmEngine, request: GenerateRequest, onText?: (raw: string) => void): Promise<Streamed> {
  let text = '';
  let finishReason: Streamed['finishReason'] = 'stop';
  let usage: GenerationUsage | undefined;
  try {
    for await (const chunk of engine.generate(request)) {
      if (chunk.type === 'text') {
        text += chunk.text;
        onText?.(text);
      } else {
        finishReason = chunk.finishReason;
        usage = chunk.usage;
      }
    }
  } catch (e) {
    if (request.signal?.aborted || isEngineError(e, 'aborted')) return { text, finishReason: 'abort', ...(usage ? { usage } : {}) };
    throw e;
  }
  if (request.signal?.aborted) finishReason = 'abort';
  return { text, finishReason, ...(usage ? { usage } : {}) };
}

/** Milliseconds between two preview parses while text streams (about 25 per second: smooth, and cheap). */
const PREVIEW_INTERVAL_MS = 40;

/**
 * The preview callback, parsed at most every PREVIEW_INTERVAL_MS — and whenever a line ends, so a new heading
 * shows at once. Parsing on every token would cost more than the rest of the pipeline together; the final
 * text is always parsed once more after the stream ends.
 */
function throttledPreview(template: Template, onPartial: NonNullable<GenerateInput['onPartial']>): (raw: string) => void {
  let last = -Infinity;
  let seenLength = 0;
  return (raw) => {
    const now = globalThis.performance.now();
    const newLine = raw.indexOf('\n', seenLength) >= 0;
    seenLength = raw.length;
    if (!newLine && now - last < PREVIEW_INTERVAL_MS) return;
    last = now;
    onPartial(parsePartial(template, raw), raw);
  };
}

function addUsage(a: GenerationUsage | undefined, b: GenerationUsage | undefined): GenerationUsage | undefined {
  if (!a) return b;
  if (!b) return a;
  return { ...b, promptTokens: a.promptTokens + b.promptTokens, completionTokens: a.completionTokens + b.completionTokens };
}

interface Run {
  engine: LlmEngine;
  template: Template;
  /** The model's prompt profile (fine-tuned models may use the compact one). */
  profile?: PromptProfile;
  window: number;
  sampling: { temperature: number; seed: number };
  signal?: AbortSignal;
  onStep?: GenerateInput['onStep'];
  requests: number;
  usage?: GenerationUsage;
}

/** Tokens an answer of condensed notes may take (a fraction of the window, so several parts' notes fit later). */
function condenseMaxTokens(window: number, recordMaxTokens: number): number {
  return Math.max(64, Math.min(512, Math.floor(window / 8), recordMaxTokens));
}

/**
 * The map step: cuts `src` into parts that fit a condense prompt and condenses each into cited notes.
 * Returns the notes of all parts, one per line.
 */
async function condense(run: Run, src: NormalisedSource, kind: PromptSource['kind']): Promise<string> {
  const maxTokens = condenseMaxTokens(run.window, deriveContract(run.template).maxTokens);
  const overhead = promptTokens(renderCondense(run.template, { kind, text: '' }, { part: { index: 98, count: 99 } }));
  const budget = run.window - maxTokens - overhead - SAFETY_TOKENS;
  if (budget < 16) {
    throw new EngineError('context-overflow', { estimatedTokens: overhead + estimateTokens(src.text), maxTokens, contextWindow: run.window });
  }
  // Cutting a long source is tens of ms: done in slices, so the pane paints and Cancel is heard.
  const chunks = await runSliced(chunkSourceSteps(src, budget), run.signal ? { signal: run.signal } : {});
  if (!chunks) throw new Aborted('');
  const notes: string[] = [];
  for (const chunk of chunks) {
    const messages = renderCondense(run.template, { kind, text: chunk.text }, { part: { index: chunk.index, count: chunk.count } });
    run.onStep?.({ step: 'condense', part: chunk.index + 1, count: chunk.count });
    run.requests += 1;
    const r = await stream(run.engine, {
      messages,
      maxTokens,
      temperature: run.sampling.temperature,
      seed: run.sampling.seed,
      ...(run.signal ? { signal: run.signal } : {}),
    });
    run.usage = addUsage(run.usage, r.usage);
    if (r.finishReason === 'abort') throw new Aborted('');
    notes.push(r.text.trim());
  }
  return notes.filter((n) => n !== '').join('\n');
}

/** The record prompt for `evidence`, condensing first (as often as needed) when the source does not fit. */
async function recordMessages(run: Run, evidence: Evidence, maxTokens: number, force: boolean): Promise<ChatMessage[]> {
  const opts = run.profile ? { profile: run.profile } : {};
  await nextTask(); // after the source checks, before counting the prompt's tokens (each tens of ms on a long source)
  const direct = render(run.template, evidence.promptSource, opts);
  if (!force && fits(direct, maxTokens, run.window)) return direct;
  let src = evidence.normalised;
  let kind: PromptSource['kind'] = evidence.promptSource.kind;
  for (let round = 0; round < MAX_CONDENSE_ROUNDS; round += 1) {
    // The notes are model output: they pass the same redaction and withholding as the source did.
    const notes = prepareEvidence(run.template, { kind: 'notes', text: await condense(run, src, kind) });
    const messages = render(run.template, notes.promptSource, opts);
    if (fits(messages, maxTokens, run.window)) return messages;
    src = notes.normalised;
    kind = 'notes';
  }
  throw new EngineError('context-overflow', { estimatedTokens: promptTokens(direct), maxTokens, contextWindow: run.window });
}

/** Record flags the model wrote in its fields (`flags: ["CONTRADICTION"]`). */
function modelFlags(fields: unknown): string[] {
  if (fields === null || typeof fields !== 'object' || Array.isArray(fields)) return [];
  const flags = (fields as Record<string, unknown>)['flags'];
  return Array.isArray(flags) ? flags.filter((f): f is string => typeof f === 'string' && f !== '') : [];
}

/** Adds FIELD_CONFLICT to the fields' flags when the template's flag list has it and there is room. */
function withConflictFlag(template: Template, fields: unknown): unknown {
  if (fields === null || typeof fields !== 'object' || Array.isArray(fields)) return fields;
  const record = fields as Record<string, unknown>;
  const flags = Array.isArray(record['flags']) ? (record['flags'] as unknown[]) : undefined;
  const allowed = (template.taxonomies['recordFlags'] ?? []).some((e) => e.code === 'FIELD_CONFLICT');
  const schema = template.fields?.schema;
  const flagsType = schema?.type === 'object' ? schema.properties['flags'] : undefined;
  const room = flagsType?.type === 'array' ? (flagsType.maxItems ?? Infinity) : Infinity;
  if (!flags || !allowed || flags.includes('FIELD_CONFLICT') || flags.length >= room) return fields;
  return { ...record, flags: [...flags, 'FIELD_CONFLICT'] };
}

function pushFlag(list: AuditFlag[], flag: string, where: AuditFlag['where']): void {
  if (!list.some((f) => f.flag === flag)) list.push({ flag, where });
}

/** The prompt version an audit record names: a short hash of the rendered system prompt (and prompt profile). */
async function promptVersionOf(template: Template, profile: unknown): Promise<string> {
  return `sys-${(await sha256Hex(`${JSON.stringify(profile ?? null)}\n${renderSystem(template)}`)).slice(0, 16)}`;
}

/** The pipeline's entry point: see the module comment. */
export const generate: Generate = async (input: GenerateInput): Promise<GenerationResult> => {
  const { source, engine, signal } = input;
  // Bounded inputs for every caller, not only the pane: preparation and the number of requests grow with the source.
  const chars = countChars(sourceTextOf(source));
  if (sourceTooLong(chars)) throw new SourceTooLongError(chars);
  // A model trained without the fields block uses the template without them: prompt, grammar and parsing alike.
  const template = profileTemplate(input.template, input.prompt);
  const lang = guardLanguage(template);
  // Talent review: the nine-box cell comes from the row's ratings (template mapping); the model only explains it.
  const { source: seen, placement } = withPlacement(template, source);
  // Prepared in slices that yield to the event loop: a long source stays responsive and Cancel is heard.
  // Cancelled during preparation: empty evidence, no source checks, no request (finishReason 'abort').
  const prepared = await prepareEvidenceSliced(template, seen, signal ? { signal } : {});
  const evidence = prepared ?? prepareEvidence(template, { kind: 'notes', text: '' });
  const auditId = newAuditId();
  // The audit hashes the REDACTED evidence (the host keys it with the document's salt): a plain hash of the
  // source as read let a redacted phone number be brute-forced back.
  const evidenceDigest = await sha256Hex(evidence.promptSource.text);
  const promptVersion = await promptVersionOf(template, input.prompt);
  const contract = deriveContract(contractTemplate(template, placement));
  const maxTokens = contract.maxTokens;

  // Flags about the source, known before the model runs.
  const flags: AuditFlag[] = [];
  for (const f of evidence.guard.flags) pushFlag(flags, f, 'source');
  let conflicts: FieldConflict[] = [];
  // A table row too thin to write from: no engine call, the writer sees why.
  let refusal: GenerationResult['refusal'];
  if (prepared && source.kind === 'table-row') {
    for (const name of missingFields({ fields: source.fields }, template.expectedFields)) pushFlag(flags, `MISSING:${name}`, 'source');
    conflicts = detectFieldConflicts(evidence.conflictFields ?? evidence.fields ?? {}, lang);
    if (conflicts.length > 0) pushFlag(flags, 'FIELD_CONFLICT', 'source');
    const row = assessRow(template, evidence.fields ?? {});
    if (row.low) {
      pushFlag(flags, 'LOW_INFORMATION', 'source');
      refusal = { flag: 'LOW_INFORMATION', message: row.message ?? '' };
    }
  } else if (prepared && detectLowInformation(evidence.normalised)) {
    pushFlag(flags, 'LOW_INFORMATION', 'source');
  }

  const run: Run = {
    engine,
    template,
    ...(input.prompt ? { profile: input.prompt } : {}),
    window: engine.contextWindow() ?? FALLBACK_CONTEXT_WINDOW,
    sampling: { temperature: input.temperature ?? 0, seed: input.seed ?? DEFAULT_SEED },
    ...(signal ? { signal } : {}),
    ...(input.onStep ? { onStep: input.onStep } : {}),
    requests: 0,
  };

  let streamed: Streamed = { text: '', finishReason: refusal ? 'stop' : 'abort' };
  if (!signal?.aborted && !refusal) {
    try {
      let force = false;
      for (;;) {
        const messages = await recordMessages(run, evidence, maxTokens, force);
        input.onStep?.({ step: 'record' });
        run.requests += 1;
        try {
          streamed = await stream(
            engine,
            {
              messages,
              responseFormat: contract.responseFormat,
              maxTokens,
              temperature: run.sampling.temperature,
              seed: run.sampling.seed,
              ...(signal ? { signal } : {}),
            },
            input.onPartial ? throttledPreview(template, input.onPartial) : undefined,
          );
          if (input.onPartial) input.onPartial(parsePartial(template, streamed.text), streamed.text);
          break;
        } catch (e) {
          // The engine counts differently than we do: condense once instead of failing the writer.
          if (!force && isEngineError(e, 'context-overflow')) {
            force = true;
            continue;
          }
          throw e;
        }
      }
      run.usage = addUsage(run.usage, streamed.usage);
    } catch (e) {
      if (!(e instanceof Aborted)) throw e;
      streamed = { text: e.raw, finishReason: 'abort' };
    }
  }

  const repaired: RepairResult = refusal ? { text: '', sections: {}, problems: [], fixed: [] } : repairOutput(template, streamed.text);
  let fields = repaired.fields;
  if (placement && fields !== undefined) {
    const enforced = enforcePlacement(template, fields, placement);
    fields = enforced.fields;
    repaired.fixed = [...repaired.fixed, ...enforced.overridden];
  }
  // Interview feedback: competency averages and the overall score come from the interviewers' scores in the source.
  const interviewScores = fields === undefined ? undefined : readInterviewScores(template, sourceTextOf(source), source.kind === 'table-row' ? 'notes' : source.kind);
  if (interviewScores && fields !== undefined) {
    const enforced = enforceInterviewScores(template, fields, interviewScores);
    fields = enforced.fields;
    repaired.fixed = [...repaired.fixed, ...enforced.overridden];
  }
  if (conflicts.length > 0 && fields !== undefined) fields = withConflictFlag(template, lowerConfidences(fields, CONFLICT_CONFIDENCE_FACTOR));
  const problems: OutputProblem[] = [...repaired.problems];

  // The output gets the source's guard (personal data, traits, allegations, names) plus markup and language
  // checks; allegations withheld from the model become one fixed neutral line in the record.
  const checked = checkOutput(template, repaired.sections, evidence.escalations);
  const outputHits: GuardHit[] = checked.hits;
  for (const f of checked.flags) pushFlag(flags, f, 'output');
  for (const f of modelFlags(fields)) pushFlag(flags, f, 'fields');

  const review: ReviewReason[] = [...checked.review];
  if (!review.includes('escalation') && evidence.guard.hits.some((h) => h.action === 'ESCALATE')) review.push('escalation');
  if (problems.length > 0) review.push('contract-problems');
  if (streamed.finishReason === 'length') review.push('truncated');

  const rowIndex = source.kind === 'table-row' ? source.rowIndex : undefined;
  return {
    auditId,
    templateId: template.id,
    modelId: input.modelId,
    finishReason: streamed.finishReason,
    sections: checked.sections,
    ...(fields !== undefined ? { fields } : {}),
    repaired: repaired.fixed,
    problems,
    redactions: evidence.guard.redacted.redactions,
    sourceHits: evidence.guard.hits,
    outputHits,
    flags,
    review,
    raw: streamed.text,
    ...(run.usage ? { usage: run.usage } : {}),
    requests: run.requests,
    withheld: evidence.withheld,
    conflicts,
    ...(placement ? { nineBox: placement } : {}),
    ...(refusal ? { refusal } : {}),
    ...(evidence.fields ? { sourceValues: evidence.fields } : {}),
    audit: {
      auditId,
      templateId: template.id,
      templateVersion: template.version,
      templateLanguage: template.language,
      modelId: input.modelId,
      ...(input.modelRevision !== undefined ? { modelRevision: input.modelRevision } : {}),
      seed: run.sampling.seed,
      promptVersion,
      evidenceDigest,
      sourceHash: '',
      // Allegations stay out of the stored trail; other evidence is kept for "Export approved records".
      ...([...evidence.guard.hits, ...outputHits].some((h) => h.action === 'ESCALATE') ? {} : { evidence: evidence.promptSource.text }),
      redactionCount: evidence.guard.redacted.redactions.length,
      ...auditFlagsOf(flags, [...evidence.guard.hits, ...outputHits]),
      ...(fields !== undefined ? { fields } : {}),
      ...(rowIndex !== undefined ? { rowIndex } : {}),
    },
  };
};
