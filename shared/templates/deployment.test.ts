import { describe, expect, it } from 'vitest';
import exitEnJson from './builtin/exit-interview.en.json';
import { loadTemplateFiles } from './deployment';
import { BUILTIN_TEMPLATES, templateKey } from './load';

/** A tiny web server: path → body (404 otherwise); records what was requested. */
function server(files: Record<string, string>) {
  const requested: string[] = [];
  const fetchFile = (url: string): Promise<Response> => {
    const p = new URL(url, 'https://hr.example.com/liuhen/taskpane.html').pathname;
    requested.push(p);
    const body = files[p];
    return Promise.resolve(body === undefined ? new Response('not found', { status: 404 }) : new Response(body, { status: 200 }));
  };
  return { fetchFile, requested };
}

const company = { ...exitEnJson, name: 'ACME exit interview', sections: exitEnJson.sections.map((s, i) => (i === 0 ? { ...s, heading: '[Why they left]' } : s)) };

describe('company templates deployed beside the page (templates.json)', () => {
  it('the empty default the build writes gives the built-ins, without problems', async () => {
    const { fetchFile } = server({ '/liuhen/templates.json': '{ "templates": [] }' });
    const r = await loadTemplateFiles('https://hr.example.com/liuhen/templates.json', fetchFile);
    expect(r.problems).toEqual([]);
    expect(r.templates.map(templateKey)).toEqual(BUILTIN_TEMPLATES.map(templateKey).sort());
  });

  it('a listed file (path relative to templates.json) replaces the built-in with its id and language', async () => {
    const { fetchFile, requested } = server({
      '/liuhen/templates.json': JSON.stringify({ templates: ['templates/acme.exit.en.json'] }),
      '/liuhen/templates/acme.exit.en.json': JSON.stringify(company),
    });
    const r = await loadTemplateFiles('https://hr.example.com/liuhen/templates.json', fetchFile);
    expect(r).toMatchObject({ problems: [], added: 1 });
    expect(requested).toContain('/liuhen/templates/acme.exit.en.json');
    const exitEn = r.templates.find((t) => templateKey(t) === 'exit-interview@en');
    expect(exitEn?.name).toBe('ACME exit interview');
    expect(r.templates).toHaveLength(BUILTIN_TEMPLATES.length);
  });

  it('bad files are left out and reported naming the file and the reason: invalid, a grammar the runtime rejects, missing', async () => {
    const bad = JSON.stringify({ ...company, id: 'bad-grammar' }).replace('[Why they left]', '[Why \\ud800]');
    const { fetchFile } = server({
      '/liuhen/templates.json': JSON.stringify(['templates/invalid.json', 'templates/grammar.json', 'templates/missing.json']),
      '/liuhen/templates/invalid.json': JSON.stringify({ ...company, maxTotalChars: -1 }),
      '/liuhen/templates/grammar.json': bad,
    });
    const r = await loadTemplateFiles('https://hr.example.com/liuhen/templates.json', fetchFile);
    expect(r.added).toBe(0);
    expect(r.problems.some((p) => /^invalid\.json: maxTotalChars: /.test(p))).toBe(true);
    expect(r.problems.filter((p) => p.startsWith('grammar.json: '))).toEqual([expect.stringMatching(/^grammar\.json: grammar: its output grammar would be rejected by the WebLLM runtime .*unpaired surrogate/)]);
    expect(r.problems.at(-1)).toBe('missing.json: could not be read (HTTP 404, not found: check the path in templates.json)');
    expect(r.templates.map(templateKey)).toEqual(BUILTIN_TEMPLATES.map(templateKey).sort());
  });

  it('a list in the wrong shape, or not JSON, is reported; a missing list is the built-ins', async () => {
    expect((await loadTemplateFiles('https://x/templates.json', server({ '/templates.json': '{"files": []}' }).fetchFile)).problems[0]).toMatch(/must be \{"templates"/);
    expect((await loadTemplateFiles('https://x/templates.json', server({ '/templates.json': '{' }).fetchFile)).problems[0]).toMatch(/not valid JSON/);
    expect((await loadTemplateFiles('https://x/templates.json', server({}).fetchFile)).problems).toEqual([]);
  });
});
