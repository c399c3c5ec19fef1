/**
 * The prompt a training example is rendered with: exactly what the pipeline sends at inference for the same source.
 * It calls the pipeline's own `buildMessages` (shared/pipeline: redact → withhold protected traits and names →
 * normalise → shared/prompt `render` with the template's system prompt), so there is no second copy of that logic
 * to drift. Training on any other prompt is the most common reason a fine-tune disappoints (DESIGN.md, "LoRA").
 */
import { profileTemplate, type ChatMessage, type PromptProfile } from '../../shared/prompt';
import { buildMessages, prepareEvidence } from '../../shared/pipeline';
import type { Template } from '../../shared/templates';

/** The source kinds a text example can be (table rows are not part of the CSV workflow). */
export type ExampleKind = 'transcript' | 'notes';

/** What inference would prompt the model with for this source, and what was removed from it first. */
export interface InferencePrompt {
  messages: ChatMessage[];
  /** The source text as it went into the user message: redacted, protected content withheld, normalised. */
  sourceText: string;
  /** Types of the personal data removed from the source (never the values). */
  redactions: string[];
  /** Turns whose protected-trait sentences or names were withheld, and why. */
  withheld: { where: string; reasons: string[] }[];
}

/**
 * The system + user messages inference sends for `input` under `template` to a model with prompt `profile`
 * (default: the full prompt), and what was removed first.
 */
export function inferencePrompt(template: Template, kind: ExampleKind, input: string, profile?: PromptProfile): InferencePrompt {
  const source = { kind, text: input } as const;
  const evidence = prepareEvidence(profileTemplate(template, profile), source);
  return {
    messages: buildMessages(template, source, profile),
    sourceText: evidence.promptSource.text,
    redactions: evidence.guard.redacted.redactions.map((r) => r.type),
    withheld: evidence.withheld.map((w) => ({ where: w.where, reasons: [...w.reasons] })),
  };
}
