/**
 * What a DocumentHost offers for "Check wording" (optional port methods `readWording` / `applyWording`), and the
 * audit record of a check. Host-agnostic: Word, VS Code and the playground implement the port.
 */
import type { AuditRecord, FlagCounts } from '../host/port';
import type { GuardLanguage } from '../guard';
import { WORDING_CATEGORIES, type WordingCheck, type WordingSuggestion } from './check';

/** Where the check runs. `selection` falls back to the whole document when nothing is selected. */
export type WordingScope = 'selection' | 'document';

/** The writer's paragraphs, as read for a check. */
export interface WordingRead {
  paragraphs: string[];
  /** What was actually read (`document` when the selection was empty). */
  scope: WordingScope;
  /** Document round trips used (Word: `context.sync()` calls). */
  roundTrips: number;
}

/** What the writer asked to write: suggestions of one check, on the paragraphs that check read. */
export interface WordingApplyRequest {
  suggestions: readonly WordingSuggestion[];
  /** The paragraphs the check ran on; a paragraph changed since then is skipped. */
  checked: readonly string[];
  scope: WordingScope;
  /** Language of the comments. */
  language: GuardLanguage;
}

/** What writing suggestions did. */
export interface WordingApplyResult {
  /** Ids of suggestions written (Word: tracked changes + comments; VS Code: preview entries). */
  applied: string[];
  /** Ids not written: their paragraph changed since the check, or the text is no longer there. */
  skipped: string[];
  /** Document round trips used. */
  roundTrips: number;
}

/** Categories whose counts an audit record may keep: the wording categories and other non-trait labels. */
const COUNTABLE = new Set([...WORDING_CATEGORIES, 'VAGUE_LABEL', 'HEARSAY', 'PERSONAL_DATA', 'THIRD_PARTY_NAME']);

/**
 * The audit record of one check (event `checked`): counts by category — never the text, and, as everywhere in
 * the trail, never a protected-trait or allegation category (those are counted by action only).
 */
export function wordingAuditRecord(check: WordingCheck, options: { auditId: string; time: string; applied?: number }): AuditRecord {
  const wordingCounts: Record<string, number> = {};
  const flagCounts: FlagCounts = { BLOCK: 0, WARN: 0, ESCALATE: 0 };
  for (const s of check.suggestions) {
    flagCounts[s.action] += 1;
    if (COUNTABLE.has(s.category)) wordingCounts[s.category] = (wordingCounts[s.category] ?? 0) + 1;
  }
  const record: AuditRecord = {
    auditId: options.auditId,
    event: 'checked',
    time: options.time,
    templateId: 'wording-check',
    templateVersion: '1',
    templateLanguage: check.language,
    modelId: 'none',
    sourceHash: '',
    redactionCount: check.counts['PERSONAL_DATA'] ?? 0,
    flagCounts,
    flags: [],
    wordingCounts,
    wordingSuggestions: check.suggestions.length,
  };
  if (options.applied !== undefined) record.wordingApplied = options.applied;
  return record;
}
