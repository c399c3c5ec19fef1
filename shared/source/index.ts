/**
 * shared/source — reading inputs: transcript/notes normalisation into citable turns, table rows into
 * records, token estimation and long-input chunking. Host-agnostic (runs in a browser and in a worker).
 */
export type { Chunk, NormalisedSource, SpeakerRole, TableReadResult, TableRecord, TextSourceKind, Turn } from './types';
export { normaliseSource, normaliseSourceSteps, renderTurn, renderTurns } from './normalise';
export { assessInformation, contentUnits, detectLowInformation } from './information';
export type { InformationAssessment } from './information';
export { fieldKey, isMissingValue, matchField, missingFields, recordToText, tableToRecords } from './table';
export type { TableReadOptions } from './table';
export { parseMarkdownTable } from './markdown';
export { estimateTokens } from './tokens';
export { chunkSource, chunkSourceSteps, splitSentences } from './chunk';
export { cleanInline, contentOf, isContentChar, isInvisible } from './text';
export { countChars, languageSample, LANGUAGE_SAMPLE_CHARS, MAX_SOURCE_CHARS, SourceTooLongError, sourceTooLong } from './limits';
