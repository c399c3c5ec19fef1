/**
 * Talent review: the nine-box cell comes from the data, never from the model. The row's performance and
 * potential ratings are read with the company's own scales (template data, `template.nineBox`), mapped to low /
 * medium / high, and the cell is looked up in the company's grid. The model is told the cell and writes the
 * reasoning; whatever it puts in the structured fields, {@link enforcePlacement} writes the computed cell (or
 * null, "not placed") and the exact rating fields back. A row the data cannot place says what is missing.
 */
import { cleanInline, isMissingValue } from '../source';
import type { NineBoxMapping, RatingLevel, RatingScale, Template, TaxonomyEntry } from '../templates/schema';

type Lang = 'zh' | 'en';

/** One axis as read from the row: the field, its exact value, and the level it maps to. */
export interface AxisReading {
  axis: 'performance' | 'potential';
  field: string;
  value: string;
  level: RatingLevel;
}

/** Why an axis could not be read. */
export interface AxisGap {
  axis: 'performance' | 'potential';
  /** The field looked at (the scale's first field name when none is in the row). */
  field: string;
  /** The value as written, when there is one. */
  value?: string;
  reason: 'no-field' | 'no-rating' | 'unknown-rating';
}

/** Where the data puts a row on the grid, or why it cannot. */
export type NineBoxPlacement =
  | {
      placed: true;
      cell: string | number;
      label: string;
      performance: AxisReading;
      potential: AxisReading;
      /** The rating fields and their values, exactly as in the row: what the cell rests on. */
      basis: Array<{ field: string; value: string }>;
    }
  | {
      placed: false;
      label: string;
      /** What is missing or not on the company's scale, per axis. */
      missing: AxisGap[];
      /** The rating fields found, with their values (what was looked at). */
      basis: Array<{ field: string; value: string }>;
    };

const LEVELS: readonly RatingLevel[] = ['low', 'medium', 'high'];
const LEVEL_WORDS: Record<Lang, Record<RatingLevel, string>> = {
  zh: { low: '低', medium: '中', high: '高' },
  en: { low: 'low', medium: 'medium', high: 'high' },
};
const AXIS_WORDS: Record<Lang, Record<AxisGap['axis'], string>> = {
  zh: { performance: '绩效', potential: '潜力' },
  en: { performance: 'performance', potential: 'potential' },
};

function langOf(template: Template): Lang {
  return template.language.startsWith('zh') ? 'zh' : 'en';
}

/** Rating values compare without case, spaces, full-width forms, or a trailing note in brackets. */
function normaliseRating(v: string): string {
  return cleanInline(v)
    .normalize('NFKC')
    .replace(/\s*[(（][^()（）]*[)）]$/u, '')
    .replace(/\s+/g, '')
    .toLowerCase();
}

function levelOf(scale: RatingScale, token: string): RatingLevel | undefined {
  const t = normaliseRating(token);
  if (t === '') return undefined;
  return LEVELS.find((l) => scale[l].some((v) => normaliseRating(v) === t));
}

/** The row's field for a scale: an exact name first, then case-insensitively. */
function findField(scale: RatingScale, row: Record<string, string>): string | undefined {
  for (const name of scale.fields) if (Object.hasOwn(row, name)) return name;
  const lower = new Map(Object.keys(row).map((k) => [k.toLowerCase(), k]));
  for (const name of scale.fields) {
    const hit = lower.get(name.toLowerCase());
    if (hit !== undefined) return hit;
  }
  return undefined;
}

