/**
 * Deriving the output contract of a template: an xgrammar EBNF grammar for the whole output (what WebLLM's
 * `response_format: { type: 'grammar' }` takes), the JSON Schema of the fields, and a token budget.
 *
 * The grammar, in order: each section's literal heading line and a body of one or more non-empty lines, then
 * the fields heading and ONE line of compact JSON generated from the field DSL (enums as literal
 * alternatives, confidence as 0 / 1 / 0.x / 0.xx, bounded arrays where small). Bodies may not contain a
 * bracket that opens a heading (`【`, `[`), backticks or `*`, and a body line may not start like Markdown
 * (`#`, `>`, `- `, `1.`…) or with a heading's words.
 *
 * Written for the runtime's own path: WebLLM's chat pipeline compiles with the grammar cache ON, so xgrammar
 * parses the grammar, PRINTS it and parses the printed text again. Measured with the xgrammar bundled in
 * web-llm 0.2.86 and 0.2.79 (models/eval/xgrammar.ts), the grammar keeps to a subset both read back intact
 * ({@link grammarPortabilityProblems} checks it):
 *  - the printer writes U+0000–U+001F, U+007F–U+00FF as `\xHH` and the parser reads `\x` greedily, so such a
 *    character followed by a hex digit reads back as another character (`\x7f` + `0` → U+07F0, `é1` → U+0E91).
 *    In a class, hex-digit members come first; in a literal, a hex digit after such a character is a rule
 *    reference (0.2.79 merges adjacent literals and one-character classes, but not rule references);
 *  - no `{m,n}` repetition (0.2.79: "Expect element"): bounded repeats are written out as nested optionals;
 *  - in a class only `]`, `\\`, `"` are escaped (0.2.79 rejects `\[` and `\^`: "Invalid escape sequence"); a `-`
 *    member is written last, unescaped.
 *
 * The same text is what a company server running llama.cpp takes as GBNF (shared/engine/server.ts), whose parser
 * (checked with llama.cpp's own, test/engine/llamacpp-grammar.test.ts) is stricter: rule names are letters, digits
 * and `-` only (`a_b` is "expecting newline or end"), and builds before late 2026 reject `\-` in a class
 * ("unknown escape"). So rule names use `-`, and the class hyphen is the bare last member.
 *
 * Two known bugs of these builds with non-ASCII characters in character classes (xgrammar #138/#491 and
 * #848/#909):
 *  - a POSITIVE class with a non-ASCII member matches the wrong characters, so this grammar never writes one
 *    (non-ASCII text only appears in string literals, which work);
 *  - a NEGATED class admits every non-ASCII character, so `[^【\n]` keeps `\n` out but lets `【` through.
 *    The grammar still writes the exclusion: it is exact with a fixed xgrammar and harmless with this one,
 *    where the parser (parseOutput) catches what slips through. ASCII exclusions (`[` for English
 *    templates, `*`, `#`, line breaks) are enforced by every build.
 */
import type { FieldType, Template } from '../templates/schema';
import { fieldsJsonSchema, enumValues, estimateJsonChars, SOURCES_MAX_ITEMS } from './fields';
import { codePoints } from './text';
import type { OutputContract } from './types';

/** Brackets that open a heading: a body may not contain them when a heading starts with one. */
const HEADING_OPENERS = '【[［〔〖';
/** Character ranges no body may contain: control characters. */
const TEXT_EXCLUDED_RANGES = ['\\u0000-\\u001f', '\\u007f'];
/** Characters no body may contain: Markdown emphasis and code. */
const TEXT_EXCLUDED = ['*', '`'];
/** Characters a body line may not start with: spaces, Markdown line markers, bullets (digits: see NUMBER_FOLLOW). */
const LEAD_EXCLUDED = [' ', '\u3000', '#', '>', '-', '+', '|', '~', '_', '•', '·', '●', '▪', '◦'];
/** After a leading number, list-number punctuation ("1." "1)" "1、") may not follow (but "2.5" may). */
const NUMBER_FOLLOW_EXCLUDED = ['.', ')', '）', '、', '．'];
/** Arrays up to this many items get an exact item bound in the grammar. */
const MAX_BOUNDED_ARRAY = 16;
const SEP = '"," " "?';
const COLON = '":" " "?';

