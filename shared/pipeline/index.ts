/**
 * shared/pipeline — generate(): source -> guard -> prompt -> engine -> repair -> flags, the insertion plan,
 * audit exports, and the batch runner over table rows.
 */
export type * from './types';
export { generate, buildMessages, promptTokens, DEFAULT_SEED, FALLBACK_CONTEXT_WINDOW, CONFLICT_CONFIDENCE_FACTOR } from './generate';
export { prepareEvidence, sourceTextOf, guardLanguage, type Evidence } from './evidence';
export { detectFieldConflicts, lowerConfidences } from './conflicts';
export { sha256Hex, newAuditId } from './hash';
export { buildPlan, explainSection, toParagraphs, type PlanOptions } from './plan';
export { auditToCsv, auditToJson, auditRow, toCsv, csvField, CSV_BOM, AUDIT_CSV_HEADER } from './audit-export';
export { BatchRunner, suggestCommentColumn } from './batch';
export type { BatchOptions, BatchState, BatchRowState, BatchListener, RowStatus } from './batch';
