/**
 * The webview page's own decisions (no DOM needed): which templates the panel offers, which language it uses.
 */
import { describe, expect, it } from 'vitest';
import { mergeTemplates, localeOf } from '../../../extension/webview/main';
import { BUILTIN_TEMPLATES } from '../../../shared/templates/load';

const exitZh = BUILTIN_TEMPLATES.find((t) => t.id === 'exit-interview' && t.language === 'zh-CN');

describe('webview page', () => {
  it('offers the built-in templates plus valid company ones; a company file replaces the built-in with its id and language', () => {
    if (!exitZh) throw new Error('built-in exit-interview zh-CN is missing');
    const company = { ...exitZh, name: 'ACME 离职面谈', version: '2.0.0' };
    const { templates, problems } = mergeTemplates([
      { name: 'acme-exit.json', text: JSON.stringify(company) },
      { name: 'broken.json', text: '{"id": "Not Kebab"' },
    ]);
    expect(templates).toHaveLength(BUILTIN_TEMPLATES.length);
    expect(templates.find((t) => t.id === 'exit-interview' && t.language === 'zh-CN')?.name).toBe('ACME 离职面谈');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^broken\.json/);
  });

  it('uses the configured panel language, or leaves it to VS Code\'s language', () => {
    const base = { model: '', customTemplateFolder: false, displayLanguage: 'en' };
    expect(localeOf({ ...base, uiLanguage: 'zh-CN' })).toBe('zh-CN');
    expect(localeOf({ ...base, uiLanguage: 'en-US' })).toBe('en');
    expect(localeOf({ ...base, uiLanguage: 'auto' })).toBeUndefined();
  });
});
