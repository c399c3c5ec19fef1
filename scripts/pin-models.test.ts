/**
 * `npm run pin:models` against a fake Hugging Face + GitHub on 127.0.0.1 (real HTTP): the API answers and file
 * layout the script relies on (`/api/models/<repo>/revision/main` → `sha`, `/repos/<repo>/commits/main` → `sha`,
 * HEAD `/<repo>/resolve/<sha>/<file>`, HEAD `raw/<repo>/<sha>/<path>`), with synthetic commit hashes.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BUILTIN_PINS, BUILTIN_SOURCES, builtinModels, checkRecord, readBuiltinPins, WEBLLM_VERSION } from '../shared/engine/registry';
import { PinError, resolvePins, WEIGHT_FILES, writePins, type PinOptions } from './pin-models';

const sha = (name: string): string => createHash('sha1').update(`synthetic:${name}`).digest('hex');
const LIBS = sha('binary-mlc-llm-libs');

/** What the fake hosts hold: repositories with their files at their `main` commit. */
interface World {
  hfRepos: Map<string, Set<string>>;
  libFiles: Set<string>;
  /** Files answered with a redirect to a CDN path first (as Hugging Face does for LFS files). */
  redirect: Set<string>;
}

function fullWorld(): World {
  return {
    hfRepos: new Map(BUILTIN_SOURCES.map((s) => [s.weightsRepo, new Set<string>(WEIGHT_FILES)])),
    libFiles: new Set(BUILTIN_SOURCES.map((s) => s.libPath)),
    redirect: new Set(['tensor-cache.json']),
  };
}

let world = fullWorld();
const requests: string[] = [];
let server: Server;
let base = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push(`${req.method} ${url.pathname}`);
    const json = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    let m = /^\/gh-api\/repos\/(.+?)\/commits\/main$/.exec(url.pathname);
    if (m && req.method === 'GET') {
      return m[1] === 'mlc-ai/binary-mlc-llm-libs' ? json(200, { sha: LIBS, commit: { message: 'x' } }) : json(404, { message: 'Not Found' });
    }
    m = /^\/hf\/api\/models\/([^/]+\/[^/]+)\/revision\/main$/.exec(url.pathname);
    if (m && req.method === 'GET') {
      // Hugging Face answers 401 "Repository not found" for a missing repository without a token.
      return world.hfRepos.has(m[1]!) ? json(200, { id: m[1], sha: sha(m[1]!), siblings: [] }) : json(401, { error: 'Repository not found' });
    }
    m = /^\/hf\/([^/]+\/[^/]+)\/resolve\/([0-9a-f]{40})\/(.+)$/.exec(url.pathname);
    if (m && req.method === 'HEAD') {
      const [, repo, commit, file] = m;
      const ok = world.hfRepos.get(repo!)?.has(file!) === true && commit === sha(repo!);
      if (ok && world.redirect.has(file!)) return res.writeHead(302, { location: `/cdn/${repo}/${file}` }).end();
      return res.writeHead(ok ? 200 : 404).end();
    }
    if (url.pathname.startsWith('/cdn/') && req.method === 'HEAD') return res.writeHead(200).end();
    m = /^\/gh-raw\/mlc-ai\/binary-mlc-llm-libs\/([0-9a-f]{40})\/(.+)$/.exec(url.pathname);
    if (m && req.method === 'HEAD') return res.writeHead(m[1] === LIBS && world.libFiles.has(m[2]!) ? 200 : 404).end();
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
afterEach(() => {
  world = fullWorld();
  requests.length = 0;
});

const options = (extra: Partial<PinOptions> = {}): PinOptions => ({
  hfBase: `${base}/hf`,
  githubApiBase: `${base}/gh-api/`,
  githubRawBase: `${base}/gh-raw`,
  now: () => new Date('2025-06-01T12:00:00Z'),
  timeoutMs: 5_000,
  ...extra,
});

async function pinError(promise: Promise<unknown>): Promise<PinError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PinError);
  return error as PinError;
}

