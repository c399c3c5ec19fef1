/**
 * Reading a model output against its template: full parsing with problems (parseOutput), a cheap streaming
 * view (parsePartial), and the canonical text form (renderRecord / renderOutput) used for training targets,
 * display and insertion. Parsing never throws: whatever the model wrote, the caller gets sections, fields and
 * a list of problems.
 */
import type { Template } from '../templates/schema';
import { canonicalFields, validateFields } from './fields';
import { classifyLine, couldBeHeadingStart, prepare, type HeadingInfo, type LineClass, type PreparedTemplate } from './headings';
import { bodyChars, clip, isChatterTrailer, isFenceLine, lineMarkdown, normaliseBody } from './text';
import { FIELDS_KEY, type OutputProblem, type ParseResult, type PartialParse, type PartialSection, type SectionTexts } from './types';

/** One input line; `index` is 0-based. */
export interface Line {
  index: number;
  text: string;
  /** The line looks like a heading but is none of the template's; it is kept as text. */
  unknown?: boolean;
}

/** A recognised heading and the lines up to the next one. */
export interface Block {
  info: HeadingInfo;
  line: number;
  raw: string;
  cls: Extract<LineClass, { kind: 'heading' }>;
  /** Content lines (the heading line's own text first, if any); fence lines left out. */
  lines: Line[];
}

/** The fields JSON as found: where, and what became of it. */
export interface FoundFields {
  /** The fields block; undefined when the JSON was found at the end of the last section without a heading. */
  block?: Block;
  /** The JSON text as written (may span lines), when an opening brace was found. */
  json?: string;
  complete: boolean;
  /** Parsed value, when the JSON parsed. */
  value?: unknown;
  parseError?: string;
  before: string;
  after: string;
}

/** Everything parseOutput works out; repairOutput builds on it. */
export interface Analysis {
  prepared: PreparedTemplate;
  lines: string[];
  preamble: Line[];
  blocks: Block[];
  /** Section copies by key, in order of appearance, with trailing chatter / headless JSON removed. */
  copies: Map<string, Array<{ block: Block; lines: Line[]; body: string }>>;
  /** Keys (sections and FIELDS_KEY) in order of first appearance. */
  order: string[];
  fields: FoundFields | undefined;
  /** Texts that are not part of any body: chatter after the last section, text after the JSON. */
  trailing: string[];
  problems: OutputProblem[];
  sections: SectionTexts;
}

function splitLines(text: string): string[] {
  return text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n').split('\n');
}

function headingOf(p: PreparedTemplate, key: string): string {
  return p.byKey.get(key)?.heading ?? key;
}

/** Finds the first balanced JSON value starting with `opener`; strings and escapes are respected. */
function extractJson(text: string, opener: '{' | '[' | null): { before: string; json?: string; after: string; complete: boolean } {
  if (opener === null) {
    const t = text.trim();
    return t === '' ? { before: '', after: '', complete: false } : { before: '', json: t, after: '', complete: true };
  }
  const start = text.indexOf(opener);
  if (start < 0) return { before: text, after: '', complete: false };
  let depth = 0;
  let inString = false;
  let escaped = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (c === '\\') escaped = true;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) return { before: text.slice(0, start), json: text.slice(start, i + 1), after: text.slice(i + 1), complete: true };
    }
  }
  return { before: text.slice(0, start), json: text.slice(start), after: '', complete: false };
}