/** Whether xgrammar's printer writes this code point as a greedy `\xHH` escape. */
function printsAsHexEscape(c: number): boolean {
  return (c >= 0 && c < 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) || (c >= 0x7f && c <= 0xff);
}
const isHexDigit = (ch: string): boolean => /^[0-9A-Fa-f]$/.test(ch);
/** Rule name of a one-digit literal, used to keep a hex digit out of the literal before it. */
const hexDigitRule = (ch: string): string => `lit-hex-${ch}`;

/**
 * An EBNF string literal. Non-ASCII stays as is (xgrammar reads UTF-8); quotes and controls are escaped. A hex
 * digit that follows a character printed as `\xHH` becomes a reference to a `lit-hex-*` rule (which
 * {@link deriveGrammar} defines), so that the printed grammar reads back the same.
 */
export function ebnfLiteral(s: string): string {
  const parts: string[] = [];
  let out = '';
  let prev = -1;
  for (const ch of s) {
    if (printsAsHexEscape(prev) && isHexDigit(ch)) {
      parts.push(`${out}"`, hexDigitRule(ch));
      out = '';
      prev = -1;
      continue;
    }
    out += ch === '"' ? '\\"' : escapeChar(ch);
    prev = ch.codePointAt(0) ?? -1;
  }
  if (out !== '' || parts.length === 0) parts.push(`${out}"`);
  const written = parts.map((p) => (p.endsWith('"') ? `"${p}` : p));
  return written.length === 1 ? (written[0] ?? '""') : `(${written.join(' ')})`;
}

function escapeChar(ch: string): string {
  const c = ch.codePointAt(0) ?? 0;
  if (ch === '\\') return '\\\\';
  if (ch === '\n') return '\\n';
  if (ch === '\r') return '\\r';
  if (ch === '\t') return '\\t';
  // \u takes exactly four digits; \x would swallow a following hex digit ("\x7f0").
  if (c < 0x20 || c === 0x7f) return `\\u${c.toString(16).padStart(4, '0')}`;
  // Invisible characters (U+3000 ideographic space, NBSP…) are written as escapes to stay readable.
  if (c > 0x7f && /[\s\p{Cf}]/u.test(ch)) return c > 0xffff ? `\\U${c.toString(16).padStart(8, '0')}` : `\\u${c.toString(16).padStart(4, '0')}`;
  return ch;
}

/**
 * One member of a character class: a single character escaped for use inside `[...]` (never `\[`, `\^` or `\-`;
 * {@link negatedClass} writes a `-` member last, where it is literal in every reader).
 */
function classMember(ch: string): string {
  return ']"'.includes(ch) ? `\\${ch}` : escapeChar(ch);
}

/** Sort key of a class member: hex digits first, escapes printed as `\xHH` last (see the module comment). */
function memberRank(ch: string): number {
  const c = ch.codePointAt(0) ?? 0;
  if (isHexDigit(ch)) return 0;
  if (printsAsHexEscape(c)) return 3;
  if (ch === '^') return 2; // never first, where it would negate
  return 1;
}

/**
 * A negated character class. `ranges` are members such as `0-9` or `\u0000-\u001f`; `chars` are single
 * characters, escaped here. Members are ordered so that nothing printed as `\xHH` is followed by a hex digit:
 * digit ranges first, control ranges last. (Never a positive class with non-ASCII: see the module comment.)
 */
function negatedClass(ranges: readonly string[], chars: Iterable<string>): string {
  const digitRanges = ranges.filter((r) => /^[0-9A-Fa-f]-/.test(r));
  const otherRanges = ranges.filter((r) => !digitRanges.includes(r));
  const members = [...new Set(chars)].filter((m) => m !== '-').sort((a, b) => memberRank(a) - memberRank(b));
  const head = members.filter((m) => memberRank(m) < 3).map(classMember);
  const tail = members.filter((m) => memberRank(m) === 3).map(classMember);
  const hyphen = new Set(chars).has('-') ? ['-'] : [];
  return `[^${[...digitRanges, ...head, ...otherRanges, ...tail, ...hyphen].join('')}]`;
}

