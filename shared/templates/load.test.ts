import { describe, expect, it } from 'vitest';
import { deriveContract, fieldsJsonSchema, parseOutput, renderOutput, repairOutput } from '../output';
import { renderSystem } from '../prompt';
import exitEnJson from './builtin/exit-interview.en.json';
import exitZhJson from './builtin/exit-interview.zh-CN.json';
import talentEnJson from './builtin/talent-review.en.json';
import talentZhJson from './builtin/talent-review.zh-CN.json';
import {
  BUILTIN_TEMPLATES,
  formatProblem,
  parseTemplate,
  parseTemplateText,
  taxonomyLabel,
  templateKey,
  TemplateRegistry,
  type TemplateLoadResult,
} from './load';
import { templateJsonSchema, type FieldType, type Template } from './schema';
import acmeTalentJson from './examples/acme.talent-review.zh-CN.json';
import schemaFile from './template.schema.json';
import { SCENARIO_TEMPLATE_FILES } from './scenarios';

const BUILTIN_FILES: Record<string, unknown> = {
  'exit-interview.zh-CN.json': exitZhJson,
  'exit-interview.en.json': exitEnJson,
  'talent-review.zh-CN.json': talentZhJson,
  'talent-review.en.json': talentEnJson,
  ...Object.fromEntries(SCENARIO_TEMPLATE_FILES),
};

/** A deep copy of a built-in template file's JSON, for a company to edit. */
function companyCopy(json: unknown): Record<string, unknown> {
  return structuredClone(json) as Record<string, unknown>;
}

function problems(r: TemplateLoadResult): string[] {
  return r.ok ? [] : r.problems.map(formatProblem);
}

function ok(r: TemplateLoadResult): Template {
  if (!r.ok) throw new Error(problems(r).join('\n'));
  return r.template;
}

/** Every enum taxonomy a field schema refers to, with its path. */
function taxonomyRefs(f: FieldType, path = ''): string[] {
  if (f.type === 'enum') return f.taxonomy ? [`${path}:${f.taxonomy}`] : [];
  if (f.type === 'array') return taxonomyRefs(f.items, `${path}[]`);
  if (f.type === 'object') return Object.entries(f.properties).flatMap(([k, sub]) => taxonomyRefs(sub, `${path}.${k}`));
  return [];
}

