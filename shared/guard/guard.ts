import { redactWithLanguage } from './redact';
import { runSteps } from '../steps';
import { ACTION_SEVERITY, scanTermsSteps, type ScanTermsOptions } from './scan';
import type { GuardResult, RedactOptions } from './types';

/** Options of {@link guardText} with a custom term set. */
export type GuardTextOptions = ScanTermsOptions & RedactOptions;

/**
 * Redacts personal data, then scans the REDACTED text for sensitive terms (so hit offsets and matches refer to
 * `redacted.text`, and no hit repeats a removed value). `flags` lists each distinct flag once: the most severe
 * action first, then in order of first appearance.
 */
export function guardText(text: string, options: GuardTextOptions = {}): GuardResult {
  return runSteps(guardTextSteps(text, options));
}

/** {@link guardText} as steps (shared/steps.ts): pauses after redaction and between the term scan's passes. */
export function* guardTextSteps(text: string, options: GuardTextOptions = {}): Generator<void, GuardResult, void> {
  // The language is read from the text outside the redacted spans, so placeholders and messages agree.
  const { result: redacted, language } = redactWithLanguage(text, options.language ? { language: options.language } : {});
  yield;
  const hits = yield* scanTermsSteps(redacted.text, { ...options, language });
  const order = new Map<string, { severity: number; first: number }>();
  hits.forEach((h, i) => {
    if (!order.has(h.flag)) order.set(h.flag, { severity: ACTION_SEVERITY[h.action], first: i });
  });
  const flags = [...order.entries()]
    .sort(([, a], [, b]) => b.severity - a.severity || a.first - b.first)
    .map(([flag]) => flag);
  return { redacted, hits, flags };
}
