/**
 * Types of the pipeline: source -> guard -> prompt -> engine -> parse/validate/repair -> result, from which the
 * host's InsertionPlan and the AuditRecord are built. The UI drives the pipeline and shows these values.
 */
import type { GenerationUsage, LlmEngine } from '../engine/port';
import type { GuardHit, Redaction } from '../guard/types';
import type { AuditFlag, AuditRecord } from '../host/port';
import type { OutputProblem, PartialParse, SectionTexts } from '../output/types';
import type { PromptProfile } from '../prompt/render';
import type { Template } from '../templates/schema';
import type { NineBoxPlacement } from './ninebox';

/** What to generate from, as the host read it (before redaction). */
export type PipelineSource =
  | { kind: 'transcript' | 'notes'; text: string }
  /** One table row: its cells by header name, the header order, and its index in the table. */
  | { kind: 'table-row'; fields: Record<string, string>; header: string[]; rowIndex: number };

/** What a generation is doing: condensing one part of a long source, or writing the record. */
export type GenerateStep = { step: 'condense'; part: number; count: number } | { step: 'record' };

/** One generation request. */
export interface GenerateInput {
  template: Template;
  source: PipelineSource;
  engine: LlmEngine;
  /** The loaded model's id (recorded in the audit record). */
  modelId: string;
  /** The loaded model's weights revision or hash, when known (recorded in the audit record). */
  modelRevision?: string;
  /** Aborting stops generation; the result then has `finishReason: 'abort'` and nothing is inserted. */
  signal?: AbortSignal;
  /** Called as text streams in, with the sections seen so far (for the live preview). */
  onPartial?: (partial: PartialParse, raw: string) => void;
  /**
   * Called when a long source is condensed part by part before the record is written (`part` is 1-based), and
   * when the record itself starts; lets the pane say "condensing part 2 of 5".
   */
  onStep?: (step: GenerateStep) => void;
  /** The loaded model's prompt profile (its record's `liuhen_prompt`); default: the full prompt. */
  prompt?: PromptProfile;
  /** Sampling; defaults are deterministic (temperature 0, fixed seed). */
  temperature?: number;
  seed?: number;
}

/** Part of the source kept from the model: a turn id (`T3`) or a table field name, and the guard flags why. */
export interface Withheld {
  where: string;
  /** Guard flags that caused it, e.g. `BLOCK:MATERNITY`, `THIRD_PARTY_NAME`. */
  reasons: string[];
  /** For allegations (ESCALATE): who should handle them, e.g. `员工关系/法务部门`. */
  handlers?: string[];
}

/** Two or more table fields that contradict each other (the FIELD_CONFLICT flag). */
export interface FieldConflict {
  /** The field names involved, e.g. `['潜力', '上级评价']`. */
  fields: string[];
  /** One sentence, in the template's language, saying what contradicts what. */
  message: string;
}

/** Why a result should not be inserted without the writer looking at it first. */
export type ReviewReason =
  | 'blocked-terms'
  | 'escalation'
  | 'contract-problems'
  | 'truncated'
  /** The model wrote personal data (a phone number, an ID, a name); it was replaced by a placeholder. */
  | 'personal-data'
  /** The model wrote markup (HTML, script, `javascript:`); it was removed. */
  | 'markup'
  /** The output is not in the template's language. */
  | 'language-mismatch';

/** The outcome of one generation. */
export interface GenerationResult {
  /** Fresh id that tags the insertion and its audit record. */
  auditId: string;
  templateId: string;
  modelId: string;
  /** `abort`: cancelled by the writer; `length`: hit max tokens (output incomplete). */
  finishReason: 'stop' | 'length' | 'abort';
  /** Section bodies after deterministic repair (only the sections that could be read). */
  sections: SectionTexts;
  /** Structured fields after validation/repair (labels enriched from taxonomies), when the template has them. */
  fields?: unknown;
  /** What repair fixed, one line each. */
  repaired: string[];
  /** What is still wrong with the output after repair. */
  problems: OutputProblem[];
  /** Personal data removed from the source before prompting (positions in the source, no values). */
  redactions: Redaction[];
  /** Sensitive-term hits in the (redacted) source. */
  sourceHits: GuardHit[];
  /** Sensitive-term hits in the model's output. */
  outputHits: GuardHit[];
  /** Every flag for the audit record and the pane (guard flags, MISSING:<field>, the model's own record flags). */
  flags: AuditFlag[];
  /** Non-empty when the writer must review before inserting. */
  review: ReviewReason[];
  /** The raw model text, for "show raw output". */
  raw: string;
  usage?: GenerationUsage;
  /** How many prompts were sent (more than one when a long source was condensed part by part). */
  requests: number;
  /** What of the source was withheld from the model (protected traits, names); empty when nothing. */
  withheld?: Withheld[];
  /** Fields that contradict each other; their conclusions' confidences were lowered. */
  conflicts?: FieldConflict[];
  /** Talent review: the nine-box placement computed from the row's ratings (the fields carry this cell, whatever the model wrote). */
  nineBox?: NineBoxPlacement;
  /** Set when no record was drafted (a table row with too little information); the message says why. */
  refusal?: { flag: 'LOW_INFORMATION'; message: string };
  /** Table rows: the field values the model saw (redacted), so each conclusion's sources can show their values. */
  sourceValues?: Record<string, string>;
  /** The audit record to store on insertion (time is set when inserted). */
  audit: Omit<AuditRecord, 'time'>;
}

/** The pipeline's entry point (implemented in ./generate). */
export type Generate = (input: GenerateInput) => Promise<GenerationResult>;
