/**
 * The real WebLLM runtime, offline (../shared/webllm-runtime): the product's playground built against web-llm
 * 0.2.79 (the one version whose model library links here; `webpack --env webllm0279`), deterministic synthetic
 * weights, and an HTTPS server that serves the build with a deployment beside it — model-records.json naming the
 * synthetic model as the company's default, templates.json with a short company template — the way an admin
 * deploys them. Chromium runs WebGPU on SwiftShader.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { generate as selfsigned } from 'selfsigned';

export const ROOT = path.resolve(import.meta.dirname, '../..');
/** ../shared/webllm-runtime (or LIUHEN_RUNTIME_DIR). */
export const RUNTIME_DIR = process.env.LIUHEN_RUNTIME_DIR ?? path.resolve(ROOT, '../shared/webllm-runtime');
export const WASM = 'Qwen2-0.5B-Instruct-q4f32_1-ctx4k_cs1k-webgpu.v0_2_48.wasm';
export const MODEL_ID = 'liuhen-runtime-synthetic-qwen2-0.5b-q4f32_1';
/** The "commit" the model URL is pinned to (the registry refuses unpinned company models). */
const COMMIT = 'c0ffee0000000000000000000000000000000001';
/** Where builds and weights are kept between runs (ignored by git: a temp folder). */
export const WORK = process.env.LIUHEN_RUNTIME_WORK ?? path.join(os.tmpdir(), 'liuhen-runtime');

export const CHROMIUM = '/usr/bin/chromium';
/** From ../shared/webllm-runtime/README.md; the Dawn features roughly halve a decode step on SwiftShader. */
export const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--enable-unsafe-webgpu',
  '--no-first-run',
  '--disable-background-networking',
  '--enable-dawn-features=disable_robustness,disable_workgroup_init,skip_validation',
  '--ignore-certificate-errors',
];

/** Whether everything the real-runtime test needs is on this machine. */
export function runtimeAvailable(): boolean {
  return existsSync(CHROMIUM) && existsSync(path.join(RUNTIME_DIR, WASM)) && existsSync(path.join(RUNTIME_DIR, 'model', 'tokenizer.json'));
}

/** Newest modification time under the folders the product build reads. */
function sourceStamp(): number {
  let newest = 0;
  const walk = (p: string): void => {
    const s = statSync(p);
    if (s.isDirectory()) {
      for (const n of readdirSync(p)) if (n !== 'node_modules' && !n.startsWith('.')) walk(path.join(p, n));
    } else newest = Math.max(newest, s.mtimeMs);
  };
  for (const d of ['shared', 'addin', 'shared/engine/registry', 'webpack.config.ts', 'package-lock.json']) if (existsSync(path.join(ROOT, d))) walk(path.join(ROOT, d));
  return newest;
}

