/**
 * Real-browser test of the built diagnostics page: webpack build (skipped when dist/ is fresh), a tiny
 * localhost server, Debian's Chromium headless with WebGPU on SwiftShader (no shader-f16, 1 GiB buffers).
 * No model is ever downloaded: the model to load points at a localhost port where nothing listens.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILTIN_PINS } from '../../shared/engine/registry';
import { chromiumAvailable, closedPort, DIST, ensureBuilt, launchChromium, pageAssets, serveDist, WEBLLM_MARKERS } from './harness';

const CUSTOM_ID = 'Unreachable-0.5B-q4f32_1-MLC';

describe.skipIf(!chromiumAvailable())('model-check page in headless Chromium (SwiftShader WebGPU)', () => {
  let browser: Browser;
  let page: Page;
  let server: Awaited<ReturnType<typeof serveDist>>;
  let deadPort: number;
  /** Resolves with the URL of the WebLLM chunk when the engine worker requests it (whenever that happens). */
  let webllmRequested: Promise<string>;

  beforeAll(async () => {
    ensureBuilt();
    deadPort = await closedPort();
    const records = [
      {
        // Pinned (records on `main` are refused); synthetic commit and hash: nothing is ever downloaded.
        model: `https://localhost:${deadPort}/liuhen/unreachable-0.5B-q4f32_1-MLC/resolve/0123456789abcdef0123456789abcdef01234567/`,
        model_id: CUSTOM_ID,
        model_lib: `https://localhost:${deadPort}/libs/Qwen2-0.5B-Instruct-q4f32_1_cs1k-webgpu.wasm`,
        integrity: { model_lib: `sha256-${Buffer.alloc(32).toString('base64')}` },
        required_features: [],
        overrides: { context_window_size: 4096 },
        vram_required_MB: 1060.2,
        low_resource_required: true,
      },
    ];
    server = await serveDist({ '/model-records.json': { type: 'application/json', body: JSON.stringify(records) } });
    browser = await launchChromium();
    page = await browser.newPage();
    webllmRequested = new Promise((resolve) => {
      page.on('request', (r) => {
        if (/\/webllm\.[0-9a-f]+\.js$/.test(r.url())) resolve(r.url());
      });
    });
    await page.goto(`${server.origin}/model-check.html?model=${CUSTOM_ID}`);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const data = (selector: string, key: string): Promise<string | undefined> =>
    page.$eval(selector, (el, k) => (el as HTMLElement).dataset[k], key);
  const text = (selector: string): Promise<string> => page.$eval(selector, (el) => el.textContent ?? '');

  it('starts the engine worker and sees WebGPU there too', async () => {
    expect(await data('#worker', 'state')).toBe('ready');
    expect(Number(await data('#worker', 'startupMs'))).toBeGreaterThan(0);
    expect(await data('#worker-gpu', 'value')).toBe('true');
  });

  it('detects the SwiftShader adapter without shader-f16', async () => {
    expect(await data('#webgpu', 'value')).toBe('true');
    expect(await data('#adapter', 'value')).toBe('true');
    expect(await text('#adapter')).toContain('swiftshader');
    expect(await data('#fallback', 'value')).toBe('true');
    expect(await data('#shader-f16', 'value')).toBe('false');
    expect(Number(await data('#limits', 'maxBufferSize'))).toBe(2 ** 30);
  });

  it('chooses the q4f32_1 variant and says why, in English and Chinese', async () => {
    expect(await data('#choice', 'state')).toBe('ok');
    expect(await data('#choice', 'quantization')).toBe('q4f32_1');
    expect(await data('#choice', 'modelId')).toBe('Qwen2.5-0.5B-Instruct-q4f32_1-MLC');
    expect(await text('#choice-en')).toContain('does not support 16-bit shaders, so Liuhen uses its 32-bit version');
    expect(await text('#choice-en')).toContain('software renderer');
    expect(await text('#choice-zh')).toContain('不支持 16 位着色器');
    expect(await data('#registry', 'count')).toBe('1');
  });

  it('says before any download how big each model is, the GPU memory it needs and where it comes from', async () => {
    const before = await text('#before');
    expect(before).toContain('277 MB – 1.8 GB');
    expect(before).toContain('0.9 GB – 2.9 GB');
    expect(before).toContain('one token every 15 seconds');
    const rows = await page.$$eval('#models tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
    expect(rows).toHaveLength(7);
    expect(rows).toContainEqual(['Qwen2.5-0.5B q4f16_1', '277 MB', '0.9 GB', 'huggingface.co, raw.githubusercontent.com']);
    expect(rows).toContainEqual(['Qwen2.5-3B q4f32_1', '1.8 GB', '2.9 GB', 'huggingface.co, raw.githubusercontent.com']);
    expect(rows.find((r) => r[0]?.startsWith('Unreachable'))?.[3]).toBe(`localhost:${deadPort}`);
    // Whether the built-ins load from commits (builtin-pins.json) or from `main`, said under the table.
    const pinned = BUILTIN_PINS.kind === 'pinned';
    expect(await data('#pins', 'state')).toBe(pinned ? 'pinned' : 'unpinned');
    expect(await data('tr[data-model-id="Qwen2.5-0.5B-Instruct-q4f16_1-MLC"]', 'pinned')).toBe(String(pinned));
    if (!pinned) expect(await text('#pins')).toContain('npm run pin:models');
  });

  it('links an icon that the build ships (so the browser does not ask for a missing /favicon.ico)', async () => {
    const href = await page.$eval('link[rel="icon"]', (el) => (el as HTMLLinkElement).href);
    const status = await page.evaluate(async (url) => (await fetch(url)).status, href);
    expect(status).toBe(200);
  });

  it('a model on an unreachable host fails within seconds with the network message; Load again fails the same way', async () => {
    expect(await page.$eval('#model', (el) => (el as HTMLSelectElement).value)).toBe(CUSTOM_ID);
    for (let attempt = 0; attempt < 2; attempt++) {
      const t0 = Date.now();
      await page.click('#load');
      await page.waitForSelector('#load-status[data-state="error"]', { timeout: 10_000 });
      expect(Date.now() - t0).toBeLessThan(10_000);
      expect(await data('#load-status', 'errorCode')).toBe('network');
      expect(await text('#load-message')).toContain(`localhost:${deadPort}`);
      expect(await text('#load-message')).toContain('proxy');
      expect(await text('#load-message-zh')).toContain('代理');
      expect(await page.$eval('#load', (el) => (el as HTMLButtonElement).disabled)).toBe(false);
      await page.$eval('#load-status', (el) => {
        (el as HTMLElement).dataset.state = 'idle';
      });
    }
    expect(await data('#cached', 'value')).toBe('false');
  });

  it('first-load JS carries no WebLLM: only the worker-loaded chunk does', { timeout: 60_000 }, async () => {
    const { initial, all } = pageAssets();
    expect(initial).toHaveLength(1);
    const withWebLlm = all.filter((f) => {
      const code = readFileSync(path.join(DIST, f), 'utf8');
      return WEBLLM_MARKERS.some((m) => code.includes(m));
    });
    expect(withWebLlm).toHaveLength(1);
    expect(withWebLlm[0]).toMatch(/^webllm\./);
    const initialCode = readFileSync(path.join(DIST, initial[0] ?? ''), 'utf8');
    for (const marker of WEBLLM_MARKERS) expect(initialCode).not.toContain(marker);
    const initialGzip = gzipSync(initialCode).length;
    expect(initialGzip).toBeLessThan(30 * 1024);
    // The WebLLM chunk is fetched (by the worker), after the page had painted and started the worker. The event
    // is awaited, not looked for: on a loaded machine it may come after the DOM says the worker is ready.
    expect(await webllmRequested).toContain(`/${withWebLlm[0] ?? ''}`);
    const paint = await page.evaluate(() => performance.getEntriesByName('first-contentful-paint')[0]?.startTime);
    const startedAt = Number(await data('#worker', 'startedAt'));
    if (paint !== undefined) expect(paint).toBeLessThanOrEqual(startedAt);
  });
});