/** Removes commas that directly precede a closing brace or bracket (outside strings). */
export function removeTrailingCommas(json: string): string {
  let out = '';
  let inString = false;
  let escaped = false;
  for (let i = 0; i < json.length; i++) {
    const c = json[i] ?? '';
    if (inString) {
      out += c;
      if (escaped) escaped = false;
      else if (c === '\\') escaped = true;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    if (c === ',') {
      let j = i + 1;
      while (j < json.length && /\s/.test(json[j] ?? '')) j++;
      if (json[j] === '}' || json[j] === ']') continue;
    }
    out += c;
  }
  return out;
}

function jsonOpener(t: Template): '{' | '[' | null {
  const type = t.fields?.schema.type;
  return type === 'object' ? '{' : type === 'array' || type === 'sources' ? '[' : null;
}

function tryParse(json: string): { value?: unknown; error?: string } {
  try {
    return { value: JSON.parse(json) as unknown };
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
}

/**
 * A JSON object that ends a block's lines (chatter after it aside): the first brace-led line among the last
 * 200 from which one complete object runs to the end. Trailing commas are tolerated so that repair can find
 * (and fix) such a line too; `error` is then the strict parse error.
 */
function trailingJson(ls: Line[]): { from: number; json: string; after: string; value?: unknown; error?: string } | undefined {
  let j = ls.length - 1;
  while (j >= 0 && (ls[j]?.text.trim() ?? '') === '') j--;
  let tried = 0;
  for (let k = Math.max(0, j - 200); k <= j && tried < 20; k++) {
    if (!(ls[k]?.text.trimStart().startsWith('{') ?? false)) continue;
    tried++;
    const joined = ls
      .slice(k)
      .map((l) => l.text)
      .join('\n');
    const ex = extractJson(joined, '{');
    if (!ex.complete || ex.json === undefined) continue;
    const after = ex.after.trim();
    if (after !== '' && !isChatterTrailer(after)) continue;
    const direct = tryParse(ex.json);
    const value = direct.error === undefined ? direct.value : tryParse(removeTrailingCommas(ex.json)).value;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) continue;
    return { from: k, json: ex.json, after: ex.after, ...(direct.error === undefined ? { value: direct.value } : { error: direct.error }) };
  }
  return undefined;
}

/** Longest increasing subsequence of template positions: the keys that are in order. */
function inOrder(positions: number[]): Set<number> {
  const n = positions.length;
  const len = new Array<number>(n).fill(1);
  const prev = new Array<number>(n).fill(-1);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      if ((positions[j] ?? 0) < (positions[i] ?? 0) && (len[j] ?? 0) + 1 > (len[i] ?? 0)) {
        len[i] = (len[j] ?? 0) + 1;
        prev[i] = j;
      }
    }
  }
  let best = -1;
  for (let i = 0; i < n; i++) if (best < 0 || (len[i] ?? 0) > (len[best] ?? 0)) best = i;
  const keep = new Set<number>();
  for (let i = best; i >= 0; i = prev[i] ?? -1) keep.add(i);
  return keep;
}

