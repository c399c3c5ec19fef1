/**
 * Shared by the end-to-end tests and scripts/bench-addin.ts: build the pages with webpack into a temporary
 * folder, bundle the test-double engine (test/e2e/test-engine.ts) with esbuild, serve the build with the real
 * `npm start` request handler (scripts/serve.mjs) over http on 127.0.0.1, and launch Debian's Chromium.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { CHROMIUM, CHROMIUM_ARGS, ROOT } from '../browser/harness';
import { bundleForBrowser } from './bundle';

export { bundleForBrowser };

export { launchChromium, chromiumAvailable } from '../browser/harness';

/** Where screenshots go (kept as CI artefacts). */
export const RESULTS = path.join(ROOT, 'test-results', 'e2e');

/** What a test build of {@link buildPages} differs in. */
export interface BuildOptions {
  mode?: 'production' | 'development';
  /**
   * Keep the test seams (`window.__LIUHEN_TEST__`, `?registry=`): default true. False builds exactly what a
   * deployment serves.
   */
  testSeams?: boolean;
  /** The deployment folder (`--env deployDir`): its model-records.json is copied and joins the pages' CSP. */
  deployDir?: string;
}

/** Builds the given pages into a fresh temporary folder (production mode, test seams kept unless told); returns it. */
export function buildPages(pages: string[], options: BuildOptions = {}): string {
  const { mode = 'production', testSeams = true, deployDir } = options;
  const reuse = testSeams && !deployDir ? process.env.LIUHEN_E2E_DIST : undefined;
  const out = reuse ?? mkdtempSync(path.join(os.tmpdir(), 'liuhen-e2e-'));
  if (reuse && existsSync(path.join(out, 'playground.html'))) return out; // reuse (local iteration)
  const env = [`pages=${pages.join(',')}`, `outDir=${out}`, ...(testSeams ? ['testSeams'] : []), ...(deployDir ? [`deployDir=${deployDir}`] : [])];
  const r = spawnSync('node', ['--import', 'tsx', 'node_modules/webpack-cli/bin/cli.js', '--mode', mode, ...env.flatMap((e) => ['--env', e])], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`webpack build failed:\n${r.stdout}\n${r.stderr}`);
  return out;
}

/** The test-double engine as one browser script (an IIFE) for `page.addInitScript`. */
export function bundleTestEngine(): Promise<string> {
  return bundleForBrowser('test/e2e/test-engine.ts');
}

/** Serves `dir` with scripts/serve.mjs's handler on 127.0.0.1 (random port). */
export async function serve(dir: string): Promise<{ origin: string; close: () => Promise<void> }> {
  const mod = await import('../../scripts/serve.mjs');
  const server = createServer(mod.createHandler(dir));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function ensureResults(): string {
  mkdirSync(RESULTS, { recursive: true });
  return RESULTS;
}

export { CHROMIUM, CHROMIUM_ARGS };
