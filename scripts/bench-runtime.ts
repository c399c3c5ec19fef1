/**
 * `npm run bench:runtime`: the product vs a raw WebLLM call on the REAL runtime (SwiftShader, the synthetic
 * Qwen2-0.5B of ../shared/webllm-runtime, web-llm 0.2.79), in one run, on the same request.
 *
 * 1. The playground (the product's worker, pipeline and UI) generates from a short note with a company template:
 *    load, time to first token and per-token times are read from the messages between page and worker.
 * 2. In a fresh browser context (its own, empty model cache), web-llm's own CreateMLCEngine loads the same model
 *    record and runs the request the product sent (same messages, grammar, max_tokens, temperature).
 * Both stop after the same number of streamed pieces. Prints both and the product/raw ratios.
 *
 * Options: --tokens N (streamed pieces to time, default 3).
 */
import { parseArgs } from 'node:util';
import type { Page } from 'playwright-core';
import { bundleForBrowser } from '../test/e2e/bundle';
import { buildRuntimePlayground, launchRuntimeChromium, MODEL_ID, serveRuntime, syntheticWeights, WORKER_TAP } from '../test/runtime/runtime-setup';
import type { RawTimings } from '../test/runtime/raw-webllm';

const { values } = parseArgs({ options: { tokens: { type: 'string', default: '3' } } });
const pieces = Math.max(2, Number(values.tokens));

interface Tapped {
  t: number;
  m: { tag?: string; kind?: string; id?: string; name?: string; payload?: unknown };
}

const build = buildRuntimePlayground();
console.log(`build: ${build.seconds ? `${build.seconds.toFixed(0)} s` : 'reused'}`);
const server = await serveRuntime(build.dir, syntheticWeights(), { '/raw.html': '<!doctype html><meta charset="utf-8"><title>raw</title>' });
const browser = await launchRuntimeChromium();
try {
  // 1. The product.
  const page = await browser.newPage();
  await page.addInitScript(WORKER_TAP);
  await page.goto(`${server.origin}/playground.html?lang=en`);
  await page.getByTestId('liuhen-panel').waitFor({ timeout: 120_000 });
  await page.getByTestId('template').selectOption('runtime-note@en');
  await page.getByRole('radio', { name: 'Pasted notes' }).check();
  await page.getByRole('textbox', { name: 'Notes or transcript' }).fill('Pay.');
  await page.getByTestId('generate').click();
  const log = (p: Page): Promise<{ sent: Tapped[]; received: Tapped[] }> => p.evaluate(() => (window as unknown as { __liuhenRuntime: { sent: Tapped[]; received: Tapped[] } }).__liuhenRuntime);
  const gen = async (): Promise<{ request?: Tapped; chunks: Tapped[]; load?: Tapped; loaded?: Tapped }> => {
    const l = await log(page);
    const request = l.sent.find((x) => x.m.kind === 'request' && x.m.name === 'engine/generate');
    const load = l.sent.find((x) => x.m.kind === 'request' && x.m.name === 'engine/load');
    return {
      request,
      load,
      loaded: l.received.find((x) => x.m.id === load?.m.id && x.m.kind === 'reply'),
      chunks: l.received.filter((x) => x.m.id === request?.m.id && x.m.kind === 'chunk'),
    };
  };
  for (let g = await gen(); g.chunks.length < pieces; g = await gen()) await new Promise((r) => setTimeout(r, 500));
  await page.getByTestId('cancel').click();
  const product = await gen();
  const params = product.request?.m.payload as { messages: Array<{ role: string; content: string }>; maxTokens: number; temperature: number; seed?: number; responseFormat?: unknown };
  const t0 = product.request?.t ?? 0;
  const productTimes = product.chunks.slice(0, pieces).map((c) => c.t - t0);
  const productLoad = (product.loaded?.t ?? 0) - (product.load?.t ?? 0);

  // 2. Raw WebLLM, fresh context (empty cache), same record and request.
  const context = await browser.newContext();
  const rawPage = await context.newPage();
  await rawPage.goto(`${server.origin}/raw.html`);
  await rawPage.addScriptTag({ content: await bundleForBrowser('test/runtime/raw-webllm.ts') });
  const record = (await rawPage.evaluate(async () => ((await (await fetch('./model-records.json')).json()) as { models: unknown[] }).models[0]));
  const request = { messages: params.messages, max_tokens: params.maxTokens, temperature: params.temperature, ...(params.seed !== undefined ? { seed: params.seed } : {}), ...(params.responseFormat ? { response_format: params.responseFormat } : {}) };
  const raw = (await rawPage.evaluate(
    ([rec, req, n]) => (window as unknown as { rawRun: (a: unknown, b: unknown, c: number) => Promise<RawTimings> }).rawRun(rec, req, n),
    [record, request, pieces] as const,
  )) as RawTimings;

  const perToken = (times: number[]): number => (times.length > 1 ? ((times.at(-1) ?? 0) - (times[0] ?? 0)) / (times.length - 1) : NaN);
  const s = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
  const rows = [
    ['', 'product', 'raw WebLLM', 'product/raw'],
    ['load', s(productLoad), s(raw.loadMs), (productLoad / raw.loadMs).toFixed(2)],
    ['time to first token', s(productTimes[0] ?? NaN), s(raw.ttftMs), ((productTimes[0] ?? NaN) / raw.ttftMs).toFixed(2)],
    ['per token', s(perToken(productTimes)), s(perToken(raw.chunkTimesMs)), (perToken(productTimes) / perToken(raw.chunkTimesMs)).toFixed(2)],
  ];
  console.log(`model ${MODEL_ID}; prompt ${params.messages.map((m) => m.content).join('').length} characters; ${pieces} streamed pieces each`);
  for (const r of rows) console.log(r.map((c, i) => (i === 0 ? c.padEnd(20) : c.padStart(12))).join(''));
  console.log(`product text: ${JSON.stringify(product.chunks.slice(0, pieces).map((c) => (c.m.payload as { text: string }).text).join(''))}`);
  console.log(`raw text:     ${JSON.stringify(raw.text)}`);
} finally {
  await browser.close();
  await server.close();
}