/** Reads the output line by line into preamble, heading blocks and problems (parseOutput guards it against throwing). */
export function analyse(template: Template, text: string): Analysis {
  const p = prepare(template);
  const lines = splitLines(typeof text === 'string' ? text : '');
  const problems: OutputProblem[] = [];
  const preamble: Line[] = [];
  const blocks: Block[] = [];
  const markdown = new Map<string, { key: string | null; line: number; markup: string; count: number }>();
  const noteMarkdown = (key: string | null, line: number, markup: string): void => {
    const id = `${key ?? ''}\u0000${markup}`;
    const hit = markdown.get(id);
    if (hit) hit.count++;
    else markdown.set(id, { key, line, markup, count: 1 });
  };

  for (let i = 0; i < lines.length; i++) {
    const text = lines[i] ?? '';
    const current = blocks[blocks.length - 1];
    if (isFenceLine(text)) {
      noteMarkdown(current?.info.key ?? null, i + 1, '```');
      continue;
    }
    const cls = classifyLine(p, text);
    if (cls.kind === 'heading') {
      const block: Block = { info: cls.info, line: i, raw: text, cls, lines: [] };
      if (isFenceLine(cls.inline)) noteMarkdown(cls.info.key, i + 1, '```');
      else if (cls.inline !== '') block.lines.push({ index: i, text: cls.inline });
      blocks.push(block);
      if (cls.markup.length > 0) noteMarkdown(cls.info.key, i + 1, cls.markup.join(''));
      if (cls.issues.length > 0) {
        problems.push({
          code: 'heading-format',
          key: cls.info.key,
          line: i + 1,
          found: text,
          expected: cls.info.heading,
          message: `Line ${i + 1}: heading ${cls.info.heading} ${cls.issues.join(', ')}; it should be on its own line exactly as "${cls.info.heading}".`,
        });
      }
      continue;
    }
    const line: Line = { index: i, text };
    if (cls.kind === 'unknown-heading') {
      line.unknown = true;
      problems.push({ code: 'unknown-heading', line: i + 1, found: text.trim(), message: `Line ${i + 1}: "${clip(text.trim())}" is not a heading of this template.` });
    }
    (current ? current.lines : preamble).push(line);
  }

  // Things at the end of a block that are not its body: the JSON line written without its heading, and
  // assistant chatter after a blank line at the very end.
  const trailing: string[] = [];
  let fields: FoundFields | undefined;
  if (template.fields && jsonOpener(template) === '{' && !blocks.some((b) => b.info.key === FIELDS_KEY)) {
    // The first section in template order (then in document order) whose body ends with a JSON object. The
    // choice does not depend on the order of the sections, so repair can reorder them safely.
    const candidates = blocks
      .map((b, i) => ({ b, i }))
      .sort((x, y) => x.b.info.order - y.b.info.order || x.i - y.i)
      .map((x) => x.b);
    for (const b of candidates) {
      const hit = trailingJson(b.lines);
      if (!hit) continue;
      b.lines.splice(hit.from);
      fields = { json: hit.json, complete: true, before: '', after: hit.after };
      problems.push({ code: 'fields-format', message: `The JSON has no ${template.fields.heading} heading before it.` });
      if (hit.error === undefined) fields.value = hit.value;
      else {
        fields.parseError = hit.error;
        problems.push({ code: 'fields-invalid-json', text: clip(hit.json, 200), message: `The JSON does not parse: ${hit.error}` });
      }
      if (hit.after.trim() !== '') trailing.push(hit.after.trim());
      break;
    }
  }
  const last = blocks[blocks.length - 1];
  if (last && last.info.key !== FIELDS_KEY) {
    const ls = last.lines;
    let j = ls.length - 1;
    while (j >= 0 && (ls[j]?.text.trim() ?? '') === '') j--;
    // Chatter paragraph: after the last blank line, starting like "希望以上…" / "Let me know…".
    let blank = -1;
    for (let k = j; k >= 0; k--) {
      if ((ls[k]?.text.trim() ?? '') === '') {
        blank = k;
        break;
      }
    }
    const start = blank + 1;
    const hasBodyBefore = ls.slice(0, Math.max(blank, 0)).some((l) => l.text.trim() !== '');
    if (blank >= 0 && hasBodyBefore && isChatterTrailer(ls[start]?.text ?? '')) {
      trailing.push(
        ls
          .slice(start)
          .map((l) => l.text.trim())
          .filter((t) => t !== '')
          .join('\n'),
      );
      ls.splice(start);
    }
  }

  const copies = new Map<string, Array<{ block: Block; lines: Line[]; body: string }>>();
  const order: string[] = [];
  const fieldBlocks: Block[] = [];
  for (const b of blocks) {
    if (!order.includes(b.info.key)) order.push(b.info.key);
    if (b.info.key === FIELDS_KEY) {
      fieldBlocks.push(b);
      continue;
    }
    const list = copies.get(b.info.key) ?? [];
    list.push({ block: b, lines: b.lines, body: normaliseBody(b.lines.map((l) => l.text).join('\n')) });
    copies.set(b.info.key, list);
  }

  // Markdown inside bodies (headings' own markup was noted above).
  for (const [key, list] of copies) {
    for (const c of list) {
      for (const l of c.lines) {
        if (l.unknown) continue;
        for (const m of lineMarkdown(l.text)) noteMarkdown(key, l.index + 1, m);
      }
    }
  }

  // Preamble.
  const preambleText = normaliseBody(preamble.map((l) => l.text).join('\n'));
  if (preambleText !== '') {
    problems.unshift({ code: 'preamble', text: preambleText, message: `Text before the first heading: "${clip(preambleText)}".` });
  }

  for (const m of markdown.values()) {
    const where = m.key === null ? 'outside any section' : m.key === FIELDS_KEY ? 'in the fields block' : `in ${headingOf(p, m.key)}`;
    problems.push({
      code: 'markdown',
      key: m.key,
      line: m.line,
      markup: m.markup,
      message: `Markdown "${m.markup}" ${where} (line ${m.line}${m.count > 1 ? ` and ${m.count - 1} more` : ''}); the record is plain prose.`,
    });
  }

  // Structure: missing, repeated, order, empty.
  for (const s of p.sections) {
    if (!copies.has(s.key) && (template.sections[s.order]?.required ?? true)) {
      problems.push({ code: 'missing-section', key: s.key, heading: s.heading, message: `Section ${s.heading} is missing.` });
    }
  }
  const counts = new Map<string, number>();
  for (const b of blocks) counts.set(b.info.key, (counts.get(b.info.key) ?? 0) + 1);
  for (const [key, count] of counts) {
    if (count > 1) problems.push({ code: 'repeated-section', key, heading: headingOf(p, key), count, message: `${headingOf(p, key)} appears ${count} times.` });
  }
  const positions = order.map((k) => p.byKey.get(k)?.order ?? 0);
  const keep = inOrder(positions);
  order.forEach((key, i) => {
    if (!keep.has(i)) {
      problems.push({ code: 'wrong-order', key, heading: headingOf(p, key), message: `${headingOf(p, key)} is out of the template's order (${p.headings.map((h) => h.heading).join(' ')}).` });
    }
  });

  const sections: SectionTexts = {};
  for (const s of p.sections) {
    const list = copies.get(s.key);
    if (!list) continue;
    sections[s.key] = list
      .map((c) => c.body)
      .filter((b) => b !== '')
      .join('\n');
    if (sections[s.key] === '') problems.push({ code: 'empty-section', key: s.key, heading: s.heading, message: `Section ${s.heading} is empty.` });
  }

  // Limits, in code points without line breaks.
  let total = 0;
  for (const s of template.sections) {
    const body = sections[s.key];
    if (body === undefined) continue;
    const chars = bodyChars(body);
    total += chars;
    if (chars > s.maxChars) {
      problems.push({ code: 'over-limit', scope: 'section', key: s.key, chars, limit: s.maxChars, message: `${s.heading} has ${chars} characters; the limit is ${s.maxChars}.` });
    }
  }
  if (total > template.maxTotalChars) {
    problems.push({ code: 'over-limit', scope: 'total', key: 'total', chars: total, limit: template.maxTotalChars, message: `The sections have ${total} characters together; the limit is ${template.maxTotalChars}.` });
  }

  // Fields.
  const fieldsBlock = fieldBlocks[0];
  if (template.fields && fieldsBlock) {
    const joined = fieldsBlock.lines.map((l) => l.text).join('\n');
    const ex = extractJson(joined, jsonOpener(template));
    fields = { block: fieldsBlock, complete: ex.complete, before: ex.before, after: ex.after, ...(ex.json !== undefined ? { json: ex.json } : {}) };
    if (joined.trim() === '') {
      problems.push({ code: 'fields-missing', message: `${template.fields.heading} has no JSON line.` });
    } else if (ex.json === undefined) {
      problems.push({ code: 'fields-invalid-json', text: clip(joined.trim(), 200), message: `${template.fields.heading} is followed by text, not a JSON object.` });
    } else {
      if (ex.before.trim() !== '') problems.push({ code: 'fields-format', message: `Text before the JSON: "${clip(ex.before.trim())}".` });
      if (ex.after.trim() !== '') trailing.push(ex.after.trim());
      if (ex.json.includes('\n')) problems.push({ code: 'fields-format', message: `The JSON spans ${ex.json.split('\n').length} lines; the contract wants one line.` });
      if (!ex.complete) {
        problems.push({ code: 'fields-invalid-json', text: clip(ex.json, 200), message: 'The JSON is cut off (a brace or bracket is not closed).' });
      } else {
        const parsed = tryParse(ex.json);
        if (parsed.error !== undefined) {
          fields.parseError = parsed.error;
          problems.push({ code: 'fields-invalid-json', text: clip(ex.json, 200), message: `The JSON does not parse: ${parsed.error}` });
        } else {
          fields.value = parsed.value;
        }
      }
    }
  } else if (template.fields && !fields) {
    problems.push({ code: 'fields-missing', message: `The ${template.fields.heading} heading and its JSON line are missing.` });
  }
  if (template.fields && fields?.value !== undefined) problems.push(...validateFields(template, fields.value));

  for (const t of trailing) problems.push({ code: 'trailing-text', text: t, message: `Text after the record: "${clip(t)}".` });

  return { prepared: p, lines, preamble, blocks, copies, order, fields, trailing, problems, sections };
}

