/**
 * Types of the output contract: what a template's model output must look like, what parsing it yields, and
 * the problems that parsing, validation and repair report.
 */
import type { ResponseFormat } from '../engine/port';

/**
 * The key used for the structured-fields block in problems and partial views. It starts with `#`, which a
 * section key (`[a-z][a-z0-9_]*`) never does, so it cannot collide with a section.
 */
export const FIELDS_KEY = '#fields';

/** Everything the engine needs to constrain and bound one generation for a template. */
export interface OutputContract {
  /** xgrammar EBNF for the whole output (headings, bodies, fields line); root rule `root`. */
  grammar: string;
  /** JSON Schema (draft 2020-12) of the fields object, when the template declares fields. */
  fieldsJsonSchema?: Record<string, unknown>;
  /** The grammar in the shape the engine's `response_format` takes. */
  responseFormat: Extract<ResponseFormat, { type: 'grammar' }>;
  /** A conservative `max_tokens` for the whole output (prose with slack for over-limit text, plus the JSON). */
  maxTokens: number;
}

/**
 * One thing wrong with a model output. `message` is English and human-readable; UIs localise by `code`.
 * `key` is a section key, or {@link FIELDS_KEY} for the fields block, or `null` where the text belongs to
 * no block (preamble).
 */
export type OutputProblem =
  | { code: 'missing-section'; key: string; heading: string; message: string }
  | { code: 'repeated-section'; key: string; heading: string; count: number; message: string }
  | { code: 'wrong-order'; key: string; heading: string; message: string }
  /** Characters are Unicode code points of the body, line breaks not counted. `key` is `'total'` for the sum. */
  | { code: 'over-limit'; scope: 'section' | 'total'; key: string; chars: number; limit: number; message: string }
  | { code: 'empty-section'; key: string; heading: string; message: string }
  /** Text before the first heading, e.g. "好的,以下是整理后的记录:". */
  | { code: 'preamble'; text: string; message: string }
  /** Text after the JSON line (or assistant chatter after the last section). */
  | { code: 'trailing-text'; text: string; message: string }
  /** Markdown markup where the template wants plain prose; `line` is 1-based in the parsed text. */
  | { code: 'markdown'; key: string | null; line: number; markup: string; message: string }
  /** A heading recognised only tolerantly (brackets, spacing, colon, text on the heading line…). */
  | { code: 'heading-format'; key: string; line: number; found: string; expected: string; message: string }
  /** A line that looks like a heading but is none of the template's. It stays in the text around it. */
  | { code: 'unknown-heading'; line: number; found: string; message: string }
  | { code: 'fields-missing'; message: string }
  | { code: 'fields-invalid-json'; text: string; message: string }
  /** The fields JSON breaks the template's field schema; `path` like `reasons[0].code` (empty for the root). */
  | { code: 'fields-schema'; path: string; message: string }
  /** The fields JSON is readable but not written as the contract says (several lines, text before it, no heading). */
  | { code: 'fields-format'; message: string }
  /** A defect in this module met an input it could not handle; reported instead of thrown. */
  | { code: 'internal-error'; message: string };

/** The problem codes, for UIs that localise or group by code. */
export type OutputProblemCode = OutputProblem['code'];

/** Section bodies by section key: trimmed lines, no blank lines, no heading. */
export type SectionTexts = Record<string, string>;

/** The result of {@link parseOutput}: `ok` only when nothing at all is wrong. */
export type ParseResult =
  | { ok: true; sections: SectionTexts; fields?: unknown; problems: [] }
  | { ok: false; sections: SectionTexts; fields?: unknown; problems: OutputProblem[] };

/** The result of {@link repairOutput}. */
export interface RepairResult {
  /** The repaired output, in the contract's canonical form as far as it could be repaired. */
  text: string;
  sections: SectionTexts;
  fields?: unknown;
  /** What was fixed, one human-readable English line each. */
  fixed: string[];
  /** What could not be fixed (the problems of the repaired text). */
  problems: OutputProblem[];
}

/** One section as seen while the output is still streaming. */
export interface PartialSection {
  key: string;
  heading: string;
  body: string;
  /** True once a later heading has started, so this body will not grow any more. */
  complete: boolean;
}

/** The result of {@link parsePartial}. */
export interface PartialParse {
  sections: PartialSection[];
  /** True once the fields heading has been written (the JSON line is streaming). */
  inFields: boolean;
}
