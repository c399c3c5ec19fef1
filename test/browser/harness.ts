/**
 * Shared by the browser test and scripts/bench-engine.ts: build the model-check page (production) into their own
 * folder when needed, serve it on a localhost port with a tiny node:http server, and launch Debian's Chromium
 * (headless, WebGPU via SwiftShader) with playwright-core.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/**
 * The browser tests' and bench:engine's own production build (not dist/, which `npm start` fills with a
 * development build, and not shared with the end-to-end tests, which build elsewhere).
 */
export const DIST = path.join(ROOT, 'node_modules', '.cache', 'liuhen', 'browser-dist');
/** The pages that build holds. */
const PAGES = 'model-check';
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--enable-unsafe-webgpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.map': 'application/json',
};

/**
 * Newest mtime of the files the model-check build depends on: the page, everything it imports (shared/,
 * shared/engine/registry), the bench pages, and the build's own configuration and lockfile.
 */
function newestSource(): number {
  let newest = 0;
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      if (name === 'node_modules' || name.startsWith('.')) continue;
      const full = path.join(dir, name);
      const s = statSync(full);
      if (s.isDirectory()) walk(full);
      else if (/\.(ts|tsx|html|json|png)$/.test(name) && !/\.test\.tsx?$/.test(name)) newest = Math.max(newest, s.mtimeMs);
    }
  };
  for (const d of ['shared', 'shared/engine/registry', 'addin/model-check', 'addin/assets', 'test/browser/bench']) walk(path.join(ROOT, d));
  for (const f of ['webpack.config.ts', 'package-lock.json']) newest = Math.max(newest, statSync(path.join(ROOT, f)).mtimeMs);
  return newest;
}

/** What {@link ensureBuilt} records beside its build, so a later run knows what the folder holds. */
interface BuildStamp {
  mode: 'production';
  pages: string;
  bench: boolean;
  /** {@link newestSource} when the build started. */
  sourcesMtimeMs: number;
}

const STAMP = path.join(DIST, 'liuhen-build.json');

function readStamp(): BuildStamp | undefined {
  try {
    return JSON.parse(readFileSync(STAMP, 'utf8')) as BuildStamp;
  } catch {
    return undefined;
  }
}

function webpack(args: string[]): void {
  const r = spawnSync('node', ['--import', 'tsx', 'node_modules/webpack-cli/bin/cli.js', '--mode', 'production', ...args], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`webpack build failed:\n${r.stdout}\n${r.stderr}`);
}

/**
 * Builds the model-check page (production, hashed names) into {@link DIST} — the tests' own folder, never the
 * dist/ that `npm start` fills with a development build — plus, with `bench`, the bench pages into DIST/bench.
 * Reuses the folder only when its stamp says it is such a build of the current sources; `SKIP_BUILD=1` reuses
 * any production build there (local iteration).
 */
export function ensureBuilt(options: { bench?: boolean } = {}): { built: boolean; ms: number } {
  const bench = options.bench === true;
  const stamp = readStamp();
  const usable = stamp?.mode === 'production' && stamp.pages === PAGES && (stamp.bench || !bench) && existsSync(path.join(DIST, 'model-check.html'));
  if (usable && (process.env.SKIP_BUILD === '1' || stamp.sourcesMtimeMs >= newestSource())) return { built: false, ms: 0 };
  const t0 = Date.now();
  const sourcesMtimeMs = newestSource();
  webpack(['--env', `pages=${PAGES}`, '--env', `outDir=${DIST}`]);
  if (bench) webpack(['--env', 'bench', '--env', `outDir=${path.join(DIST, 'bench')}`]);
  const written: BuildStamp = { mode: 'production', pages: PAGES, bench, sourcesMtimeMs };
  writeFileSync(STAMP, JSON.stringify(written, null, 2));
  return { built: true, ms: Date.now() - t0 };
}

/** Serves {@link DIST} plus extra in-memory routes on 127.0.0.1, port chosen by the OS. */
export async function serveDist(extra: Record<string, { type: string; body: string }> = {}): Promise<{ origin: string; close: () => Promise<void>; server: Server }> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const route = extra[url.pathname];
    if (route) {
      res.writeHead(200, { 'content-type': route.type, 'cache-control': 'no-store' });
      res.end(route.body);
      return;
    }
    const file = path.normalize(path.join(DIST, decodeURIComponent(url.pathname)));
    if (!file.startsWith(DIST) || !existsSync(file) || statSync(file).isDirectory()) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
    res.end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    // localhost is a secure context: WebGPU, Cache API and storage work without https.
    origin: `http://localhost:${port}`,
    server,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A localhost port with nothing listening (bound, then released). */
export async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/** Launches headless Chromium with WebGPU enabled. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/** Whether a usable Chromium is installed. */
export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM);
}

/** The scripts the page loads at first paint (from its HTML), and every JS asset in dist/. */
export function pageAssets(html = 'model-check.html'): { initial: string[]; all: string[] } {
  const text = readFileSync(path.join(DIST, html), 'utf8');
  const initial = [...text.matchAll(/<script[^>]*\ssrc="?([^"\s>]+)"?/g)].map((m) => m[1] ?? '').filter((s) => s);
  const all = readdirSync(DIST).filter((f) => f.endsWith('.js'));
  return { initial, all };
}

/** Strings only WebLLM's bundle contains (cache scope names, its error texts, tvmjs). */
export const WEBLLM_MARKERS = ['webllm/wasm', 'Cannot find model record in appConfig', 'tvmjs', 'WebGPU device was lost while loading'];
