/** esbuild bundles of test code for the browser (IIFE scripts injected by the e2e tests). */
import path from 'node:path';
import { build, type Plugin } from 'esbuild';
import { ROOT } from '../browser/harness';

/** office-addin-mock imports office-addin-manifest (Node: fs, xml2js) only for its OfficeApp enum. */
const manifestEnum: Plugin = {
  name: 'office-addin-manifest-enum',
  setup(b) {
    b.onResolve({ filter: /^office-addin-manifest$/ }, () => ({ path: 'office-addin-manifest', namespace: 'stub' }));
    b.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({
      contents: 'export const OfficeApp = { Excel: "excel", OneNote: "onenote", Outlook: "outlook", PowerPoint: "powerpoint", Project: "project", Word: "word" };',
      loader: 'js',
    }));
  },
};

export async function bundleForBrowser(entry: string): Promise<string> {
  const result = await build({
    entryPoints: [path.join(ROOT, entry)],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
    plugins: [manifestEnum],
  });
  const file = result.outputFiles[0];
  if (!file) throw new Error(`esbuild produced nothing for ${entry}`);
  return file.text;
}