/** Reads one axis. Several periods in one cell (`B+/A`, `A、A-`) are combined by the scale's rule. */
export function readAxis(axis: AxisGap['axis'], scale: RatingScale, row: Record<string, string>): AxisReading | AxisGap {
  const field = findField(scale, row);
  if (field === undefined) return { axis, field: scale.fields[0] ?? axis, reason: 'no-field' };
  const value = row[field] ?? '';
  if (isMissingValue(value)) return { axis, field, value, reason: 'no-rating' };
  // The whole value may itself be a rating (`B/C` written as one grade is not expected, but `A-` is).
  const whole = levelOf(scale, value);
  if (whole !== undefined) return { axis, field, value, level: whole };
  const tokens = value.split(/[/／、,，;；|]+/u).map((t) => t.trim()).filter((t) => t !== '');
  const levels = tokens.map((t) => levelOf(scale, t));
  if (tokens.length === 0 || levels.some((l) => l === undefined)) return { axis, field, value, reason: 'unknown-rating' };
  const known = levels as RatingLevel[];
  const level =
    scale.combine === 'first'
      ? known[0]!
      : scale.combine === 'last'
        ? known[known.length - 1]!
        : known.reduce((a, b) => (LEVELS.indexOf(b) < LEVELS.indexOf(a) ? b : a));
  return { axis, field, value, level };
}

function isReading(r: AxisReading | AxisGap): r is AxisReading {
  return 'level' in r;
}

function entryOf(template: Template, mapping: NineBoxMapping, code: string | number): TaxonomyEntry | undefined {
  return template.taxonomies[mapping.taxonomy]?.find((e) => e.code === code);
}

/**
 * The nine-box placement of a table row under `template`, or undefined when the template has no nine-box
 * mapping. Deterministic: the same row and template always give the same cell.
 */
export function placeNineBox(template: Template, row: Record<string, string>): NineBoxPlacement | undefined {
  const mapping = template.nineBox;
  if (!mapping) return undefined;
  const perf = readAxis('performance', mapping.performance, row);
  const pot = readAxis('potential', mapping.potential, row);
  const basis = [perf, pot].filter((r) => r.value !== undefined).map((r) => ({ field: r.field, value: r.value ?? '' }));
  if (isReading(perf) && isReading(pot)) {
    const cell = mapping.grid[pot.level][LEVELS.indexOf(perf.level)]!;
    return { placed: true, cell, label: entryOf(template, mapping, cell)?.label ?? String(cell), performance: perf, potential: pot, basis };
  }
  return { placed: false, label: mapping.notPlacedLabel, missing: [perf, pot].filter((r): r is AxisGap => !isReading(r)), basis };
}

function describeGap(gap: AxisGap, lang: Lang, scale: RatingScale): string {
  const axis = AXIS_WORDS[lang][gap.axis];
  const allowed = [...scale.high, ...scale.medium, ...scale.low].join('/');
  if (lang === 'zh') {
    if (gap.reason === 'no-field') return `缺少${axis}字段(${gap.field})`;
    if (gap.reason === 'no-rating') return `${gap.field}无评级(“${gap.value ?? ''}”)`;
    return `${gap.field}的值“${gap.value ?? ''}”不在公司评级标准内(${allowed})`;
  }
  if (gap.reason === 'no-field') return `no ${axis} field (${gap.field})`;
  if (gap.reason === 'no-rating') return `${gap.field} has no rating ("${gap.value ?? ''}")`;
  return `${gap.field} value "${gap.value ?? ''}" is not on the company's scale (${allowed})`;
}

/**
 * The placement in one line, in the template's language: what the model is told and what the writer's comment
 * shows, e.g. `9 超级明星(绩效“A/A-”→高;潜力“高”→高)` or `暂不落格:绩效无评级(“—(试用期未参评)”)`.
 */
export function describePlacement(template: Template, p: NineBoxPlacement): string {
  const lang = langOf(template);
  const mapping = template.nineBox;
  if (p.placed) {
    const w = LEVEL_WORDS[lang];
    const axis = (r: AxisReading): string =>
      lang === 'zh' ? `${r.field}“${r.value}”→${w[r.level]}` : `${r.field} "${r.value}" → ${w[r.level]}`;
    return lang === 'zh'
      ? `${String(p.cell)} ${p.label}(${axis(p.performance)};${axis(p.potential)})`
      : `${String(p.cell)} ${p.label} (${axis(p.performance)}; ${axis(p.potential)})`;
  }
  const gaps = p.missing.map((g) => describeGap(g, lang, g.axis === 'performance' ? mapping!.performance : mapping!.potential));
  return lang === 'zh' ? `${p.label}:${gaps.join(';')}` : `${p.label}: ${gaps.join('; ')}`;
}

