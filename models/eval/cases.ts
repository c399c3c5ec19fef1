/**
 * Reading evaluation cases. Two JSONL line shapes are accepted, mixed freely:
 *
 * - what `npm run dataset` writes (val.jsonl): `{"messages": [system, user, assistant], "meta": {"row", "kind",
 *   "source"}}` — the source is `meta.source` (already redacted; the pipeline gives the same prompt from it), the
 *   reference is the assistant answer;
 * - a labelled case: `{"id", "kind", "source", "reference"?, "flags"?, "must_not_contain"?}`.
 *
 * Every problem names the line.
 */
import type { EvalCase } from './evaluate';

export class CaseReadError extends Error {
  override readonly name = 'CaseReadError';
}

const KINDS = ['transcript', 'notes'] as const;

function strings(value: unknown, where: string, key: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw new CaseReadError(`${where}: "${key}" must be a list of strings`);
  return value as string[];
}

function kindOf(value: unknown, where: string): 'transcript' | 'notes' {
  if (value === undefined) return 'transcript';
  if (typeof value === 'string' && (KINDS as readonly string[]).includes(value)) return value as 'transcript' | 'notes';
  throw new CaseReadError(`${where}: "kind" must be transcript or notes, got ${JSON.stringify(value)}`);
}

/** Parses evaluation cases from JSONL text. */
export function readCases(text: string, file = 'cases.jsonl'): EvalCase[] {
  const cases: EvalCase[] = [];
  text.replace(/^\uFEFF/, '').split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    const where = `${file}:${i + 1}`;
    let o: unknown;
    try {
      o = JSON.parse(line);
    } catch {
      throw new CaseReadError(`${where}: not JSON`);
    }
    if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new CaseReadError(`${where}: not a JSON object`);
    const r = o as Record<string, unknown>;
    if (Array.isArray(r.messages)) {
      const meta = (r.meta ?? {}) as Record<string, unknown>;
      const messages = r.messages as { role?: unknown; content?: unknown }[];
      const answer = messages.at(-1);
      if (typeof meta.source !== 'string') {
        throw new CaseReadError(`${where}: a chat line needs "meta.source" (written by npm run dataset) to rerun the pipeline`);
      }
      if (answer?.role !== 'assistant' || typeof answer.content !== 'string') throw new CaseReadError(`${where}: the last message must be the assistant's answer`);
      cases.push({
        id: typeof meta.row === 'number' ? `row-${meta.row}` : `line-${i + 1}`,
        kind: kindOf(meta.kind, where),
        source: meta.source,
        reference: answer.content,
      });
      return;
    }
    if (typeof r.source !== 'string' || r.source.trim() === '') throw new CaseReadError(`${where}: "source" must be a non-empty string`);
    if (r.reference !== undefined && typeof r.reference !== 'string') throw new CaseReadError(`${where}: "reference" must be a string`);
    const flags = strings(r.flags, where, 'flags');
    const mustNotContain = strings(r.must_not_contain, where, 'must_not_contain');
    cases.push({
      id: typeof r.id === 'string' && r.id !== '' ? r.id : `line-${i + 1}`,
      kind: kindOf(r.kind, where),
      source: r.source,
      ...(typeof r.reference === 'string' ? { reference: r.reference } : {}),
      ...(flags ? { flags } : {}),
      ...(mustNotContain ? { mustNotContain } : {}),
    });
  });
  if (cases.length === 0) throw new CaseReadError(`${file}: no cases`);
  return cases;
}
