/**
 * Test support only: a typed loader of the synthetic fixtures in ../shared/fixtures (exit-interview transcripts
 * and talent-review table rows with their expected structure, flags and `must_not_contain` lists). The JSON is
 * validated on load, so a fixture file that changes shape fails loudly here instead of making tests vacuous.
 */
import { z } from 'zod';
import exitJson from '../../shared/fixtures/exit-interviews.json';
import talentJson from '../../shared/fixtures/talent-reviews.json';
import { recordToText } from '../shared/source';

const Lang = z.enum(['zh', 'en']);
const Cited = z.object({ text: z.string(), confidence: z.number(), sources: z.array(z.string()) });

const ExitCaseSchema = z.object({
  id: z.string(),
  lang: Lang,
  kind: z.enum(['transcript', 'notes']),
  title: z.string(),
  source: z.string().min(1),
  expected: z.object({
    /** Section bodies by heading name without brackets (离职原因, 在职体验, 意见建议). */
    sections: z.record(z.string(), z.string()),
    reasons: z.array(
      z.looseObject({
        code: z.string(),
        role: z.string().optional(),
        stated: z.boolean().optional(),
        confidence: z.number(),
        sources: z.array(z.string()),
      }),
    ),
    /** Personal data the guard must remove: its type and the turn it is in. */
    redactions: z.array(z.object({ type: z.string(), source: z.string(), checksum_valid: z.boolean().optional() })).default([]),
    flags: z.array(z.string()),
    must_not_contain: z.array(z.string()),
  }),
});

const TalentCaseSchema = z.object({
  id: z.string(),
  lang: Lang,
  /** One table row: header name -> cell text. */
  row: z.record(z.string(), z.string()),
  expected: z.object({
    nine_box: z.object({ cell: z.number().int().nullable(), label: z.string(), confidence: z.number(), sources: z.array(z.string()) }),
    strengths: z.array(Cited),
    development: z.array(Cited),
    succession: Cited.nullable(),
    flags: z.array(z.string()),
    must_not_contain: z.array(z.string()),
  }),
});

export type ExitInterviewCase = z.infer<typeof ExitCaseSchema>;
export type TalentReviewCase = z.infer<typeof TalentCaseSchema>;

function load<T>(schema: z.ZodType<T>, json: unknown, file: string): T[] {
  const r = z.object({ cases: z.array(schema).min(1) }).safeParse(json);
  if (!r.success) throw new Error(`../shared/fixtures/${file} does not have the expected shape: ${r.error.message}`);
  return r.data.cases;
}

const exitCases = load(ExitCaseSchema, exitJson, 'exit-interviews.json');
const talentCases = load(TalentCaseSchema, talentJson, 'talent-reviews.json');

/** The exit-interview fixtures (transcripts and notes). */
export function exitInterviewCases(): readonly ExitInterviewCase[] {
  return exitCases;
}

/** The talent-review fixtures (one table row each). */
export function talentReviewCases(): readonly TalentReviewCase[] {
  return talentCases;
}

/** A talent-review row as the `字段: 值` source text the pipeline prompts with (shared/source `recordToText`). */
export function talentRowText(c: TalentReviewCase): string {
  return recordToText({ fields: c.row }, Object.keys(c.row));
}

/** The line of `source` that starts with a turn id such as `T9` or `N5`, or undefined. */
export function turnLine(source: string, id: string): { start: number; end: number; text: string } | undefined {
  let start = 0;
  for (const line of source.split('\n')) {
    if (new RegExp(`^${id}(?![0-9])`).test(line)) return { start, end: start + line.length, text: line };
    start += line.length + 1;
  }
  return undefined;
}