/** `expr` repeated `min`..`max` times (unbounded when `max` is undefined), without `{m,n}`. */
function repeat(expr: string, min: number, max?: number): string {
  const fixed = Array.from({ length: min }, () => expr);
  if (max === undefined) return concat(...fixed, `(${expr})*`);
  let optional = '';
  for (let i = max; i > min; i--) optional = `(${concat(expr, optional)})?`;
  return concat(...fixed, optional);
}

/** Rules of a grammar under construction; identical right-hand sides share one rule. */
class Rules {
  private readonly rules = new Map<string, string>();
  private readonly byBody = new Map<string, string>();
  private readonly notes = new Map<string, string>();

  define(hint: string, body: string, note?: string, shared = true): string {
    const existing = shared ? this.byBody.get(body) : undefined;
    if (existing !== undefined) return existing;
    // Letters, digits and `-` only (llama.cpp's GBNF), starting with a letter.
    const base = hint.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-+|-+$/g, '').replace(/^(?=[^A-Za-z])/, 'r-') || 'rule';
    let name = base;
    for (let n = 2; this.rules.has(name); n++) name = `${base}-${n}`;
    this.rules.set(name, body);
    this.byBody.set(body, name);
    if (note) this.notes.set(name, note);
    return name;
  }

  render(header: string[]): string {
    // The one-digit literals that ebnfLiteral refers to (see printsAsHexEscape).
    const digits = new Set<string>();
    for (const body of this.rules.values()) for (const m of body.matchAll(/\blit-hex-([0-9A-Fa-f])\b/g)) digits.add(m[1] ?? '0');
    for (const d of [...digits].sort()) if (!this.rules.has(hexDigitRule(d))) this.rules.set(hexDigitRule(d), `"${d}"`);
    const lines = header.map((h) => `# ${h}`);
    const entries = [...this.rules].sort(([a], [b]) => (a === 'root' ? -1 : b === 'root' ? 1 : 0));
    for (const [name, body] of entries) {
      const note = this.notes.get(name);
      if (note) lines.push(`# ${note}`);
      lines.push(`${name} ::= ${body}`);
    }
    return `${lines.join('\n')}\n`;
  }
}

function concat(...parts: string[]): string {
  const kept = parts.filter((p) => p !== '' && p !== '""');
  return kept.length === 0 ? '""' : kept.join(' ');
}

/**
 * Items in a fixed order joined by `sep`, where optional items may be left out (and their separator with
 * them). Returns an expression. Written as a small automaton: `from_i` = nothing written yet, `rest_i` =
 * something written, items i.. remain.
 */
function sequence(r: Rules, hint: string, items: ReadonlyArray<{ expr: string; optional: boolean }>, sep: string): string {
  if (!items.some((i) => i.optional)) return concat(...items.flatMap((it, i) => (i === 0 ? [it.expr] : [sep, it.expr])));
  let rest = '""';
  let from = '""';
  for (let i = items.length - 1; i >= 0; i--) {
    const it = items[i];
    if (!it) continue;
    const restBody = it.optional ? `(${concat(sep, it.expr, rest)}) | ${rest}` : concat(sep, it.expr, rest);
    const fromBody = it.optional ? `(${concat(it.expr, rest)}) | ${from}` : concat(it.expr, rest);
    rest = r.define(`${hint}_rest${i}`, restBody);
    from = r.define(`${hint}_from${i}`, fromBody);
  }
  return from;
}

interface TrieNode {
  children: Map<string, TrieNode>;
  terminal: boolean;
}

/**
 * Body lines, as rules. Headings that start with a bracket exclude that bracket from all body text; other
 * headings (e.g. "一、离职原因") are kept from starting a body line by a prefix trie, so a body line can never
 * be a heading line, and the parser never has to guess.
 */
