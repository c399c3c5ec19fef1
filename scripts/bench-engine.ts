/**
 * `npm run bench:engine` — measures Liuhen's on-device engine layer in headless Chromium.
 *
 * Always measured:
 *   - first-load JS of the diagnostics page (raw and gzip), with and without the worker + WebLLM chunks;
 *   - first-load JS of a page that merely imports WebLLM's CreateWebWorkerMLCEngine (the alternative design);
 *   - engine-worker start-up (new Worker -> first reply), median of N fresh page loads;
 *   - protocol round trip (engine/hello), median of 50.
 * Measured only with a hardware GPU and `--model <model_id>` whose files are reachable (add `--registry <file|url>`
 * for a local mirror: a model-records.json, served beside the bench page where it reads it as the task pane does;
 * `--cold` to delete the cache first): load time cold/cached, time to first token, prefill/decode tok/s, and
 * Liuhen's generate vs a direct WebLLM call (CreateWebWorkerMLCEngine +
 * WebWorkerMLCEngineHandler) on the same prompt.
 *
 * Options: --runs N (default 7), --model ID, --cold, --registry FILE|URL, --force (run the model part even on a
 * software adapter).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromiumAvailable, CHROMIUM, DIST, ensureBuilt, launchChromium, pageAssets, ROOT, serveDist } from '../test/browser/harness';

const argv = process.argv.slice(2);
const flag = (name: string): boolean => argv.includes(`--${name}`);
const option = (name: string): string | undefined => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
const RUNS = Number(option('runs') ?? '7');
const MODEL = option('model');

const kb = (n: number): string => `${(n / 1024).toFixed(1)} KB`;
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? NaN) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
};

function size(file: string): { raw: number; gzip: number } {
  const buf = readFileSync(file);
  return { raw: buf.length, gzip: gzipSync(buf, { level: 9 }).length };
}

function row(label: string, s: { raw: number; gzip: number }): void {
  console.log(`  ${label.padEnd(58)} ${kb(s.raw).padStart(12)} raw ${kb(s.gzip).padStart(11)} gzip`);
}

async function main(): Promise<void> {
  console.log('Liuhen engine bench\n');
  // Its own production build (hashed names, minified) of the page and the bench pages: never the dist/ that
  // `npm start` leaves as a development build.
  const build = ensureBuilt({ bench: true });
  console.log(`${build.built ? `built (production) in ${(build.ms / 1000).toFixed(1)} s` : 'reusing the production build'}: ${path.relative(ROOT, DIST)}`);

  // --- sizes ---------------------------------------------------------------------------------------------------
  const { initial, all } = pageAssets();
  const pageJs = initial.map((f) => size(path.join(DIST, f)));
  const page = { raw: pageJs.reduce((a, s) => a + s.raw, 0), gzip: pageJs.reduce((a, s) => a + s.gzip, 0) };
  const workerFile = all.find((f) => f.startsWith('liuhen-engine.'));
  const webllmFile = all.find((f) => f.startsWith('webllm.'));
  const worker = workerFile ? size(path.join(DIST, workerFile)) : { raw: 0, gzip: 0 };
  const webllm = webllmFile ? size(path.join(DIST, webllmFile)) : { raw: 0, gzip: 0 };
  const benchDir = path.join(DIST, 'bench');
  const probeHtml = readFileSync(path.join(benchDir, 'webllm-client-probe.html'), 'utf8');
  const probeScripts = [...probeHtml.matchAll(/<script[^>]*\ssrc="?([^"\s>]+)"?/g)].map((m) => m[1] ?? '');
  const probe = probeScripts.map((f) => size(path.join(benchDir, f))).reduce((a, s) => ({ raw: a.raw + s.raw, gzip: a.gzip + s.gzip }), { raw: 0, gzip: 0 });

  console.log('\nJavaScript sizes (production build, gzip -9):');
  row(`model-check page, first-load JS (${initial.join(', ')})`, page);
  row(`engine worker entry (${workerFile ?? '—'})`, worker);
  row(`WebLLM chunk, loaded by the worker only (${webllmFile ?? '—'})`, webllm);
  row('page + worker + WebLLM (everything, in the background)', {
    raw: page.raw + worker.raw + webllm.raw,
    gzip: page.gzip + worker.gzip + webllm.gzip,
  });
  row('a page importing CreateWebWorkerMLCEngine (first-load JS)', probe);
  console.log(`  -> the page's first-load JS is ${(probe.gzip / page.gzip).toFixed(0)}x smaller than with WebLLM's page-side client`);

  if (!chromiumAvailable()) {
    console.log(`\nChromium not found at ${CHROMIUM}: browser measurements skipped.`);
    return;
  }

  // --- worker start-up -----------------------------------------------------------------------------------------
  // --registry <file or URL>: served as model-records.json beside the bench page, where the page reads it the way
  // the task pane does (?registry= is ignored by deployed pages since issue 15).
  const registryArg = option('registry');
  const registryBody = registryArg === undefined ? undefined : /^https?:\/\//.test(registryArg) ? await (await fetch(registryArg)).text() : readFileSync(path.resolve(registryArg), 'utf8');
  const server = await serveDist(registryBody === undefined ? {} : { '/bench/model-records.json': { type: 'application/json', body: registryBody } });
  const browser = await launchChromium();
  try {
    const startups: number[] = [];
    let gpu: { fallback?: string; f16?: string; adapter?: string } = {};
    for (let i = 0; i < RUNS; i++) {
      const context = await browser.newContext(); // fresh HTTP cache and storage each time
      const page = await context.newPage();
      await page.goto(`${server.origin}/model-check.html`);
      await page.waitForSelector('#worker[data-state="ready"]', { timeout: 60_000 });
      startups.push(Number(await page.$eval('#worker', (el) => (el as HTMLElement).dataset.startupMs)));
      if (i === 0) {
        gpu = await page.evaluate(() => ({
          fallback: document.getElementById('fallback')?.dataset.value,
          f16: document.getElementById('shader-f16')?.dataset.value,
          adapter: document.getElementById('adapter')?.textContent ?? '',
        }));
      }
      await context.close();
    }
    console.log(`\nEngine worker start-up in headless Chromium (new Worker -> first reply; fetch + parse of ${kb(worker.raw + webllm.raw)} over localhost):`);
    console.log(`  median ${median(startups).toFixed(1)} ms over ${RUNS} fresh page loads (min ${Math.min(...startups).toFixed(1)}, max ${Math.max(...startups).toFixed(1)})`);
    console.log(`  adapter: ${gpu.adapter}; software renderer: ${gpu.fallback}; shader-f16: ${gpu.f16}`);

    // --- bench page: protocol round trip, and the model part where possible --------------------------------------
    const hardwareGpu = gpu.fallback === 'false';
    const runModel = MODEL !== undefined && (hardwareGpu || flag('force'));
    const query = new URLSearchParams();
    if (runModel && MODEL) {
      query.set('model', MODEL);
      if (flag('cold')) query.set('cold', '1');
    }
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.origin}/bench/engine-bench.html?${query.toString()}`);
    await page.waitForSelector('body[data-done]', { timeout: runModel ? 30 * 60_000 : 60_000 });
    const error = await page.$eval('body', (b) => (b as HTMLElement).dataset.error);
    const results = JSON.parse((await page.$eval('body', (b) => (b as HTMLElement).dataset.results)) ?? '{}') as Record<string, unknown>;
    await context.close();
    if (error) console.log(`\nbench page error: ${error}`);
    if (typeof results.helloRoundTripMedianMs === 'number') {
      console.log(`\nProtocol round trip (engine/hello, page -> worker -> page): median ${results.helloRoundTripMedianMs.toFixed(3)} ms over 50`);
    }
    if (runModel && !error) {
      type Run = { totalMs: number; firstTextMs?: number; prefillTps?: number; decodeTps?: number };
      const liuhen = (results.liuhen as Run[] | undefined) ?? [];
      const direct = (results.direct as Run[] | undefined) ?? [];
      const ms = (k: string): string => (typeof results[k] === 'number' ? `${(results[k] as number).toFixed(0)} ms` : '—');
      console.log(`\nModel ${MODEL}:`);
      console.log(`  load: ${flag('cold') ? `cold ${ms('liuhenColdLoadMs')}, ` : ''}cached ${ms('liuhenCachedLoadMs')} (direct WebLLM cached ${ms('directCachedLoadMs')})`);
      const m = (rs: Run[], k: keyof Run): string => median(rs.map((r) => (r[k] as number | undefined) ?? NaN)).toFixed(1);
      console.log(`  Liuhen generate: TTFT ${m(liuhen, 'firstTextMs')} ms, prefill ${m(liuhen, 'prefillTps')} tok/s, decode ${m(liuhen, 'decodeTps')} tok/s, total ${m(liuhen, 'totalMs')} ms`);
      console.log(`  direct WebLLM:   TTFT ${m(direct, 'firstTextMs')} ms, prefill ${m(direct, 'prefillTps')} tok/s, decode ${m(direct, 'decodeTps')} tok/s, total ${m(direct, 'totalMs')} ms`);
      console.log(`  ratio Liuhen/direct: total ${(results.ratioTotal as number).toFixed(3)}, first text ${(results.ratioFirstText as number).toFixed(3)}`);
    } else {
      console.log('\nNOT MEASURED here: model load time (cold / cached), time to first token, prefill and decode tok/s,');
      console.log("and the ratio of Liuhen's generate to a direct WebLLM call. Reason:");
      if (!hardwareGpu) console.log(`  - no hardware GPU: the browser's WebGPU adapter is a software renderer (${gpu.adapter}), without shader-f16;`);
      if (!MODEL) console.log('  - no model: pass --model <model_id> (and --registry <file|url> for a local mirror); this machine has no network to download one.');
      console.log('  Run `npm run bench:engine -- --model Qwen2.5-1.5B-Instruct-q4f16_1-MLC --cold` on a machine with a GPU and network.');
    }
  } finally {
    await browser.close();
    await server.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
