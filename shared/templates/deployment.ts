/**
 * Company templates deployed beside the page, the way company models are: `templates.json` next to
 * `model-records.json` lists template files (paths relative to it), e.g.
 *
 * ```json
 * { "templates": ["templates/acme.exit-interview.zh-CN.json"] }
 * ```
 *
 * Each file is validated like any template, including the runtime grammar rule (load.ts `grammarProblems`);
 * a file with the id and language of a built-in replaces it. A bad file is left out and reported, naming the
 * file and the reason; the built-in templates always remain.
 */
import { formatProblem, TemplateRegistry } from './load';
import type { Template } from './schema';

/** The company's templates as loaded: all templates to offer, and what was wrong. */
export interface LoadedTemplates {
  /** Built-in templates plus the company's valid ones (a company file replaces the built-in of the same id and language). */
  templates: Template[];
  /** One line per problem, naming the file; empty when everything loaded. */
  problems: string[];
  /** How many company files were added. */
  added: number;
}

/** Reads the list: `{ "templates": [...] }` or a bare array of paths. */
function listOf(json: unknown): string[] | undefined {
  const list = Array.isArray(json) ? json : typeof json === 'object' && json !== null ? (json as { templates?: unknown }).templates : undefined;
  return Array.isArray(list) && list.every((x) => typeof x === 'string') ? (list as string[]) : undefined;
}

/**
 * Fetches `templates.json` and the files it lists. A missing list (404) gives the built-in templates without
 * problems. Never throws.
 */
export async function loadTemplateFiles(
  url = './templates.json',
  fetchFile: (url: string) => Promise<Response> = (u) => fetch(u, { cache: 'no-store' }),
  registry: TemplateRegistry = new TemplateRegistry(),
): Promise<LoadedTemplates> {
  const done = (problems: string[], added = 0): LoadedTemplates => ({ templates: registry.list(), problems, added });
  let res: Response;
  try {
    res = await fetchFile(url);
  } catch (error) {
    return done([`${url}: could not be read (${error instanceof Error ? error.message : String(error)})`]);
  }
  if (res.status === 404) return done([]);
  if (!res.ok) return done([`${url}: could not be read (HTTP ${res.status})`]);
  let json: unknown;
  try {
    json = await res.json();
  } catch {
    return done([`${url}: is not valid JSON`]);
  }
  const files = listOf(json);
  if (!files) return done([`${url}: must be {"templates": ["file.json", …]} (a list of template files)`]);
  const base = new URL(url, typeof location !== 'undefined' ? location.href : 'http://localhost/');
  const problems: string[] = [];
  let added = 0;
  for (const file of files) {
    const name = file.split('/').pop() ?? file;
    let text: string;
    try {
      const r = await fetchFile(new URL(file, base).href);
      if (!r.ok) {
        problems.push(`${name}: could not be read (HTTP ${r.status}${r.status === 404 ? ', not found: check the path in templates.json' : ''})`);
        continue;
      }
      text = await r.text();
    } catch (error) {
      problems.push(`${name}: could not be read (${error instanceof Error ? error.message : String(error)})`);
      continue;
    }
    const result = registry.addFile(name, text);
    if (result.ok) added++;
    else problems.push(...result.problems.map(formatProblem));
  }
  return done(problems, added);
}