describe('built-in templates', () => {
  it('are all valid, one per id and language', () => {
    for (const [file, json] of Object.entries(BUILTIN_FILES)) expect(problems(parseTemplate(json, file)), file).toEqual([]);
    const ids = ['exit-interview', 'interview-feedback', 'job-description', 'meeting-minutes', 'onboarding-interview', 'performance-conversation', 'talent-review'];
    expect(BUILTIN_TEMPLATES.map(templateKey).sort()).toEqual(ids.flatMap((id) => [`${id}@en`, `${id}@zh-CN`]));
  });

  it('agree between languages: same section keys, taxonomy codes and field structure', () => {
    for (const id of new Set(BUILTIN_TEMPLATES.map((t) => t.id))) {
      const [zh, en] = ['zh-CN', 'en'].map((l) => BUILTIN_TEMPLATES.find((t) => t.id === id && t.language === l));
      expect(zh && en, id).toBeTruthy();
      if (!zh || !en) continue;
      expect(en.sections.map((s) => s.key)).toEqual(zh.sections.map((s) => s.key));
      expect(en.sections.map((s) => s.required)).toEqual(zh.sections.map((s) => s.required));
      expect(Object.keys(en.taxonomies).sort()).toEqual(Object.keys(zh.taxonomies).sort());
      for (const [name, entries] of Object.entries(zh.taxonomies)) expect(en.taxonomies[name]?.map((e) => e.code), name).toEqual(entries.map((e) => e.code));
      expect(en.fields && taxonomyRefs(en.fields.schema)).toEqual(zh.fields && taxonomyRefs(zh.fields.schema));
      expect(en.expectedFields.length).toBe(zh.expectedFields.length);
    }
  });

  it('number the nine-box cells 1..9 as the fixtures do', () => {
    for (const t of BUILTIN_TEMPLATES.filter((x) => x.id === 'talent-review')) {
      expect(t.taxonomies.nineBox?.map((e) => e.code)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    }
    const zh = BUILTIN_TEMPLATES.find((t) => t.id === 'talent-review' && t.language === 'zh-CN');
    expect(zh && taxonomyLabel(zh, 'nineBox', 9)).toBe('超级明星');
    expect(zh && taxonomyLabel(zh, 'nineBox', 7)).toBe('待展现者');
  });

  it('ship an up-to-date template.schema.json for editors (regenerate with templateJsonSchema())', () => {
    expect(schemaFile).toEqual(JSON.parse(JSON.stringify(templateJsonSchema())));
    for (const json of Object.values(BUILTIN_FILES)) expect((json as { $schema?: string }).$schema).toBe('../template.schema.json');
  });
});

describe('template validation messages name the file and the field', () => {
  it('a bad section limit', () => {
    const json = companyCopy(exitZhJson);
    (json.sections as Array<Record<string, unknown>>)[1]!.maxChars = 0;
    const msgs = problems(parseTemplate(json, 'acme.json'));
    expect(msgs).toHaveLength(1);
    expect(msgs[0]).toMatch(/^acme\.json: sections\[1\]\.maxChars: /);
  });

  it('a wrong type deep in the field schema, and an unknown taxonomy', () => {
    const json = companyCopy(talentZhJson);
    const fields = json.fields as { schema: { properties: Record<string, { properties: Record<string, Record<string, unknown>> }> } };
    fields.schema.properties.nine_box!.properties.cell!.taxonomy = 'grid';
    fields.schema.properties.strengths!.properties.confidence!.type = 'percent';
    const msgs = problems(parseTemplate(json, 'acme-talent.json'));
    expect(msgs.some((m) => m.startsWith('acme-talent.json: fields.schema.properties.strengths.properties.confidence'))).toBe(true);
    // The discriminated union stops at the bad type, so fix it and look at the taxonomy reference.
    fields.schema.properties.strengths!.properties.confidence!.type = 'confidence';
    expect(problems(parseTemplate(json, 'acme-talent.json'))).toEqual([
      'acme-talent.json: fields.schema.properties.nine_box.properties.cell.taxonomy: unknown taxonomy "grid" (declared: nineBox, readiness, recordFlags)',
    ]);
  });

  it('duplicate headings, a missing field, an unknown key', () => {
    const json = companyCopy(exitEnJson);
    const sections = json.sections as Array<Record<string, unknown>>;
    sections[2]!.heading = sections[0]!.heading;
    delete json.role;
    json.colour = 'blue';
    const msgs = problems(parseTemplate(json, 'acme.json'));
    expect(msgs).toContain('acme.json: role: Invalid input: expected string, received undefined');
    expect(msgs.some((m) => m.startsWith('acme.json: ') && m.includes('colour'))).toBe(true);
    // superRefine runs only once the shape is right.
    json.role = 'You write exit records.';
    delete json.colour;
    expect(problems(parseTemplate(json, 'acme.json'))).toEqual(['acme.json: sections[2].heading: duplicate heading "[Reasons for leaving]"']);
  });

  it('text that is not JSON, and accepts a byte-order mark', () => {
    expect(problems(parseTemplateText('{ "id": ', 'acme.json'))[0]).toMatch(/^acme\.json: not valid JSON \(/);
    expect(parseTemplateText(`\uFEFF${JSON.stringify(exitZhJson)}`, 'bom.json').ok).toBe(true);
  });

  it('a template whose output grammar the WebLLM runtime would reject is refused at load, naming the file and the reason', () => {
    // A heading with an unpaired surrogate (valid JSON text, no UTF-8 form): xgrammar cannot read the grammar.
    const text = JSON.stringify(exitEnJson).replace('"[Suggestions]"', '"[Suggestions \\ud800]"');
    const found = problems(parseTemplateText(text, 'acme-exit.json'));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^acme-exit\.json: grammar: its output grammar would be rejected by the WebLLM runtime \(grammar line \d+: an unpaired surrogate/);
  });

  it('headings and codes with accented letters before digits load (their grammar is written so it reads back the same)', () => {
    const json = structuredClone(exitEnJson) as { sections: Array<{ heading: string }> };
    json.sections[0]!.heading = '[Café 1 · Bewerbungsgespräch]';
    const r = parseTemplate(json, 'accents.json');
    expect(r.ok, JSON.stringify(r)).toBe(true);
  });
});

describe('TemplateRegistry: a company adds its own templates without code changes', () => {
  it('starts with the built-ins', () => {
    expect(new TemplateRegistry().list().map(templateKey)).toEqual([...BUILTIN_TEMPLATES.map(templateKey)].sort());
  });

  it('a company file with the same id and language replaces the built-in; others stay', () => {
    const json = companyCopy(exitZhJson);
    json.name = 'ACME 离职面谈记录';
    json.version = '2.0.0';
    const registry = new TemplateRegistry();
    const r = registry.addFile('acme-exit.json', JSON.stringify(json));
    expect(r.ok).toBe(true);
    expect(registry.list()).toHaveLength(BUILTIN_TEMPLATES.length);
    expect(registry.get('exit-interview', 'zh-CN')?.name).toBe('ACME 离职面谈记录');
    expect(registry.get('exit-interview', 'en')?.name).toBe(exitEnJson.name);
    // The built-in list itself is untouched (another registry still sees it).
    expect(new TemplateRegistry().get('exit-interview', 'zh-CN')?.name).toBe(exitZhJson.name);
  });

  it('a new template id is added', () => {
    const json = companyCopy(exitZhJson);
    json.id = 'onboarding-note';
    json.name = '入职沟通记录';
    delete json.fields;
    json.taxonomies = {};
    const registry = new TemplateRegistry();
    expect(problems(registry.addFile('onboarding.json', JSON.stringify(json)))).toEqual([]);
    expect(registry.list()).toHaveLength(BUILTIN_TEMPLATES.length + 1);
    const t = registry.get('onboarding-note', 'zh-CN');
    expect(t?.name).toBe('入职沟通记录');
    expect(t && deriveContract(t).fieldsJsonSchema).toBeUndefined();
  });

  it('an invalid company file is reported and replaces nothing', () => {
    const json = companyCopy(exitZhJson);
    (json.sections as Array<Record<string, unknown>>)[1]!.maxChars = -5;
    const registry = new TemplateRegistry();
    const r = registry.addFile('acme.json', JSON.stringify(json));
    expect(problems(r)[0]).toMatch(/^acme\.json: sections\[1\]\.maxChars: /);
    expect(registry.get('exit-interview', 'zh-CN')).toBe(BUILTIN_TEMPLATES.find((t) => templateKey(t) === 'exit-interview@zh-CN'));
  });

  it('finds a template by language family, then any language', () => {
    const registry = new TemplateRegistry();
    expect(registry.get('exit-interview', 'zh-TW')?.language).toBe('zh-CN');
    expect(registry.get('exit-interview', 'en-GB')?.language).toBe('en');
    expect(registry.get('exit-interview', 'fr')).toBeDefined();
    expect(registry.get('no-such-template', 'zh-CN')).toBeUndefined();
  });
});

describe('nine-box labels, numbering and reason codes are template data', () => {
  /** ACME (examples/acme.talent-review.zh-CN.json) codes its grid by potential row and performance column and names the cells its own way. */
  const ACME_GRID = [
    ['A1', '需关注'], ['A2', '稳定贡献'], ['A3', '资深专家'],
    ['B1', '待激发'], ['B2', '中坚'], ['B3', '业务骨干'],
    ['C1', '潜力待验证'], ['C2', '高潜新星'], ['C3', '明日领袖'],
  ] as const;

  /** The example company file shipped in ./examples, added the way a company's own file would be. */
  function acmeTalent(): Template {
    const registry = new TemplateRegistry();
    ok(registry.addFile('acme.talent-review.zh-CN.json', JSON.stringify(acmeTalentJson)));
    const t = registry.get('talent-review', 'zh-CN');
    if (!t) throw new Error('not registered');
    expect(t.name).toBe('ACME 人才盘点评语');
    return t;
  }

  const sections = { nine_box: '落在C3格。', strengths: '技术深度突出。', development: '建议牵头跨部门项目。', succession: '架构负责人后备。' };
  const fields = (cell: unknown) => ({
    nine_box: { cell, confidence: 0.8, sources: ['绩效', '潜力'] },
    strengths: { confidence: 0.9, sources: ['技术深度'] },
    development: { confidence: 0.7, sources: ['跨团队协作'] },
    succession: { readiness: 'READY_1_2', confidence: 0.55, sources: ['潜力'] },
    flags: [],
  });

  it('the company codes reach the grammar and the JSON Schema; the built-in numbers do not', () => {
    const t = acmeTalent();
    const contract = deriveContract(t);
    const rule = contract.grammar.split('\n').find((l) => l.startsWith('enum-nineBox'));
    expect(rule).toBe(`enum-nineBox-or-null ::= ${ACME_GRID.map(([c]) => `"\\"${c}\\""`).join(' | ')} | "null"`);
    const schema = fieldsJsonSchema(t) as { properties: { nine_box: { properties: { cell: { enum: unknown[] } } } } };
    expect(schema.properties.nine_box.properties.cell.enum).toEqual([...ACME_GRID.map(([c]) => c), null]);
  });

  it('the company labels reach the prompt and the label lookup', () => {
    const t = acmeTalent();
    const system = renderSystem(t);
    expect(system).toContain('C3=明日领袖');
    expect(system).not.toContain('超级明星');
    expect(taxonomyLabel(t, 'nineBox', 'C3')).toBe('明日领袖');
    expect(taxonomyLabel(t, 'nineBox', 9)).toBeUndefined();
  });

  it('output is validated against the company codes, and a company label written by the model is repaired to its code', () => {
    const t = acmeTalent();
    expect(parseOutput(t, renderOutput(t, sections, fields('C3'))).ok).toBe(true);
    const builtinCode = parseOutput(t, renderOutput(t, sections, fields(9)));
    expect(builtinCode.ok).toBe(false);
    expect(builtinCode.problems.some((p) => p.code === 'fields-schema' && p.message.includes('nine_box.cell'))).toBe(true);
    const repaired = repairOutput(t, renderOutput(t, sections, fields('明日领袖')));
    expect((repaired.fields as { nine_box: { cell: unknown } }).nine_box.cell).toBe('C3');
    expect(repaired.problems).toEqual([]);
  });

  it('a company reason list replaces the built-in codes', () => {
    const json = companyCopy(exitEnJson);
    (json.taxonomies as Record<string, unknown>).exitReasons = [
      { code: 'PAY', label: 'Pay' },
      { code: 'GROWTH', label: 'Growth' },
      { code: 'OTHER', label: 'Other' },
    ];
    const registry = new TemplateRegistry();
    ok(registry.addFile('acme-exit.en.json', JSON.stringify(json)));
    const t = registry.get('exit-interview', 'en');
    if (!t) throw new Error('not registered');
    expect(deriveContract(t).grammar).toContain('enum-exitReasons ::= "\\"PAY\\"" | "\\"GROWTH\\"" | "\\"OTHER\\""');
    expect(renderSystem(t)).toContain('reasons[].code: PAY=Pay; GROWTH=Growth; OTHER=Other');
    const body = { reasons: 'Pay.', experience: 'Fine.', suggestions: 'Suggests more pay.' };
    const reason = (code: string) => ({ reasons: [{ code, role: 'primary', stated: true, confidence: 0.9, sources: ['T2'] }], flags: [] });
    expect(parseOutput(t, renderOutput(t, body, reason('PAY'))).ok).toBe(true);
    expect(parseOutput(t, renderOutput(t, body, reason('COMP'))).ok).toBe(false);
  });
});
