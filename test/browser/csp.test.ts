/**
 * The Content-Security-Policy of the built pages (addin/csp.ts, webpack.config.ts, scripts/serve.mjs), on a real
 * production build (with a deployment model host given at build time) served by `npm start`'s own handler:
 * - every page carries its policy in a <meta>, and the server sends the same policy (plus frame-ancestors);
 * - the production bundles carry no test seam (`__LIUHEN_TEST__`) and ignore `?registry=`;
 * - in Chromium, a request from the page AND from a same-origin worker (the engine's situation) to a host the
 *   policy does not list is blocked, with a securitypolicyviolation naming connect-src; the same request from
 *   that host's own page succeeds, so it is the policy that blocks it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pageHeaderPolicy, pagePolicy, workerPolicy } from '../../addin/csp';
import { createHandler } from '../../scripts/serve.mjs';
import { chromiumAvailable, launchChromium, ROOT } from './harness';

const COMPANY_HOST = 'https://models.example.com';
const PAGES = { 'taskpane.html': true, 'commands.html': true, 'playground.html': false, 'model-check.html': false } as const;

function metaPolicy(html: string): string | undefined {
  return /<meta http-equiv="?Content-Security-Policy"? content="([^"]*)"/i.exec(html)?.[1];
}

async function listen(handler: Parameters<typeof createServer>[1]): Promise<{ server: Server; origin: string }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe.skipIf(!chromiumAvailable())('Content-Security-Policy of the built pages', () => {
  let dist = '';
  let site: { server: Server; origin: string };
  let elsewhere: { server: Server; origin: string };
  let browser: Browser;
  const sitePaths: string[] = [];

  beforeAll(async () => {
    dist = mkdtempSync(path.join(os.tmpdir(), 'liuhen-csp-'));
    const r = spawnSync(
      'node',
      ['--import', 'tsx', 'node_modules/webpack-cli/bin/cli.js', '--mode', 'production', '--env', `outDir=${dist}`, '--env', `modelHosts=${COMPANY_HOST}`],
      { cwd: ROOT, encoding: 'utf8' },
    );
    if (r.status !== 0) throw new Error(`webpack build failed:\n${r.stdout}\n${r.stderr}`);
    // A worker script of the site (served like the engine's worker chunk) that reports what its fetch did.
    writeFileSync(path.join(dist, 'other-records.json'), '[]');
    writeFileSync(
      path.join(dist, 'probe-worker.js'),
      'self.onmessage = (e) => fetch(e.data).then((r) => postMessage("ok " + r.status), (err) => postMessage("blocked " + err.message));',
    );
    const handler = createHandler(dist);
    site = await listen((req, res) => {
      sitePaths.push(new URL(req.url ?? '/', 'http://x').pathname);
      handler(req, res);
    });
    // A host no policy lists, answering every browser (CORS open), so only CSP can stop a request to it.
    elsewhere = await listen((req, res) => {
      res.writeHead(200, { 'content-type': 'text/html', 'access-control-allow-origin': '*' });
      res.end('<!doctype html><title>elsewhere</title>');
    });
    browser = await launchChromium();
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    site?.server.closeAllConnections();
    await new Promise<void>((resolve) => (site ? site.server.close(() => resolve()) : resolve()));
    await new Promise<void>((resolve) => (elsewhere ? elsewhere.server.close(() => resolve()) : resolve()));
  });

  it('every built page carries its policy first in <head>, including the deployment model host', () => {
    for (const [file, office] of Object.entries(PAGES)) {
      const html = readFileSync(path.join(dist, file), 'utf8');
      const policy = metaPolicy(html);
      expect(policy, file).toBe(pagePolicy({ office, modelHosts: [COMPANY_HOST] }));
      expect(policy).toContain("default-src 'none'");
      expect(policy).toContain("script-src 'self' 'wasm-unsafe-eval'");
      expect(policy).not.toContain("'unsafe-eval'");
      expect(policy).toContain("object-src 'none'");
      expect(policy).toContain("base-uri 'none'");
      expect(policy).toMatch(new RegExp(`connect-src 'self' [^;]*${COMPANY_HOST.replaceAll('.', '\\.')}`));
      expect(policy?.includes('https://appsforoffice.microsoft.com')).toBe(office);
      // Before any script or style it must govern.
      const head = html.slice(0, html.search(/<(script|style|link)\b/i));
      expect(head, file).toContain('Content-Security-Policy');
    }
  });

  it('the server sends the same policies, with frame-ancestors on pages and the worker policy on scripts', async () => {
    for (const [file, office] of Object.entries(PAGES)) {
      const res = await fetch(`${site.origin}/${file}`);
      expect(res.headers.get('content-security-policy'), file).toBe(pageHeaderPolicy({ office, modelHosts: [COMPANY_HOST] }));
    }
    expect((await fetch(`${site.origin}/taskpane.html`)).headers.get('content-security-policy')).toContain('frame-ancestors \'self\' https://*.officeapps.live.com');
    expect((await fetch(`${site.origin}/playground.html`)).headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    for (const script of readdirSync(dist).filter((f) => f.endsWith('.js'))) {
      const res = await fetch(`${site.origin}/${script}`);
      expect(res.headers.get('content-security-policy'), script).toBe(workerPolicy([COMPANY_HOST]));
    }
  });

  it('production bundles contain no test seam and ignore ?registry=', async () => {
    for (const file of readdirSync(dist).filter((f) => f.endsWith('.js') && f !== 'probe-worker.js')) {
      const code = readFileSync(path.join(dist, file), 'utf8');
      expect(code, file).not.toContain('__LIUHEN_TEST__');
      expect(code, file).not.toMatch(/\.get\("registry"\)/);
    }
    const page = await browser.newPage();
    try {
      sitePaths.length = 0;
      await page.goto(`${site.origin}/playground.html?registry=./other-records.json`);
      await page.getByTestId('liuhen-panel').waitFor();
      await page.waitForTimeout(300);
      expect(sitePaths).toContain('/model-records.json');
      expect(sitePaths).not.toContain('/other-records.json');
    } finally {
      await page.close();
    }
  });

  it('a request to an unlisted host is blocked, from the page and from a same-origin worker', async () => {
    const page = await browser.newPage();
    try {
      await page.goto(`${site.origin}/playground.html`);
      const target = `${elsewhere.origin}/model-records.json`;
      const result = await page.evaluate(async (url) => {
        const violations: string[] = [];
        document.addEventListener('securitypolicyviolation', (e) => violations.push(`${e.effectiveDirective} ${e.blockedURI}`));
        const fromPage = await fetch(url).then(
          (r) => `ok ${r.status}`,
          (e: Error) => `blocked ${e.message}`,
        );
        const worker = new Worker('probe-worker.js');
        const fromWorker = await new Promise<string>((resolve) => {
          worker.onmessage = (e: MessageEvent<string>) => resolve(e.data);
          worker.postMessage(url);
        });
        const self = await fetch('csp.json').then((r) => `ok ${r.status}`, (e: Error) => `blocked ${e.message}`);
        await new Promise((r) => setTimeout(r, 100));
        return { fromPage, fromWorker, self, violations };
      }, target);
      expect(result.fromPage).toMatch(/^blocked/);
      expect(result.fromWorker).toMatch(/^blocked/);
      expect(result.self).toBe('ok 200');
      expect(result.violations).toContain(`connect-src ${target}`);

      // Control: the same request from that host's own page goes through, so the policy is what blocked it.
      await page.goto(`${elsewhere.origin}/`);
      expect(await page.evaluate((url) => fetch(url).then((r) => `ok ${r.status}`, () => 'failed'), target)).toBe('ok 200');
    } finally {
      await page.close();
    }
  });
});
