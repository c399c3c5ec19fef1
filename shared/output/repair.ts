/**
 * Deterministic repair of a model output: only changes that cannot alter what the record says. Chatter
 * around the record, heading variants, Markdown markup and code fences are removed or normalised; sections
 * go back into template order; an empty repeated copy is dropped; an empty section gets the template's
 * `emptyText`; taxonomy labels written instead of codes become codes. Everything else — over-long text,
 * unknown codes, missing sections, two non-empty copies of a section — is reported, never guessed at.
 */
import type { Template } from '../templates/schema';
import { canonicalFields, enrichLabels } from './fields';
import { classifyLine } from './headings';
import { analyse, parseOutput, removeTrailingCommas, type Block, type Line } from './parse';
import { clip, isChatterPreamble, isFenceLine, stripLineMarkdown } from './text';
import { FIELDS_KEY, type RepairResult } from './types';

/** A list number at the start of a line: "1." "1)" "1）" "1、" "1．" (not "2.5"). */
const LIST_NUMBER = /^(\d{1,2})[.)）、．](?!\d)/u;

function parseJson(json: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(json) as unknown };
  } catch {
    return { ok: false };
  }
}

/**
 * Repairs what can be repaired deterministically and reports the rest. Never throws; never invents content
 * and never drops body text (only markup and chatter outside the bodies). `problems` are the problems of the
 * repaired text.
 */
export function repairOutput(template: Template, text: string): RepairResult {
  try {
    return repair(template, typeof text === 'string' ? text : '');
  } catch (e) {
    const r = parseOutput(template, typeof text === 'string' ? text : '');
    return {
      text,
      sections: r.sections,
      ...(r.fields !== undefined ? { fields: r.fields } : {}),
      fixed: [],
      problems: [...r.problems, { code: 'internal-error', message: `Repair failed (${e instanceof Error ? e.message : String(e)}); the text is unchanged.` }],
    };
  }
}

