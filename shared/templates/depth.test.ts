/**
 * A template file nested thousands of levels deep (a field of an array of an array …) is a problem in the file,
 * never a RangeError out of the loader that is documented never to throw: the VS Code panel, which loads the
 * custom template folder at start-up, must still start with the built-in templates.
 */
import { describe, expect, it } from 'vitest';
import talentEn from './builtin/talent-review.en.json';
import { BUILTIN_TEMPLATES, MAX_TEMPLATE_DEPTH, parseTemplate, parseTemplateText } from './load';
import { mergeTemplates } from '../../extension/webview/main';

function nestedTemplate(levels: number): string {
  let field: unknown = { type: 'string' };
  for (let i = 0; i < levels; i++) field = { type: 'array', items: field };
  const base = talentEn as unknown as { id: string; fields: { schema: { properties: Record<string, unknown> } } };
  return JSON.stringify({ ...base, id: 'deep', fields: { ...base.fields, schema: { ...base.fields.schema, properties: { ...base.fields.schema.properties, deep: field } } } });
}

describe('deeply nested template files', () => {
  it('2,000 levels: a problem naming the file and the limit, no throw', () => {
    const r = parseTemplateText(nestedTemplate(2000), 'deep.json');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems[0]?.message).toContain(`more than ${MAX_TEMPLATE_DEPTH} levels`);
    // Deeper than JSON.parse itself can go: still a problem, not a throw.
    const text = `${'['.repeat(200_000)}${']'.repeat(200_000)}`;
    expect(() => parseTemplateText(text, 'deepest.json')).not.toThrow();
    expect(parseTemplateText(text, 'deepest.json').ok).toBe(false);
    let deep: unknown = 1;
    for (let i = 0; i < 5000; i++) deep = { a: deep };
    expect(parseTemplate(deep, 'object.json').ok).toBe(false);
  });

  it('a few levels of nesting still load', () => {
    const r = parseTemplateText(nestedTemplate(3), 'ok.json');
    expect(r.ok ? 'ok' : r.problems).toBe('ok');
  });

  it('the VS Code panel still gets the built-in templates beside a 2,000-level file', () => {
    const { templates, problems } = mergeTemplates([{ name: 'deep.json', text: nestedTemplate(2000) }]);
    expect(templates).toHaveLength(BUILTIN_TEMPLATES.length);
    expect(problems.join('\n')).toContain('deep.json');
  });
});
