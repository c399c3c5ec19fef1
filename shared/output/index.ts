/**
 * shared/output — the output contract of a template: what the model must write (grammar, JSON Schema, token
 * budget), reading what it wrote (parse, streaming view, validation), deterministic repair, and the
 * canonical text form used for training targets and insertion.
 */
export { FIELDS_KEY } from './types';
export type {
  OutputContract,
  OutputProblem,
  OutputProblemCode,
  ParseResult,
  PartialParse,
  PartialSection,
  RepairResult,
  SectionTexts,
} from './types';
export { deriveContract, deriveGrammar, deriveMaxTokens } from './grammar';
export { grammarPortabilityProblems, type GrammarPortabilityProblem } from './portable';
export { parseOutput, parsePartial, renderRecord, renderFieldsLine, renderOutput } from './parse';
export { repairOutput } from './repair';
export { validateFields, fieldsJsonSchema, canonicalFields, SOURCES_MAX_ITEMS, SOURCE_MAX_CHARS } from './fields';
export { codePoints, bodyChars, normaliseBody } from './text';