describe('npm run pin:models (against a local fake Hugging Face and GitHub)', () => {
  it('writes pins for every built-in; the registry then loads each from its commits', async () => {
    const pins = await resolvePins(options());
    expect(pins.webllm_version).toBe(WEBLLM_VERSION);
    expect(pins.created_at).toBe('2025-06-01T12:00:00.000Z');
    expect(pins.libs).toEqual({ repo: 'mlc-ai/binary-mlc-llm-libs', commit: LIBS });
    expect(Object.keys(pins.models ?? {})).toEqual(BUILTIN_SOURCES.map((s) => s.modelId));
    for (const s of BUILTIN_SOURCES) expect(pins.models?.[s.modelId]).toEqual({ repo: s.weightsRepo, revision: sha(s.weightsRepo) });
    // Every needed file was checked at its commit, not at main.
    for (const s of BUILTIN_SOURCES) {
      for (const f of WEIGHT_FILES) expect(requests).toContain(`HEAD /hf/${s.weightsRepo}/resolve/${sha(s.weightsRepo)}/${f}`);
      expect(requests).toContain(`HEAD /gh-raw/mlc-ai/binary-mlc-llm-libs/${LIBS}/${s.libPath}`);
    }

    const dir = mkdtempSync(path.join(tmpdir(), 'liuhen-pins-'));
    try {
      const file = path.join(dir, 'builtin-pins.json');
      writePins(file, pins);
      const state = readBuiltinPins(JSON.parse(readFileSync(file, 'utf8')), WEBLLM_VERSION);
      expect(state.kind).toBe('pinned');
      for (const e of builtinModels(state)) {
        expect(e.pinned).toBe(true);
        expect(e.record.model).toBe(`https://huggingface.co/mlc-ai/${e.record.model_id}/resolve/${sha(`mlc-ai/${e.record.model_id}`)}/`);
        expect(e.record.model_lib).toContain(`/binary-mlc-llm-libs/${LIBS}/web-llm-models/`);
        expect(checkRecord(e.record).errors).toEqual([]);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a file missing at the resolved commit fails, naming model, file and commit, and lists every missing one', async () => {
    const [a, b] = BUILTIN_SOURCES;
    world.hfRepos.get(a!.weightsRepo)?.delete('tensor-cache.json');
    world.libFiles.delete(b!.libPath);
    const error = await pinError(resolvePins(options()));
    expect(error.message).toMatch(/2 file\(s\) missing at the resolved commits; nothing was written/);
    expect(error.message).toContain(`${a!.modelId}: tensor-cache.json missing at commit ${sha(a!.weightsRepo)} (HTTP 404`);
    expect(error.message).toContain(`${b!.modelId}: model library missing at mlc-ai/binary-mlc-llm-libs commit ${LIBS} (HTTP 404`);
  });

  it('an unknown weights repository fails clearly', async () => {
    const sources = [...BUILTIN_SOURCES, { modelId: 'Nope-MLC', weightsRepo: 'mlc-ai/Nope-MLC', libPath: BUILTIN_SOURCES[0]!.libPath }];
    const error = await pinError(resolvePins(options({ sources })));
    expect(error.message).toMatch(/^Hugging Face repository mlc-ai\/Nope-MLC \(branch main\) not found \(HTTP 401 from http:\/\/127\.0\.0\.1:\d+\/hf\/api\/models\/mlc-ai\/Nope-MLC\/revision\/main\)/);
  });

  it('an unknown libraries branch fails clearly', async () => {
    const error = await pinError(resolvePins(options({ ref: 'no-such-branch' })));
    expect(error.message).toMatch(/^GitHub repository mlc-ai\/binary-mlc-llm-libs \(branch no-such-branch\) not found \(HTTP 404/);
  });

  it('a host that cannot be reached fails with what to do', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const error = await pinError(resolvePins(options({ githubApiBase: `http://127.0.0.1:${port}` })));
    expect(error.message).toBe(`cannot reach http://127.0.0.1:${port} (ECONNREFUSED): pinning needs a machine that can reach Hugging Face and GitHub`);
  });

  it('the command line: flags and LIUHEN_* variables choose the hosts, --out the file; --check warns (and --require fails) while unpinned', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'liuhen-pins-'));
    try {
      const out = path.join(dir, 'pins.json');
      const env = { ...process.env, LIUHEN_GITHUB_RAW: `${base}/gh-raw`, LIUHEN_REQUIRE_PINNED: '' };
      const pin = await run(['--out', out, '--hf', `${base}/hf`, '--github-api', `${base}/gh-api`], env);
      expect(pin.code, pin.stderr).toBe(0);
      expect(pin.stdout).toContain('6 built-in models pinned');
      expect(readBuiltinPins(JSON.parse(readFileSync(out, 'utf8')), WEBLLM_VERSION).kind).toBe('pinned');

      const check = await run(['--check'], env);
      const strict = await run(['--check', '--require'], env);
      if (BUILTIN_PINS.kind === 'unpinned') {
        expect(check.code).toBe(0);
        expect(check.stderr).toMatch(/WARNING: built-in models NOT PINNED[\s\S]*npm run pin:models/);
        expect(strict.code).toBe(1);
      } else {
        expect([check.code, strict.code]).toEqual([0, 0]);
        expect(check.stdout).toContain('built-in models pinned');
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

function run(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'pin-models.ts'), ...args], { env, timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}
