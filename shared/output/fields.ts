/**
 * The structured-fields DSL (templates/schema.ts `FieldType`) as a contract: validation with paths and
 * messages, JSON Schema for engines that take one, canonical serialisation (the property order the grammar
 * enforces), and the one deterministic repair there is for values: a taxonomy label written instead of its code.
 */
import type { FieldType, Template, TaxonomyEntry } from '../templates/schema';
import type { OutputProblem } from './types';
import { codePoints } from './text';

/** `sources`: at most this many entries… */
export const SOURCES_MAX_ITEMS = 10;
/** …each a non-empty turn id or table field name of at most this many characters. */
export const SOURCE_MAX_CHARS = 64;

/** The allowed values of an enum field: inline values, or the codes of the referenced taxonomy. */
export function enumValues(template: Template, f: Extract<FieldType, { type: 'enum' }>): Array<string | number> {
  if (f.values) return f.values;
  return (template.taxonomies[f.taxonomy ?? ''] ?? []).map((e) => e.code);
}

function enumEntries(template: Template, f: Extract<FieldType, { type: 'enum' }>): TaxonomyEntry[] {
  if (f.values) return f.values.map((v) => ({ code: v, label: String(v) }));
  return template.taxonomies[f.taxonomy ?? ''] ?? [];
}

function isNullable(f: FieldType): boolean {
  return 'nullable' in f && f.nullable === true;
}

function listValues(values: ReadonlyArray<string | number>): string {
  const shown = values.slice(0, 8).map((v) => String(v));
  return values.length > 8 ? `${shown.join(', ')}, …` : shown.join(', ');
}

