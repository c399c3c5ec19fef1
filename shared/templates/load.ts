/**
 * Loading templates: validation with messages that name the file and the field, the built-in templates, and
 * a registry where a company's own template files are added (or replace a built-in one) without code changes.
 */
import { TemplateSchema, type Template, type TaxonomyEntry } from './schema';
import { deriveGrammar } from '../output/grammar';
import { grammarPortabilityProblems } from '../output/portable';
import exitZh from './builtin/exit-interview.zh-CN.json';
import exitEn from './builtin/exit-interview.en.json';
import talentZh from './builtin/talent-review.zh-CN.json';
import talentEn from './builtin/talent-review.en.json';
import { SCENARIO_TEMPLATE_FILES } from './scenarios';

/** One problem in a template file: where (file and field path) and what. */
export interface TemplateProblem {
  file: string;
  /** Field path such as `sections[1].maxChars`; empty for the whole file. */
  field: string;
  message: string;
}

export type TemplateLoadResult = { ok: true; template: Template } | { ok: false; problems: TemplateProblem[] };

/** Formats a problem as one line, e.g. `acme.json: sections[1].maxChars: Too small: expected number to be >0`. */
export function formatProblem(p: TemplateProblem): string {
  return p.field ? `${p.file}: ${p.field}: ${p.message}` : `${p.file}: ${p.message}`;
}

function fieldPath(path: ReadonlyArray<PropertyKey>): string {
  return path.reduce<string>((acc, k) => (typeof k === 'number' ? `${acc}[${k}]` : acc ? `${acc}.${String(k)}` : String(k)), '');
}

/**
 * The runtime grammar rule: the template's output grammar must compile in WebLLM the way its chat pipeline
 * compiles it (shared/output/portable.ts). Checked at load so that a bad template is reported with its file
 * name instead of failing at Generate.
 */
export function grammarProblems(template: Template, file: string): TemplateProblem[] {
  let grammar: string;
  try {
    grammar = deriveGrammar(template);
  } catch (e) {
    return [{ file, field: 'grammar', message: `its output grammar cannot be derived (${(e as Error).message})` }];
  }
  return grammarPortabilityProblems(grammar).map((p) => ({
    file,
    field: 'grammar',
    message: `its output grammar would be rejected by the WebLLM runtime (grammar line ${p.line}: ${p.message})`,
  }));
}

/**
 * How deeply a template file may nest (objects and arrays). Real templates nest under ten levels (fields of an
 * object of an array); validation and grammar derivation recurse, so a file nested thousands of levels deep would
 * otherwise exhaust the stack (RangeError) and, before that, take seconds.
 */
export const MAX_TEMPLATE_DEPTH = 32;

/** The nesting depth of a JSON value, walked without recursion; stops counting past `limit`. */
function jsonDepth(value: unknown, limit: number): number {
  let deepest = 0;
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [v, d] = stack.pop() as [unknown, number];
    if (typeof v !== 'object' || v === null) continue;
    deepest = Math.max(deepest, d);
    if (deepest > limit) return deepest;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, d + 1]);
  }
  return deepest;
}

/** Validates parsed JSON as a template, including the runtime grammar rule. Never throws. */
export function parseTemplate(json: unknown, file: string): TemplateLoadResult {
  if (jsonDepth(json, MAX_TEMPLATE_DEPTH) > MAX_TEMPLATE_DEPTH) {
    return { ok: false, problems: [{ file, field: '', message: `nested more than ${MAX_TEMPLATE_DEPTH} levels deep (objects and lists); a template needs far fewer` }] };
  }
  try {
    return validateTemplate(json, file);
  } catch (e) {
    // Documented never to throw: whatever a validator or the grammar derivation throws becomes a problem.
    return { ok: false, problems: [{ file, field: '', message: `cannot be read as a template (${e instanceof Error ? e.message : String(e)})` }] };
  }
}

function validateTemplate(json: unknown, file: string): TemplateLoadResult {
  const r = TemplateSchema.safeParse(json);
  if (r.success) {
    const grammar = grammarProblems(r.data, file);
    return grammar.length === 0 ? { ok: true, template: r.data } : { ok: false, problems: grammar };
  }
  return { ok: false, problems: r.error.issues.map((i) => ({ file, field: fieldPath(i.path), message: i.message })) };
}

/** Parses and validates a template file's text. Never throws; a JSON syntax error is reported as a problem. */
export function parseTemplateText(text: string, file: string): TemplateLoadResult {
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    return { ok: false, problems: [{ file, field: '', message: `not valid JSON (${(e as Error).message})` }] };
  }
  return parseTemplate(json, file);
}

function mustParse(json: unknown, file: string): Template {
  const r = parseTemplate(json, file);
  if (!r.ok) throw new Error(`built-in template is invalid: ${r.problems.map(formatProblem).join('; ')}`);
  return r.template;
}

/** The templates Liuhen ships with. */
export const BUILTIN_TEMPLATES: readonly Template[] = [
  mustParse(exitZh, 'exit-interview.zh-CN.json'),
  mustParse(exitEn, 'exit-interview.en.json'),
  mustParse(talentZh, 'talent-review.zh-CN.json'),
  mustParse(talentEn, 'talent-review.en.json'),
  ...SCENARIO_TEMPLATE_FILES.map(([file, json]) => mustParse(json, file)),
];

/** The key a template is found by: one template per id and language. */
export function templateKey(t: Pick<Template, 'id' | 'language'>): string {
  return `${t.id}@${t.language}`;
}

/** Built-in templates plus a company's own; a company file with the same id and language replaces the built-in. */
export class TemplateRegistry {
  private readonly byKey = new Map<string, Template>();

  constructor(templates: readonly Template[] = BUILTIN_TEMPLATES) {
    for (const t of templates) this.byKey.set(templateKey(t), t);
  }

  /** Adds a company template file. Returns the problems instead of adding when the file is invalid. */
  addFile(file: string, text: string): TemplateLoadResult {
    const r = parseTemplateText(text, file);
    if (r.ok) this.byKey.set(templateKey(r.template), r.template);
    return r;
  }

  /** All templates, sorted by id then language. */
  list(): Template[] {
    return [...this.byKey.values()].sort((a, b) => templateKey(a).localeCompare(templateKey(b)));
  }

  /** The template with this id in this language; falls back to the same language family, then to any language. */
  get(id: string, language?: string): Template | undefined {
    const same = this.list().filter((t) => t.id === id);
    if (!language) return same[0];
    const family = language.split('-')[0];
    return same.find((t) => t.language === language) ?? same.find((t) => t.language.split('-')[0] === family) ?? same[0];
  }
}

/** The label of a taxonomy code (e.g. nine-box cell 9 → `超级明星`), or undefined when the code is not listed. */
export function taxonomyLabel(template: Template, taxonomy: string, code: string | number | null): string | undefined {
  const list: TaxonomyEntry[] | undefined = template.taxonomies[taxonomy];
  return list?.find((e) => e.code === code)?.label;
}