function repair(template: Template, text: string): RepairResult {
  const a = analyse(template, text);
  const p = a.prepared;
  const fixed: string[] = [];
  const out: string[] = [];

  // Text before the first heading: dropped only when it is assistant chatter; otherwise it may be content.
  const preamble = a.preamble.map((l) => l.text).filter((t) => t.trim() !== '');
  if (preamble.length > 0) {
    if (isChatterPreamble(preamble)) fixed.push(`Removed the text before the first heading: "${clip(preamble.join(' ').trim())}".`);
    else out.push(...preamble.map((t) => t.trim()));
  }

  if (a.lines.some(isFenceLine)) fixed.push('Removed Markdown code fences.');
  // A heading line whose own text reads as a heading too ("【离职原因】【在职体验】") cannot be split without
  // changing the structure: it is kept as written (and stays reported).
  const keepRaw = new Set(a.blocks.filter((b) => b.cls.inline !== '' && classifyLine(p, b.cls.inline).kind !== 'text'));
  for (const b of a.blocks) {
    if (!b.cls.exact && !keepRaw.has(b)) fixed.push(`Normalised the heading "${clip(b.raw.trim())}" to ${b.info.heading}.`);
  }

  // Body lines without Markdown, unless removing the markup would turn a line into a heading.
  const stripped = new Map<string, Set<string>>();
  const clean = (key: string, l: Line): string => {
    if (l.unknown) return l.text.trim();
    const r = stripLineMarkdown(l.text);
    if (r.markups.length === 0) return l.text.trim();
    // A list number is content, not markup: "1、" / "1." becomes "（1）" / "(1) " (a form the output contract
    // accepts at a line start), so the numbering the model wrote is kept instead of silently dropped.
    const number = LIST_NUMBER.exec(l.text.replace(/^[ \t\u3000]*(?:[-*+>][ \t\u3000]+)*/u, ''));
    const text = number && r.text !== '' ? `${numberPrefix(number[1] ?? '')}${r.text}` : r.text;
    if (classifyLine(p, text).kind !== 'text' || isFenceLine(text)) return l.text.trim();
    const set = stripped.get(key) ?? new Set<string>();
    r.markups.filter((m) => !(number && LIST_NUMBER.test(m))).forEach((m) => set.add(m));
    if (number) numbered.add(key);
    if (set.size > 0) stripped.set(key, set);
    return text;
  };
  const numbered = new Set<string>();
  const zh = template.language.startsWith('zh');
  const numberPrefix = (n: string): string => (zh ? `（${n}）` : `(${n}) `);

  /** A fields block as written, lines trimmed; its heading normalised unless its text reads as a heading. */
  const rawBlock = (b: Block): string[] => [
    keepRaw.has(b) ? b.raw.trim() : b.info.heading,
    ...b.lines
      .filter((l) => !(keepRaw.has(b) && l.index === b.line))
      .map((l) => l.text.trim())
      .filter((t) => t !== ''),
  ];

  const sectionKeys = a.order.filter((k) => k !== FIELDS_KEY);
  const positions = sectionKeys.map((k) => p.byKey.get(k)?.order ?? 0);
  const fieldsFirstAt = a.order.indexOf(FIELDS_KEY);
  if (positions.some((pos, i) => i > 0 && pos < (positions[i - 1] ?? 0)) || (fieldsFirstAt >= 0 && fieldsFirstAt < a.order.length - 1)) {
    fixed.push('Put the sections back into the template order.');
  }

  for (const s of template.sections) {
    const copies = a.copies.get(s.key);
    if (!copies) continue;
    const raw = copies.map((c) => keepRaw.has(c.block));
    let bodies = copies.map((c) => c.lines.filter((l) => !(keepRaw.has(c.block) && l.index === c.block.line)).map((l) => clean(s.key, l)).filter((t) => t !== ''));
    if (bodies.length > 1 && !raw.some(Boolean)) {
      const nonEmpty = bodies.filter((b) => b.length > 0);
      if (nonEmpty.length <= 1) {
        bodies = [nonEmpty[0] ?? []];
        fixed.push(`Merged the repeated ${s.heading} (the other ${copies.length > 2 ? 'copies were' : 'copy was'} empty).`);
      }
    }
    if (bodies.length === 1 && bodies[0]?.length === 0 && !raw[0] && s.emptyText !== undefined) {
      bodies = [[s.emptyText]];
      fixed.push(`Filled the empty ${s.heading} with "${s.emptyText}".`);
    }
    bodies.forEach((body, i) => out.push(raw[i] ? (copies[i]?.block.raw.trim() ?? s.heading) : s.heading, ...body));
  }
  for (const key of numbered) {
    fixed.push(`Kept the list numbers in ${p.byKey.get(key)?.heading ?? key} as ${zh ? '（1）' : '(1)'} (a line may not start with "1." or "1、").`);
  }
  for (const [key, markups] of stripped) {
    fixed.push(`Removed Markdown (${[...markups].join(' ')}) from ${p.byKey.get(key)?.heading ?? key}.`);
  }

  if (a.trailing.length > 0) fixed.push(`Removed the text after the record: "${clip(a.trailing.join(' '))}".`);

  // The fields line.
  const f = a.fields;
  if (template.fields && f) {
    let value: { ok: true; value: unknown } | { ok: false } = f.value !== undefined ? { ok: true, value: f.value } : { ok: false };
    if (!value.ok && f.json !== undefined && f.complete) {
      const retry = parseJson(removeTrailingCommas(f.json));
      if (retry.ok) {
        value = retry;
        fixed.push('Removed trailing commas from the JSON.');
      }
    }
    if (value.ok) {
      const enriched = enrichLabels(template, value.value);
      fixed.push(...enriched.fixed.map((x) => `Replaced a label by its code: ${x}.`));
      if (!f.block) fixed.push(`Added the missing ${template.fields.heading} heading before the JSON line.`);
      if (f.json?.includes('\n')) fixed.push('Put the JSON on one line.');
      if (f.before.trim() !== '') fixed.push(`Removed the text before the JSON: "${clip(f.before.trim())}".`);
      out.push(template.fields.heading, JSON.stringify(canonicalFields(template, enriched.value)));
    } else if (f.block) {
      // Unreadable JSON is kept as written, so the writer sees it; only its fences are gone.
      out.push(...rawBlock(f.block));
    }
    const extra = a.blocks.filter((b) => b.info.key === FIELDS_KEY).slice(1);
    if (extra.length > 0) {
      const withText = extra.filter((b) => b.lines.some((l) => l.text.trim() !== ''));
      if (withText.length === 0) fixed.push(`Removed the repeated, empty ${template.fields.heading}.`);
      for (const b of withText) out.push(...rawBlock(b));
    }
  }

  const repaired = out.join('\n');
  const r = parseOutput(template, repaired);
  return { text: repaired, sections: r.sections, ...(r.fields !== undefined ? { fields: r.fields } : {}), fixed, problems: r.problems };
}