function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 39)}…` : v);
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  return String(v);
}

function join(path: string, prop: string | number): string {
  return typeof prop === 'number' ? `${path}[${prop}]` : path ? `${path}.${prop}` : prop;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Checks a fields value against the template's field schema. Returns `fields-schema` problems (empty when
 * valid). A template without fields accepts only `undefined`. Never throws.
 */
export function validateFields(template: Template, value: unknown): OutputProblem[] {
  const problems: OutputProblem[] = [];
  if (!template.fields) {
    if (value !== undefined) problems.push({ code: 'fields-schema', path: '', message: 'this template declares no structured fields' });
    return problems;
  }
  check(template, template.fields.schema, value, '', problems, 0);
  return problems;
}

function check(template: Template, f: FieldType, v: unknown, path: string, out: OutputProblem[], depth: number): void {
  const at = path || '(root)';
  const fail = (what: string): void => void out.push({ code: 'fields-schema', path, message: `${at}: ${what}` });
  if (depth > 32) return fail('nested too deeply');
  if (v === null && isNullable(f)) return;
  switch (f.type) {
    case 'string':
      if (typeof v !== 'string') return fail(`${show(v)} is not a string`);
      if (f.maxChars !== undefined && codePoints(v) > f.maxChars) fail(`${codePoints(v)} characters, at most ${f.maxChars} allowed`);
      return;
    case 'boolean':
      if (typeof v !== 'boolean') fail(`${show(v)} is not true or false`);
      return;
    case 'number':
    case 'integer':
      if (typeof v !== 'number' || !Number.isFinite(v)) return fail(`${show(v)} is not a number`);
      if (f.type === 'integer' && !Number.isInteger(v)) return fail(`${show(v)} is not an integer`);
      if (f.min !== undefined && v < f.min) fail(`${v} is below the minimum ${f.min}`);
      if (f.max !== undefined && v > f.max) fail(`${v} is above the maximum ${f.max}`);
      return;
    case 'confidence':
      if (typeof v !== 'number' || !Number.isFinite(v)) return fail(`${show(v)} is not a confidence (a number from 0 to 1)`);
      if (v < 0 || v > 1) fail(`confidence ${v} is outside 0..1`);
      return;
    case 'enum': {
      const values = enumValues(template, f);
      if (!values.some((x) => x === v)) fail(`${show(v)} is not one of ${listValues(values)}${f.nullable ? ' or null' : ''}`);
      return;
    }
    case 'sources':
      if (!Array.isArray(v)) return fail(`${show(v)} is not a list of sources`);
      if (v.length > SOURCES_MAX_ITEMS) fail(`${v.length} sources, at most ${SOURCES_MAX_ITEMS} allowed`);
      v.forEach((s, i) => {
        const p = join(path, i);
        if (typeof s !== 'string' || s.trim() === '') out.push({ code: 'fields-schema', path: p, message: `${p}: ${show(s)} is not a source id (a turn id or field name)` });
        else if (codePoints(s) > SOURCE_MAX_CHARS) out.push({ code: 'fields-schema', path: p, message: `${p}: source longer than ${SOURCE_MAX_CHARS} characters` });
      });
      return;
    case 'array':
      if (!Array.isArray(v)) return fail(`${show(v)} is not a list`);
      if (f.minItems !== undefined && v.length < f.minItems) fail(`${v.length} items, at least ${f.minItems} required`);
      if (f.maxItems !== undefined && v.length > f.maxItems) fail(`${v.length} items, at most ${f.maxItems} allowed`);
      v.forEach((item, i) => check(template, f.items, item, join(path, i), out, depth + 1));
      return;
    case 'object': {
      if (!isPlainObject(v)) return fail(`${show(v)} is not an object`);
      for (const name of f.required ?? []) if (!Object.hasOwn(v, name)) out.push({ code: 'fields-schema', path: join(path, name), message: `${join(path, name)}: required but missing` });
      for (const [name, sub] of Object.entries(v)) {
        const type = Object.hasOwn(f.properties, name) ? f.properties[name] : undefined;
        if (!type) out.push({ code: 'fields-schema', path: join(path, name), message: `${join(path, name)}: not a field of this template` });
        else check(template, type, sub, join(path, name), out, depth + 1);
      }
      return;
    }
  }
}

/** JSON Schema (draft 2020-12) for the template's fields object, or undefined when it declares none. */
export function fieldsJsonSchema(template: Template): Record<string, unknown> | undefined {
  if (!template.fields) return undefined;
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: `${template.id}@${template.language} fields`,
    description: template.fields.guidance,
    ...toJsonSchema(template, template.fields.schema),
  };
}

function withNull(schema: Record<string, unknown>, type: string, nullable: boolean): Record<string, unknown> {
  return nullable ? { ...schema, type: [type, 'null'] } : { ...schema, type };
}

function toJsonSchema(template: Template, f: FieldType): Record<string, unknown> {
  const description = f.description !== undefined ? { description: f.description } : {};
  switch (f.type) {
    case 'string':
      return withNull({ ...description, ...(f.maxChars !== undefined ? { maxLength: f.maxChars } : {}) }, 'string', isNullable(f));
    case 'boolean':
      return withNull({ ...description }, 'boolean', isNullable(f));
    case 'number':
    case 'integer':
      return withNull(
        { ...description, ...(f.min !== undefined ? { minimum: f.min } : {}), ...(f.max !== undefined ? { maximum: f.max } : {}) },
        f.type,
        isNullable(f),
      );
    case 'confidence':
      return { ...description, type: 'number', minimum: 0, maximum: 1 };
    case 'enum': {
      const values: Array<string | number | null> = [...enumValues(template, f)];
      if (f.nullable) values.push(null);
      return { ...description, enum: values };
    }
    case 'sources':
      return {
        ...description,
        type: 'array',
        items: { type: 'string', minLength: 1, maxLength: SOURCE_MAX_CHARS },
        maxItems: SOURCES_MAX_ITEMS,
      };
    case 'array':
      return {
        ...description,
        type: 'array',
        items: toJsonSchema(template, f.items),
        ...(f.minItems !== undefined ? { minItems: f.minItems } : {}),
        ...(f.maxItems !== undefined ? { maxItems: f.maxItems } : {}),
      };
    case 'object':
      return withNull(
        {
          ...description,
          properties: Object.fromEntries(Object.entries(f.properties).map(([k, sub]) => [k, toJsonSchema(template, sub)])),
          required: f.required ?? [],
          additionalProperties: false,
        },
        'object',
        isNullable(f),
      );
  }
}

/**
 * The value with object properties in schema order (the order the grammar makes the model write them);
 * undeclared properties keep their place after the declared ones. Values are not changed.
 */
export function canonicalFields(template: Template, value: unknown): unknown {
  return template.fields ? reorder(template.fields.schema, value, 0) : value;
}

function reorder(f: FieldType, v: unknown, depth: number): unknown {
  if (depth > 32) return v;
  if (f.type === 'array' && Array.isArray(v)) return v.map((x) => reorder(f.items, x, depth + 1));
  if (f.type === 'object' && isPlainObject(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, sub] of Object.entries(f.properties)) if (Object.hasOwn(v, k)) out[k] = reorder(sub, v[k], depth + 1);
    for (const [k, x] of Object.entries(v)) if (!Object.hasOwn(out, k)) out[k] = x;
    return out;
  }
  return v;
}

/**
 * Replaces enum values written as a taxonomy label ("薪酬福利"), as a code in the wrong case ("comp"), or as a
 * numeric code in quotes ("9") by the code itself. Nothing is guessed: only exact label/code matches.
 */
export function enrichLabels(template: Template, value: unknown): { value: unknown; fixed: string[] } {
  const fixed: string[] = [];
  const out = template.fields ? mapEnums(template, template.fields.schema, value, '', fixed, 0) : value;
  return { value: out, fixed };
}

function mapEnums(template: Template, f: FieldType, v: unknown, path: string, fixed: string[], depth: number): unknown {
  if (depth > 32) return v;
  if (f.type === 'enum' && typeof v === 'string') {
    const entries = enumEntries(template, f);
    if (entries.some((e) => e.code === v)) return v;
    const norm = (s: string): string => s.normalize('NFKC').trim().toLowerCase();
    const key = norm(v);
    const hit =
      entries.find((e) => typeof e.code === 'string' && norm(e.code) === key) ??
      entries.find((e) => typeof e.code === 'number' && String(e.code) === key) ??
      entries.find((e) => norm(e.label) === key);
    if (hit) {
      fixed.push(`${path || '(root)'}: ${JSON.stringify(v)} → ${JSON.stringify(hit.code)} (code of "${hit.label}")`);
      return hit.code;
    }
    return v;
  }
  if (f.type === 'array' && Array.isArray(v)) return v.map((x, i) => mapEnums(template, f.items, x, join(path, i), fixed, depth + 1));
  if (f.type === 'object' && isPlainObject(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      const sub = Object.hasOwn(f.properties, k) ? f.properties[k] : undefined;
      out[k] = sub ? mapEnums(template, sub, x, join(path, k), fixed, depth + 1) : x;
    }
    return out;
  }
  return v;
}

/**
 * A generous estimate of the fields line's length in characters, for the token budget: arrays at their
 * maximum (8 where unbounded), strings at their limit (60 where unbounded), sources at 4 entries.
 */
export function estimateJsonChars(template: Template): number {
  return template.fields ? estimate(template, template.fields.schema, 0) : 0;
}

function estimate(template: Template, f: FieldType, depth: number): number {
  if (depth > 32) return 0;
  switch (f.type) {
    case 'string':
      return Math.min(f.maxChars ?? 60, 400) + 2;
    case 'boolean':
      return 5;
    case 'number':
    case 'integer':
      return 8;
    case 'confidence':
      return 4;
    case 'enum':
      return Math.max(4, ...enumValues(template, f).map((v) => JSON.stringify(v).length));
    case 'sources':
      return 2 + 4 * 12;
    case 'array':
      return 2 + Math.min(f.maxItems ?? 8, 50) * (estimate(template, f.items, depth + 1) + 1);
    case 'object':
      return 2 + Object.entries(f.properties).reduce((n, [k, sub]) => n + k.length + 4 + estimate(template, sub, depth + 1), 0);
  }
}