function bodyRules(r: Rules, template: Template): string {
  const headings = [...template.sections.map((s) => s.heading), ...(template.fields ? [template.fields.heading] : [])];
  const openers = new Set<string>();
  const trie: TrieNode = { children: new Map(), terminal: false };
  for (const h of headings) {
    const first = Array.from(h)[0] ?? '';
    if (HEADING_OPENERS.includes(first)) {
      openers.add(first);
      continue;
    }
    const code = first.codePointAt(0) ?? 0;
    if (code < 0x20 || code === 0x7f || /[0-9\s]/u.test(first) || LEAD_EXCLUDED.includes(first) || TEXT_EXCLUDED.includes(first)) continue;
    let node = trie;
    for (const ch of h) {
      let next = node.children.get(ch);
      if (!next) node.children.set(ch, (next = { children: new Map(), terminal: false }));
      node = next;
    }
    node.terminal = true;
  }
  const textChar = r.define('text_char', negatedClass(TEXT_EXCLUDED_RANGES, [...TEXT_EXCLUDED, ...openers]), 'any character a section body may contain');
  const lineEnd = `${textChar}*`;

  let counter = 0;
  const prefixRule = (node: TrieNode): string => {
    const alts = ['""', `${negatedClass(TEXT_EXCLUDED_RANGES, [...TEXT_EXCLUDED, ...openers, ...node.children.keys()])} ${lineEnd}`];
    for (const [ch, child] of node.children) if (!child.terminal) alts.push(`${ebnfLiteral(ch)} ${prefixRule(child)}`);
    return r.define(`heading_prefix_${++counter}`, alts.join(' | '));
  };

  const lead = negatedClass([...TEXT_EXCLUDED_RANGES, '0-9'], [...TEXT_EXCLUDED, ...LEAD_EXCLUDED, ...openers, ...trie.children.keys()]);
  const numberFollow = negatedClass([...TEXT_EXCLUDED_RANGES, '0-9'], [...TEXT_EXCLUDED, ...NUMBER_FOLLOW_EXCLUDED, ...openers]);
  const alternatives = [`${lead} ${lineEnd}`, `[0-9]+ ((${numberFollow} | "." [0-9]) ${lineEnd})?`];
  for (const [ch, child] of trie.children) if (!child.terminal) alternatives.push(`${ebnfLiteral(ch)} ${prefixRule(child)}`);
  const line = r.define('line', alternatives.join(' | '), 'one line of prose: no Markdown marker or heading at its start');
  return r.define('body', `${line} ("\\n" ${line})*`, 'a section body: one or more non-empty lines');
}

/** A JSON string. Its length is not bounded here (that would be a chain of nested optionals as long as the
 * bound); validateFields reports a string over `maxChars`. */
function jsonString(r: Rules): string {
  const hex = '[0-9a-fA-F]';
  const ch = r.define('json_char', `[^"\\\\\\u0000-\\u001f] | "\\\\" ([\\"\\\\/bfnrt] | "u" ${hex} ${hex} ${hex} ${hex})`);
  return r.define('json_string', `"\\"" ${ch}* "\\""`);
}

function orNull(expr: string, nullable: boolean | undefined): string {
  return nullable ? `(${expr} | "null")` : expr;
}

