/**
 * `npm run pin:models`: pins the built-in models to commits, on a networked release machine. For every built-in
 * (shared/engine/registry/builtin.ts) it asks Hugging Face for the commit of the weights repository's `main`
 * (`GET /api/models/<org>/<repo>/revision/main` → `sha`) and GitHub for the commit of
 * mlc-ai/binary-mlc-llm-libs's `main` (`GET /repos/<org>/<repo>/commits/main` → `sha`), checks with HEAD
 * requests that the files WebLLM loads exist at those commits, and writes shared/engine/registry/builtin-pins.json
 * (commit it). Nothing is written unless every model resolves.
 *
 *   npm run pin:models                      resolve and write the pins
 *   npm run pin:models -- --check           say whether this build's built-ins are pinned (`npm run build` runs it)
 *   npm run pin:models -- --check --require exit 1 when they are not (also LIUHEN_REQUIRE_PINNED=1)
 *
 * Options: --out FILE; --hf URL, --github-api URL, --github-raw URL (or LIUHEN_HF_BASE, LIUHEN_GITHUB_API,
 * LIUHEN_GITHUB_RAW) point at a mirror or a test server.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BUILTIN_MODELS, BUILTIN_PINS, BUILTIN_SOURCES, WEBLLM_VERSION, type BuiltinSource } from '../shared/engine/registry/builtin';
import { FULL_COMMIT, MODEL_LIB_REPO, type BuiltinPinsFile } from '../shared/engine/registry/pins';
import { parseOptions } from './cli-options';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const PINS_PATH = path.join(ROOT, 'shared/engine/registry/builtin-pins.json');

/** Files WebLLM 0.2.86 fetches by fixed name from a model's base URL (the rest are listed in them). */
export const WEIGHT_FILES = ['mlc-chat-config.json', 'tensor-cache.json', 'tokenizer.json'] as const;

export interface PinOptions {
  /** Hugging Face (default https://huggingface.co). */
  hfBase?: string;
  /** GitHub's REST API (default https://api.github.com). */
  githubApiBase?: string;
  /** GitHub's raw file host (default https://raw.githubusercontent.com). */
  githubRawBase?: string;
  /** The branch to pin (default main). */
  ref?: string;
  sources?: readonly BuiltinSource[];
  now?: () => Date;
  /** Per request (default 30 s). */
  timeoutMs?: number;
}

/** A failure with a message fit for the release engineer's terminal. */
export class PinError extends Error {
  override name = 'PinError';
}

const trim = (url: string): string => url.replace(/\/+$/, '');

