/**
 * Heading recognition. The contract wants each heading on its own line, exactly as the template spells it;
 * models also write `**【离职原因】**`, `## 离职原因`, `[离职原因]`, `离职原因:` or `【离职原因】员工…`. Those are
 * recognised here and reported as format problems, so parsing degrades gracefully instead of losing sections.
 */
import type { Template } from '../templates/schema';
import { FIELDS_KEY } from './types';

/** A heading the template declares: a section's, or the fields block's (key {@link FIELDS_KEY}). */
export interface HeadingInfo {
  key: string;
  heading: string;
  /** Position in output order; the fields block comes after every section. */
  order: number;
  /** The heading's words without brackets, normalised (see {@link normaliseCore}). */
  core: string;
}

/** A template's headings, indexed for line classification. Computed once per template object. */
export interface PreparedTemplate {
  template: Template;
  headings: HeadingInfo[];
  sections: HeadingInfo[];
  fields: HeadingInfo | undefined;
  byKey: Map<string, HeadingInfo>;
  byHeading: Map<string, HeadingInfo>;
  byCore: Map<string, HeadingInfo>;
}

const OPEN = '【[［〔〖';
const BRACKET_RE = /^[【[［〔〖][ \t\u3000]*([^【[［〔〖】\]］〕〗\n]{1,40}?)[ \t\u3000]*[】\]］〕〗]/u;

/** Normalises heading words for tolerant comparison: NFKC (full-width → half-width), case, spacing, colon. */
export function normaliseCore(s: string): string {
  return s
    .normalize('NFKC')
    .toLowerCase()
    .replace(/\s+/gu, ' ')
    .replace(/[:：]$/u, '')
    .trim();
}

function coreOf(heading: string): string {
  const m = BRACKET_RE.exec(heading.trim());
  return normaliseCore(m?.[1] ?? heading);
}

const cache = new WeakMap<Template, PreparedTemplate>();

/** Indexes a template's headings (cached per template object). */
export function prepare(template: Template): PreparedTemplate {
  const hit = cache.get(template);
  if (hit) return hit;
  const sections: HeadingInfo[] = template.sections.map((s, i) => ({ key: s.key, heading: s.heading, order: i, core: coreOf(s.heading) }));
  const fields: HeadingInfo | undefined = template.fields
    ? { key: FIELDS_KEY, heading: template.fields.heading, order: sections.length, core: coreOf(template.fields.heading) }
    : undefined;
  const headings = fields ? [...sections, fields] : sections;
  const byCore = new Map<string, HeadingInfo>();
  // First declared wins if two headings only differ in their brackets.
  for (const h of headings) if (!byCore.has(h.core)) byCore.set(h.core, h);
  const prepared: PreparedTemplate = {
    template,
    headings,
    sections,
    fields,
    byKey: new Map(headings.map((h) => [h.key, h])),
    byHeading: new Map(headings.map((h) => [h.heading, h])),
    byCore,
  };
  cache.set(template, prepared);
  return prepared;
}

/** How one line of output was read. */
export type LineClass =
  | {
      kind: 'heading';
      info: HeadingInfo;
      /** The line is exactly the heading. */
      exact: boolean;
      /** Markdown markup around the heading (`##`, `**`). */
      markup: string[];
      /** Other deviations from the exact heading, in words. */
      issues: string[];
      /** Text written after the heading on the same line (the start of the body). */
      inline: string;
    }
  | { kind: 'unknown-heading' }
  | { kind: 'text' };

const TEXT: LineClass = { kind: 'text' };
const UNKNOWN: LineClass = { kind: 'unknown-heading' };

/** Classifies one line (no line break in it) against the template's headings. Never throws; O(line length). */
export function classifyLine(p: PreparedTemplate, line: string): LineClass {
  const exact = p.byHeading.get(line);
  if (exact) return { kind: 'heading', info: exact, exact: true, markup: [], issues: [], inline: '' };
  // Cheap rejection: a heading line starts (after spaces and markup) with a bracket, '#', '*', '_' or a
  // heading's first letter; anything long that starts otherwise is prose.
  let s = line.replace(/^[ \t\u3000]+/u, '');
  if (s === '') return TEXT;
  const markup: string[] = [];
  const issues: string[] = [];
  if (s.length !== line.length || /[ \t\u3000]$/u.test(line)) issues.push('spaces around the heading');
  const hashes = /^(#{1,6})[ \t\u3000]*/u.exec(s);
  if (hashes) {
    markup.push(hashes[1] ?? '#');
    s = s.slice(hashes[0].length);
  }
  const emphasis = /^(\*\*|__|\*)[ \t\u3000]*/u.exec(s);
  if (emphasis) {
    markup.push(emphasis[1] ?? '**');
    s = s.slice(emphasis[0].length);
  }
  let info: HeadingInfo | undefined;
  let written: string;
  let after: string;
  let bracketed = false;
  const b = BRACKET_RE.exec(s);
  if (b) {
    bracketed = true;
    written = b[0];
    after = s.slice(b[0].length);
    info = p.byCore.get(normaliseCore(b[1] ?? ''));
  } else {
    // A bare heading ends at a colon, the closing emphasis, or the end of the line; never mid-sentence.
    const sep = /[:：]|\*\*|__|\*/u.exec(s);
    written = (sep ? s.slice(0, sep.index) : s).trim();
    after = sep ? s.slice(sep.index) : '';
    if (written === '' || written.length > 60) return TEXT;
    info = p.byCore.get(normaliseCore(written));
  }
  const tail = /^[ \t\u3000]*(\*\*|__|\*)?[ \t\u3000]*([:：])?[ \t\u3000]*(\*\*|__|\*)?[ \t\u3000]*/u.exec(after);
  const closers = [tail?.[1], tail?.[3]].filter((x): x is string => x !== undefined);
  const colon = tail?.[2] !== undefined;
  const inline = after.slice(tail?.[0].length ?? 0).trim();
  if (!info) {
    // Looks like a heading (a short bracketed line, or a Markdown heading) but is none of the template's.
    if (bracketed && inline === '' && Array.from(written).length <= 26) return UNKNOWN;
    if (hashes && Array.from(s).length <= 40) return UNKNOWN;
    return TEXT;
  }
  if (!bracketed && markup.length === 0 && closers.length === 0 && !colon) {
    // A bare line equal to a heading's words ("离职原因") is a heading; with no marker at all it must be alone.
    if (inline !== '') return TEXT;
  }
  for (const c of closers) if (!markup.includes(c)) markup.push(c);
  if (written !== info.heading) issues.push(bracketed ? `written as "${written}"` : `written without brackets as "${written}"`);
  if (colon) issues.push('colon after the heading');
  if (inline !== '') issues.push('text on the heading line');
  return { kind: 'heading', info, exact: false, markup, issues, inline };
}

/** Whether an unfinished last line could still become a heading line (streaming). */
export function couldBeHeadingStart(p: PreparedTemplate, partialLine: string): boolean {
  const s = partialLine.replace(/^[ \t\u3000]+/u, '');
  if (s === '') return true;
  if (Array.from(s).length > 44) return false;
  if (p.headings.some((h) => h.heading.startsWith(s))) return true;
  const first = s[0] ?? '';
  return OPEN.includes(first) || first === '#' || first === '*' || first === '_';
}