/** Builds the playground against web-llm 0.2.79 into WORK/dist (reused while no source changed). Returns the folder and seconds spent. */
export function buildRuntimePlayground(): { dir: string; seconds: number } {
  const dir = path.join(WORK, 'dist');
  const html = path.join(dir, 'playground.html');
  if (existsSync(html) && statSync(html).mtimeMs > sourceStamp()) return { dir, seconds: 0 };
  const started = Date.now();
  const r = spawnSync(
    'node',
    ['--import', 'tsx', 'node_modules/webpack-cli/bin/cli.js', '--mode', 'production', '--env', 'pages=playground', '--env', 'webllm0279', '--env', `outDir=${dir}`],
    { cwd: ROOT, encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`webpack build (webllm0279) failed:\n${r.stdout}\n${r.stderr}`);
  return { dir, seconds: (Date.now() - started) / 1000 };
}

/** Writes the synthetic weights once into WORK/weights (deterministic: same wasm, same bytes). */
export function syntheticWeights(): string {
  const dir = path.join(WORK, 'weights');
  if (existsSync(path.join(dir, 'ndarray-cache.json'))) return dir;
  mkdirSync(dir, { recursive: true });
  const r = spawnSync('node', [path.join(RUNTIME_DIR, 'make-synthetic-weights.mjs'), path.join(RUNTIME_DIR, WASM), dir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`synthetic weights failed:\n${r.stdout}\n${r.stderr}`);
  return dir;
}

/** A short company template: one section with a short heading, no fields, so prompts stay at tens of tokens and
 * the forced heading at a few. */
export function companyTemplate(): Record<string, unknown> {
  return {
    id: 'runtime-note',
    version: '1.0.0',
    language: 'en',
    name: 'Runtime note',
    sources: ['notes'],
    role: 'Note writer.',
    sections: [{ key: 'note', heading: '[N]', guidance: 'One line.', maxChars: 40 }],
    tone: { formal: true, objective: true, thirdPerson: true, noEmotionalWords: true },
    maxTotalChars: 40,
  };
}

/** A company template whose output grammar the runtime would reject (an unpaired surrogate in a heading). */
export function badTemplateText(): string {
  return JSON.stringify({ ...companyTemplate(), id: 'runtime-bad', name: 'Bad grammar', sections: [{ key: 'note', heading: '[N \uD800]', guidance: 'x', maxChars: 40 }] }).replace(
    '\uD800',
    '\\ud800',
  );
}

export interface RuntimeServer {
  origin: string;
  /** Paths requested, in order (to check that nothing 404s and what was fetched). */
  requests: Array<{ path: string; status: number }>;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.bin': 'application/octet-stream',
  '.txt': 'text/plain; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

/**
 * Serves `dist` over HTTPS on 127.0.0.1 with the deployment beside the page: model-records.json (the synthetic
 * model as the company default), templates.json (the short company template and a bad one), the model under
 * /models/acme/synthetic/resolve/<commit>/ and its library under /libs/.
 */
export async function serveRuntime(dist: string, weights: string, extra: Record<string, string> = {}): Promise<RuntimeServer> {
  const pems = await selfsigned([{ name: 'commonName', value: '127.0.0.1' }], { keySize: 2048, days: 2, algorithm: 'sha256' } as never);
  const { private: key, cert } = pems as unknown as { private: string; cert: string };
  const requests: RuntimeServer['requests'] = [];
  const modelPrefix = `/models/acme/synthetic/resolve/${COMMIT}/`;
  const wasmBytes = readFileSync(path.join(RUNTIME_DIR, WASM));
  const sri = `sha256-${createHash('sha256').update(wasmBytes).digest('base64')}`;
  let origin = '';
  const deployment = (): Record<string, string | Buffer> => ({
    '/model-records.json': JSON.stringify({
      default: MODEL_ID,
      models: [
        {
          model: `${origin}${modelPrefix}`,
          model_id: MODEL_ID,
          model_lib: `${origin}/libs/${WASM}`,
          integrity: { model_lib: sri },
          vram_required_MB: 1000,
          low_resource_required: true,
          overrides: { context_window_size: 4096 },
          liuhen_prompt: { profile: 'compact', fields: false },
        },
      ],
    }),
    '/templates.json': JSON.stringify({ templates: ['templates/runtime-note.en.json', 'templates/runtime-bad.en.json'] }),
    '/templates/runtime-note.en.json': JSON.stringify(companyTemplate()),
    '/templates/runtime-bad.en.json': badTemplateText(),
    [`/libs/${WASM}`]: wasmBytes,
    ...extra,
  });
  const fileFor = (p: string): string | undefined => {
    if (p.startsWith(modelPrefix)) {
      const name = p.slice(modelPrefix.length);
      if (!/^[\w.-]+$/.test(name)) return undefined;
      const candidates = [path.join(weights, name), path.join(RUNTIME_DIR, 'model', name)];
      return candidates.find((c) => existsSync(c));
    }
    const f = path.join(dist, path.normalize(p === '/' ? '/playground.html' : p));
    return f.startsWith(dist) && existsSync(f) && statSync(f).isFile() ? f : undefined;
  };
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const p = decodeURIComponent(new URL(req.url ?? '/', 'https://x').pathname);
    const fixed = deployment()[p];
    const file = fixed === undefined ? fileFor(p) : undefined;
    const status = fixed !== undefined || file ? 200 : 404;
    requests.push({ path: p, status });
    if (status === 404) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    const body = fixed ?? readFileSync(file ?? '');
    res.writeHead(200, { 'content-type': TYPES[path.extname(p)] ?? 'application/octet-stream', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
    res.end(body);
  };
  const server = createServer({ key, cert }, handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Chromium with WebGPU on SwiftShader. */
export function launchRuntimeChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}

/**
 * Installed before the page's scripts: timestamps every message between the page and the engine worker (the
 * product's own protocol), so the test sees engine requests, load progress and streamed chunks as they happen.
 */
export const WORKER_TAP = `(() => {
  const Orig = window.Worker;
  const log = (window.__liuhenRuntime = { sent: [], received: [] });
  window.Worker = class extends Orig {
    constructor(url, options) {
      super(url, options);
      this.addEventListener('message', (e) => log.received.push({ t: performance.now(), m: e.data }));
    }
    postMessage(message, ...rest) {
      log.sent.push({ t: performance.now(), m: message });
      return super.postMessage(message, ...rest);
    }
  };
})();`;