/**
 * Parses a model output against its template. Never throws. `ok` only when the output keeps the contract
 * exactly: every section once, in order, within limits, plain prose, and (when the template has fields) a
 * valid JSON line.
 */
export function parseOutput(template: Template, text: string): ParseResult {
  try {
    const a = analyse(template, text);
    const fields = a.fields?.value;
    const base = { sections: a.sections, ...(fields !== undefined ? { fields } : {}) };
    return a.problems.length === 0 ? { ok: true, ...base, problems: [] } : { ok: false, ...base, problems: a.problems };
  } catch (e) {
    // Defensive: a bug here must not break the caller's flow; report it as a problem instead.
    return { ok: false, sections: {}, problems: [{ code: 'internal-error', message: `The output could not be read (${e instanceof Error ? e.message : String(e)}).` }] };
  }
}

/**
 * The sections seen so far in a streaming output, for the live preview. Cheap (one pass, no JSON parsing)
 * and never throws. An unfinished last line that may still become a heading is held back from the body.
 */
export function parsePartial(template: Template, text: string): PartialParse {
  const sections: PartialSection[] = [];
  let inFields = false;
  try {
    const p = prepare(template);
    const lines = (typeof text === 'string' ? text : '').replace(/\r\n?/g, '\n').split('\n');
    let current: { section: PartialSection; lines: string[] } | undefined;
    const close = (): void => {
      if (current) {
        current.section.body = normaliseBody(current.lines.join('\n'));
        current.section.complete = true;
      }
    };
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i] ?? '';
      const isLast = i === lines.length - 1;
      if (isFenceLine(line)) continue;
      const cls = classifyLine(p, line);
      // A bare heading word on the unfinished last line may still grow into prose: wait for more text.
      const settled = !isLast || (cls.kind === 'heading' && (cls.exact || cls.inline !== '' || /^[ \t\u3000]*([#*_]|[【[［〔〖])/u.test(line)));
      if (cls.kind === 'heading' && settled) {
        close();
        if (cls.info.key === FIELDS_KEY) {
          inFields = true;
          current = undefined;
        } else {
          inFields = false;
          const section: PartialSection = { key: cls.info.key, heading: cls.info.heading, body: '', complete: false };
          sections.push(section);
          current = { section, lines: cls.inline !== '' ? [cls.inline] : [] };
        }
        continue;
      }
      if (isLast && couldBeHeadingStart(p, line)) continue;
      current?.lines.push(line);
    }
    if (current) current.section.body = normaliseBody(current.lines.join('\n'));
  } catch {
    // Never throw into the UI's render loop; show what was gathered.
  }
  return { sections, inFields };
}

/**
 * The canonical text of a record: each given section's heading line and body, in template order, no fields.
 * Bodies are normalised (lines trimmed, blank lines dropped). Sections not given are left out. Throws a
 * RangeError for a key the template does not declare (a data bug the caller must see).
 */
export function renderRecord(template: Template, sections: Readonly<Record<string, string>>): string {
  const known = new Set(template.sections.map((s) => s.key));
  for (const key of Object.keys(sections)) {
    if (!known.has(key)) throw new RangeError(`section "${key}" is not declared by template ${template.id}@${template.language}`);
  }
  return template.sections
    .filter((s) => sections[s.key] !== undefined)
    .map((s) => `${s.heading}\n${normaliseBody(sections[s.key] ?? '')}`)
    .join('\n');
}

/** The fields heading and the JSON line (compact, properties in schema order). Throws if the template has no fields. */
export function renderFieldsLine(template: Template, fields: unknown): string {
  if (!template.fields) throw new RangeError(`template ${template.id}@${template.language} declares no fields`);
  return `${template.fields.heading}\n${JSON.stringify(canonicalFields(template, fields))}`;
}

/** The whole canonical output (the training target): the record, then the fields line when given. */
export function renderOutput(template: Template, sections: Readonly<Record<string, string>>, fields?: unknown): string {
  const record = renderRecord(template, sections);
  return fields !== undefined && template.fields ? `${record}\n${renderFieldsLine(template, fields)}` : record;
}
