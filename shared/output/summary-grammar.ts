/**
 * Grammars for the summary passes (shared/prompt/summary): the labelling answer is exactly one `n=CODE` line per
 * item of the batch, in order, with CODE one of the themes, so every item gets exactly one valid label; the
 * discovery answer is 1..max `CODE|label` lines. Both follow the runtime grammar rule (no `{m,n}`, no `\x`).
 */

function literal(s: string): string {
  return JSON.stringify(s);
}

/** `n=CODE\n` for n = 1..count, CODE from `codes`. */
export function labellingGrammar(codes: readonly string[], count: number): string {
  if (codes.length === 0 || count < 1) throw new Error('labelling needs at least one code and one item');
  const lines: string[] = [];
  for (let i = 1; i <= count; i++) lines.push(`${literal(`${i}=`)} code "\\n"`);
  return [`root ::= ${lines.join(' ')}`, `code ::= ${codes.map(literal).join(' | ')}`].join('\n') + '\n';
}

/** 1..max lines of `CODE|label`. */
export function discoveryGrammar(max: number): string {
  const optional = Array.from({ length: Math.max(0, max - 1) }, () => 'theme?').join(' ');
  return [
    `root ::= theme ${optional}`.trimEnd(),
    'theme ::= code "|" label "\\n"',
    'code ::= [A-Z] [A-Z_]*',
    'label ::= [^|\\n] [^|\\n]*',
  ].join('\n') + '\n';
}

/** Tokens a labelling answer of `count` lines takes at most (digits, `=`, the longest code, newline). */
export function labellingMaxTokens(codes: readonly string[], count: number): number {
  const longest = Math.max(...codes.map((c) => c.length));
  // ASCII runs of upper-case letters tokenise at ≥ 2 characters per token; digits at 1–3 per token.
  return count * (Math.ceil(longest / 2) + String(count).length + 2) + 8;
}

/** 1..max lines of `CODE|suggestion`, CODE from `codes` (organisational improvement suggestions). */
export function suggestionGrammar(codes: readonly string[], max: number): string {
  if (codes.length === 0 || max < 1) throw new Error('suggestions need at least one code');
  const optional = Array.from({ length: Math.max(0, max - 1) }, () => 'line?').join(' ');
  return [
    `root ::= line ${optional}`.trimEnd(),
    'line ::= code "|" text "\\n"',
    `code ::= ${codes.map(literal).join(' | ')}`,
    'text ::= [^|\\n] [^|\\n]*',
  ].join('\n') + '\n';
}