/**
 * The row the model sees, with the computed placement added as one more field (the mapping's `promptField`),
 * so the reasoning it writes is about the cell the data gives.
 */
export function withPlacementField(
  template: Template,
  source: { fields: Record<string, string>; header: string[] },
  p: NineBoxPlacement,
): { fields: Record<string, string>; header: string[] } {
  const name = template.nineBox?.promptField;
  if (!name) return source;
  return { fields: { ...source.fields, [name]: describePlacement(template, p) }, header: [...source.header.filter((h) => h !== name), name] };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** What {@link enforcePlacement} did. */
export interface Enforced {
  fields: unknown;
  /** One line per value the model wrote that the data overrode (empty when it agreed). */
  overridden: string[];
}

/**
 * Writes the computed placement into the structured fields: `cell` becomes the computed code (null when not
 * placed) and `sources` the rating fields it rests on; a not-placed row gets the MISSING_DATA flag when the
 * template lists it. The model's value, when different, is reported in `overridden` and discarded.
 */
export function enforcePlacement(template: Template, fields: unknown, p: NineBoxPlacement): Enforced {
  const mapping = template.nineBox;
  if (!mapping || !isObject(fields)) return { fields, overridden: [] };
  const overridden: string[] = [];
  const holder = isObject(fields[mapping.fieldsKey]) ? (fields[mapping.fieldsKey] as Record<string, unknown>) : {};
  const cell = p.placed ? p.cell : null;
  const claimed = holder['cell'];
  if (claimed !== cell) {
    overridden.push(`${mapping.fieldsKey}.cell: ${JSON.stringify(claimed ?? null)} → ${JSON.stringify(cell)} (${describePlacement(template, p)})`);
  }
  const sources = p.placed ? [p.performance.field, p.potential.field] : p.missing.map((g) => g.field);
  const next: Record<string, unknown> = { ...holder, cell, sources };
  if (!('confidence' in next)) next['confidence'] = p.placed ? 1 : 0;
  const out: Record<string, unknown> = { ...fields, [mapping.fieldsKey]: next };
  if (!p.placed && Array.isArray(fields['flags'])) {
    const flags = fields['flags'] as unknown[];
    const listed = (template.taxonomies['recordFlags'] ?? []).some((e) => e.code === 'MISSING_DATA');
    if (listed && !flags.includes('MISSING_DATA')) out['flags'] = [...flags, 'MISSING_DATA'];
  }
  return { fields: out, overridden };
}

/**
 * The template the output grammar is derived from for this row: the cell taxonomy narrowed to the one computed
 * cell, so a constrained decoder cannot even write another one. (A not-placed row keeps the full list; its
 * cell is set to null by {@link enforcePlacement}.)
 */
export function contractTemplate(template: Template, p: NineBoxPlacement | undefined): Template {
  const mapping = template.nineBox;
  if (!mapping || !p?.placed) return template;
  const entry = entryOf(template, mapping, p.cell);
  if (!entry) return template;
  return { ...template, taxonomies: { ...template.taxonomies, [mapping.taxonomy]: [entry] } };
}

/**
 * The source the model is given for `source` under `template`: a table row gains the computed placement line.
 * Used by generate() and buildMessages(), so training prompts carry it exactly as inference prompts do.
 */
export function withPlacement<S extends { kind: string }>(
  template: Template,
  source: S,
): { source: S; placement: NineBoxPlacement | undefined } {
  if (source.kind !== 'table-row') return { source, placement: undefined };
  const row = source as unknown as S & { fields: Record<string, string>; header: string[] };
  const placement = placeNineBox(template, row.fields);
  return { source: placement ? { ...row, ...withPlacementField(template, row, placement) } : source, placement };
}