async function request(url: string, method: 'GET' | 'HEAD', headers: Record<string, string>, timeoutMs: number): Promise<Response> {
  try {
    return await fetch(url, { method, headers: { 'User-Agent': 'liuhen-pin-models', ...headers }, redirect: 'follow', signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const why = cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
    throw new PinError(`cannot reach ${new URL(url).origin} (${why}): pinning needs a machine that can reach Hugging Face and GitHub`);
  }
}

async function commitOf(url: string, what: string, headers: Record<string, string>, timeoutMs: number): Promise<string> {
  const res = await request(url, 'GET', { Accept: 'application/json', ...headers }, timeoutMs);
  if (res.status === 404 || res.status === 401) {
    // Hugging Face answers 401 for a repository that does not exist (or is private) when asked without a token.
    throw new PinError(`${what} not found (HTTP ${res.status} from ${url}): check the repository name and branch`);
  }
  if (!res.ok) throw new PinError(`${what}: HTTP ${res.status} from ${url}${res.status === 403 || res.status === 429 ? ' (rate limited? try again later)' : ''}`);
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    throw new PinError(`${what}: ${url} did not answer JSON`);
  }
  const sha = (body as { sha?: unknown } | null)?.sha;
  if (typeof sha !== 'string' || !FULL_COMMIT.test(sha)) throw new PinError(`${what}: ${url} gave no 40-digit commit hash in "sha"`);
  return sha;
}

async function exists(url: string, timeoutMs: number): Promise<number> {
  const res = await request(url, 'HEAD', {}, timeoutMs);
  return res.status;
}

/**
 * Resolves every built-in's weights commit and the model-library commit, and checks that each needed file is
 * there at that commit. Throws a {@link PinError} naming every missing file (or the first unreachable host or
 * unknown repository); returns the content of builtin-pins.json.
 */
export async function resolvePins(options: PinOptions = {}): Promise<BuiltinPinsFile> {
  const hf = trim(options.hfBase ?? 'https://huggingface.co');
  const api = trim(options.githubApiBase ?? 'https://api.github.com');
  const raw = trim(options.githubRawBase ?? 'https://raw.githubusercontent.com');
  const ref = options.ref ?? 'main';
  const timeoutMs = options.timeoutMs ?? 30_000;
  const sources = options.sources ?? BUILTIN_SOURCES;

  const libsCommit = await commitOf(
    `${api}/repos/${MODEL_LIB_REPO}/commits/${encodeURIComponent(ref)}`,
    `GitHub repository ${MODEL_LIB_REPO} (branch ${ref})`,
    { Accept: 'application/vnd.github+json' },
    timeoutMs,
  );
  const models: Record<string, { repo: string; revision: string }> = {};
  const missing: string[] = [];
  for (const s of sources) {
    const revision = await commitOf(`${hf}/api/models/${s.weightsRepo}/revision/${encodeURIComponent(ref)}`, `Hugging Face repository ${s.weightsRepo} (branch ${ref})`, {}, timeoutMs);
    for (const file of WEIGHT_FILES) {
      const url = `${hf}/${s.weightsRepo}/resolve/${revision}/${file}`;
      const status = await exists(url, timeoutMs);
      if (status !== 200) missing.push(`${s.modelId}: ${file} missing at commit ${revision} (HTTP ${status} from ${url})`);
    }
    const libUrl = `${raw}/${MODEL_LIB_REPO}/${libsCommit}/${s.libPath}`;
    const libStatus = await exists(libUrl, timeoutMs);
    if (libStatus !== 200) missing.push(`${s.modelId}: model library missing at ${MODEL_LIB_REPO} commit ${libsCommit} (HTTP ${libStatus} from ${libUrl})`);
    models[s.modelId] = { repo: s.weightsRepo, revision };
  }
  if (missing.length > 0) {
    throw new PinError(`not pinned: ${missing.length} file(s) missing at the resolved commits; nothing was written:\n  ${missing.join('\n  ')}`);
  }
  return {
    $comment: `Commits of the built-in models' weights and wasm for WebLLM ${WEBLLM_VERSION}, written by \`npm run pin:models\`; commit this file. Re-run after upgrading WebLLM.`,
    webllm_version: WEBLLM_VERSION,
    created_at: (options.now ?? (() => new Date()))().toISOString(),
    libs: { repo: MODEL_LIB_REPO, commit: libsCommit },
    models,
  };
}

/** Writes builtin-pins.json (two-space JSON, trailing newline). */
export function writePins(file: string, pins: BuiltinPinsFile): void {
  writeFileSync(file, `${JSON.stringify(pins, null, 2)}\n`);
}

/** The `--check` report: what this build's built-ins load, and the loud warning when it is not pinned. */
export function pinReport(): { pinned: boolean; lines: string[] } {
  const unpinned = BUILTIN_MODELS.filter((e) => e.pinned !== true).map((e) => e.record.model_id);
  if (BUILTIN_PINS.kind === 'pinned' && unpinned.length === 0) {
    return { pinned: true, lines: [`pin:models: built-in models pinned (WebLLM ${BUILTIN_PINS.pins.webllmVersion}, ${BUILTIN_PINS.pins.createdAt}; libs ${BUILTIN_PINS.pins.libsCommit}).`] };
  }
  const bar = '!'.repeat(100);
  return {
    pinned: false,
    lines: [
      bar,
      `WARNING: built-in models NOT PINNED: ${unpinned.join(', ')}`,
      `  They load weights and wasm from the "main" branches of mlc-ai's repositories, which can change under the same URL.`,
      `  Why: ${BUILTIN_PINS.kind === 'unpinned' ? BUILTIN_PINS.reason : 'builtin-pins.json lacks these models; run `npm run pin:models` on a networked machine and commit the file'}.`,
      '  Release builds must be pinned (LIUHEN_REQUIRE_PINNED=1 makes this check fail the build).',
      bar,
    ],
  };
}

async function main(argv: string[]): Promise<number> {
  const fail = (message: string): never => {
    throw new PinError(`${message}\nusage: npm run pin:models [-- --out FILE --hf URL --github-api URL --github-raw URL] | -- --check [--require]`);
  };
  const o = parseOptions(argv, ['out', 'hf', 'github-api', 'github-raw'], ['check', 'require'], fail);
  if (o.has('check')) {
    const { pinned, lines } = pinReport();
    (pinned ? console.log : console.warn)(lines.join('\n'));
    return !pinned && (o.has('require') || process.env.LIUHEN_REQUIRE_PINNED === '1') ? 1 : 0;
  }
  const out = path.resolve(o.get('out') ?? PINS_PATH);
  const options: PinOptions = {};
  const hf = o.get('hf') ?? process.env.LIUHEN_HF_BASE;
  const api = o.get('github-api') ?? process.env.LIUHEN_GITHUB_API;
  const raw = o.get('github-raw') ?? process.env.LIUHEN_GITHUB_RAW;
  if (hf) options.hfBase = hf;
  if (api) options.githubApiBase = api;
  if (raw) options.githubRawBase = raw;
  const pins = await resolvePins(options);
  writePins(out, pins);
  console.log(`pin:models: ${Object.keys(pins.models ?? {}).length} built-in models pinned (libs ${pins.libs?.commit}) for WebLLM ${pins.webllm_version}.`);
  for (const [id, p] of Object.entries(pins.models ?? {})) console.log(`  ${id}: ${p.repo}@${p.revision}`);
  console.log(`Wrote ${path.relative(process.cwd(), out)}: commit it.`);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof PinError ? `pin:models: ${error.message}` : error);
      process.exit(1);
    },
  );
}
