/**
 * shared/guard: personal-data redaction before prompting, and sensitive-term alerts (BLOCK / WARN / ESCALATE)
 * on the source and on the model's output. Term lists are data under ./terms.
 */
export * from './types';
export { redact, REDACTION_PLACEHOLDERS } from './redact';
export { scanTerms, ACTION_SEVERITY, type ScanTermsOptions } from './scan';
export { guardText, guardTextSteps, type GuardTextOptions } from './guard';
export { detectLanguage } from './language';
export { cnIdCheckChar, isValidCnIdChecksum, hasCnIdStructure, isValidDate, luhnValid } from './checksums';
export {
  parseTermSet,
  builtinTermSet,
  BUILTIN_TERM_SOURCES,
  CategoriesFileSchema,
  TermFileSchema,
  type TermSet,
  type TermSetSources,
  type TermSetResult,
  type CategoryInfo,
  type CompiledTerm,
  type CompiledPattern,
} from './terms';
export { NameDataSchema, type NameData } from './names';
export { normalizeText, type NormalizedText } from './normalize';
export { guardOutput, isLanguageMismatch, stripMarkup, type OutputGuardResult, type OutputMarkup } from './output';