function jsonValue(r: Rules, template: Template, f: FieldType, hint: string): string {
  switch (f.type) {
    case 'string':
      return orNull(jsonString(r), f.nullable);
    case 'boolean':
      return orNull(r.define('json_boolean', '"true" | "false"'), f.nullable);
    case 'number': {
      const nonNegative = f.min !== undefined && f.min >= 0;
      const body = `${nonNegative ? '' : '"-"? '}("0" | [1-9] [0-9]*) ("." [0-9]+)?`;
      return orNull(r.define(nonNegative ? 'json_number_nonneg' : 'json_number', body), f.nullable);
    }
    case 'integer': {
      if (f.min !== undefined && f.max !== undefined && f.max >= f.min && f.max - f.min <= 32) {
        const alts: string[] = [];
        for (let v = f.min; v <= f.max; v++) alts.push(ebnfLiteral(String(v)));
        return orNull(r.define(hint, alts.join(' | ')), f.nullable);
      }
      const nonNegative = f.min !== undefined && f.min >= 0;
      return orNull(r.define(nonNegative ? 'json_integer_nonneg' : 'json_integer', `${nonNegative ? '' : '"-"? '}("0" | [1-9] [0-9]*)`), f.nullable);
    }
    case 'enum': {
      const values = enumValues(template, f).map((v) => ebnfLiteral(JSON.stringify(v)));
      if (f.nullable) values.push('"null"');
      const name = f.taxonomy !== undefined ? `enum_${f.taxonomy}${f.nullable ? '_or_null' : ''}` : hint;
      return r.define(name, values.join(' | '), f.taxonomy !== undefined ? `codes of taxonomy "${f.taxonomy}"` : undefined);
    }
    case 'confidence':
      return r.define('confidence', '"0" ("." [0-9] [0-9]?)? | "1" ("." "0" "0"?)?', 'a confidence from 0 to 1, at most two decimals');
    case 'sources': {
      // At most SOURCE_MAX_CHARS characters: validateFields checks the length.
      const id = r.define('source_id', `"\\"" [^"\\\\\\u0000-\\u001f]+ "\\""`, 'a turn id (T3) or a table field name');
      return r.define('sources', `"[" (${concat(id, repeat(`${SEP} ${id}`, 0, SOURCES_MAX_ITEMS - 1))})? "]"`);
    }
    case 'array': {
      const item = jsonValue(r, template, f.items, `${hint}_item`);
      const min = f.minItems ?? 0;
      const max = f.maxItems;
      if (max === 0) return r.define(hint, '"[" "]"');
      const more = (from: number): string => {
        if (max !== undefined && max <= MAX_BOUNDED_ARRAY) {
          const hi = max - 1;
          return hi <= 0 ? '' : repeat(`${SEP} ${item}`, Math.min(from, hi), hi);
        }
        return repeat(`${SEP} ${item}`, from);
      };
      const inner = min >= 1 ? concat(item, more(min - 1)) : `(${concat(item, more(0))})?`;
      return r.define(hint, `"[" ${inner} "]"`);
    }
    case 'object': {
      const required = new Set(f.required ?? []);
      const members = Object.entries(f.properties).map(([name, sub]) => ({
        expr: concat(ebnfLiteral(JSON.stringify(name)), COLON, jsonValue(r, template, sub, `${hint}_${name}`)),
        optional: !required.has(name),
      }));
      const body = `"{" ${sequence(r, `${hint}_members`, members, SEP)} "}"`;
      return orNull(r.define(hint, body), f.nullable);
    }
  }
}

/** The EBNF grammar (xgrammar syntax, root rule `root`) for a template's whole output. */
export function deriveGrammar(template: Template): string {
  const r = new Rules();
  const body = bodyRules(r, template);
  const items = template.sections.map((s) => ({
    expr: r.define(`sec_${s.key}`, `${ebnfLiteral(`${s.heading}\n`)} ${body}`),
    optional: !s.required,
  }));
  if (template.fields) {
    const json = jsonValue(r, template, template.fields.schema, 'fields_json');
    items.push({ expr: r.define('fields', `${ebnfLiteral(`${template.fields.heading}\n`)} ${json}`, 'the fields heading and ONE line of JSON'), optional: false });
  }
  r.define('root', sequence(r, 'record', items, '"\\n"'), undefined, false);
  return r.render([
    `Liuhen output contract: ${template.id}@${template.language} ${template.version} (generated by shared/output; do not edit).`,
    'Sections in order, each "heading line" + body lines; then the fields heading + one JSON line; nothing else.',
  ]);
}

/**
 * A conservative `max_tokens`: the prose limit with 50% slack (so that over-long text is reported by the
 * parser rather than cut off before the JSON), the headings, and the largest plausible fields line.
 * Chinese/Japanese/Korean text is counted at one token per character, other text at one per ~3 characters,
 * JSON at one token per 2 characters.
 */
export function deriveMaxTokens(template: Template): number {
  const cjk = /^(zh|ja|ko)\b/.test(template.language);
  const perChar = cjk ? 1 : 0.35;
  const headings = [...template.sections.map((s) => s.heading), ...(template.fields ? [template.fields.heading] : [])];
  const headingTokens = headings.reduce((n, h) => n + codePoints(h) * (cjk ? 1 : 0.5) + 1, 0);
  const prose = template.maxTotalChars * 1.5 * perChar + template.sections.length * 4;
  const json = estimateJsonChars(template) / 2;
  return Math.ceil((prose + headingTokens + json + 16) / 16) * 16;
}

/** The output contract of a template: grammar, fields JSON Schema, response format and token budget. */
export function deriveContract(template: Template): OutputContract {
  const grammar = deriveGrammar(template);
  const schema = fieldsJsonSchema(template);
  return {
    grammar,
    ...(schema ? { fieldsJsonSchema: schema } : {}),
    responseFormat: { type: 'grammar', grammar },
    maxTokens: deriveMaxTokens(template),
  };
}
