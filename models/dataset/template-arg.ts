/**
 * The template a CLI works with, from `--template ID [--lang L]` (a built-in one), `--template-file FILE` alone (a
 * company template: its own id and language), or both (the file joins the built-ins; the id picks). Shared by
 * `npm run dataset`, `npm run eval` and the decoding helper, so they agree on which template a run used.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { formatProblem, TemplateRegistry, type Template } from '../../shared/templates';

/** Returns the template, or an error message that names the option to fix. */
export function resolveTemplate(opts: { template?: string; lang?: string; templateFile?: string }): Template | string {
  const registry = new TemplateRegistry();
  let fromFile: Template | undefined;
  if (opts.templateFile !== undefined) {
    let text: string;
    try {
      text = readFileSync(opts.templateFile, 'utf8');
    } catch (e) {
      return `--template-file: cannot read ${opts.templateFile} (${(e as Error).message})`;
    }
    const r = registry.addFile(path.basename(opts.templateFile), text);
    if (!r.ok) return `--template-file: ${r.problems.map(formatProblem).join('; ')}`;
    fromFile = r.template;
  }
  if (opts.template === undefined) {
    if (fromFile) return fromFile;
    return '--template is required (e.g. exit-interview), or --template-file with your own template';
  }
  const { lang } = opts;
  const template = registry.get(opts.template, lang);
  if (!template || (lang !== undefined && template.language.split('-')[0] !== lang.split('-')[0])) {
    const known = registry.list().map((t) => `${t.id} --lang ${t.language}`).join(', ');
    return `--template: no template "${opts.template}"${lang ? ` in ${lang}` : ''} (known: ${known})`;
  }
  return template;
}
