/**
 * Pins of the built-in models: the commit of each `mlc-ai/<model>` weights repository on Hugging Face and of
 * `mlc-ai/binary-mlc-llm-libs` (the model libraries) on GitHub. `npm run pin:models` (scripts/pin-models.ts)
 * resolves them on a networked release machine, checks that the files exist at those commits, and writes
 * builtin-pins.json, which is committed. Pins made for another WebLLM version are not used: the model libraries
 * must match the installed WebLLM. Browser-safe, no I/O.
 */

/** A full git commit hash (SHA-1, as Hugging Face and GitHub report it). Branches and tags move; this does not. */
export const FULL_COMMIT = /^[0-9a-f]{40}$/;

/** The repository of WebLLM's prebuilt model libraries. */
export const MODEL_LIB_REPO = 'mlc-ai/binary-mlc-llm-libs';

/** builtin-pins.json as the pin script writes it. */
export interface BuiltinPinsFile {
  $comment?: string;
  /** The @mlc-ai/web-llm version the pins were made for (its `v0_2_xx` library folder). */
  webllm_version?: string;
  /** When the pins were resolved (ISO 8601). */
  created_at?: string;
  /** The commit of {@link MODEL_LIB_REPO} the wasm files are loaded from. */
  libs?: { repo: string; commit: string };
  /** Per built-in model id: its weights repository and the commit (`resolve/<revision>/`) to load. */
  models?: Record<string, { repo: string; revision: string }>;
}

/** Validated pins, usable for the installed WebLLM. */
export interface BuiltinPins {
  webllmVersion: string;
  createdAt: string;
  libsCommit: string;
  /** Model id → weights repository and commit. */
  models: ReadonlyMap<string, { repo: string; revision: string }>;
}

/** Whether the built-ins are pinned, and if not why (one sentence for a build log or an admin). */
export type PinsState = { kind: 'pinned'; pins: BuiltinPins } | { kind: 'unpinned'; reason: string };

const RERUN = 'run `npm run pin:models` on a networked machine and commit shared/engine/registry/builtin-pins.json';

/**
 * Reads builtin-pins.json for the installed WebLLM `webllmVersion`. Empty file (the offline state): unpinned.
 * Anything malformed, or pins for another WebLLM version: unpinned, with the reason. Never throws.
 */
export function readBuiltinPins(json: unknown, webllmVersion: string): PinsState {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return { kind: 'unpinned', reason: `builtin-pins.json is not a JSON object; ${RERUN}` };
  }
  const f = json as BuiltinPinsFile;
  if (f.libs === undefined && (f.models === undefined || Object.keys(f.models).length === 0)) {
    return { kind: 'unpinned', reason: `no pins: builtin-pins.json is empty (this checkout was built offline); ${RERUN}` };
  }
  if (f.webllm_version !== webllmVersion) {
    return {
      kind: 'unpinned',
      reason: `builtin-pins.json was made for WebLLM ${String(f.webllm_version)}, but ${webllmVersion} is installed (its model libraries differ); ${RERUN}`,
    };
  }
  if (f.libs?.repo !== MODEL_LIB_REPO || typeof f.libs.commit !== 'string' || !FULL_COMMIT.test(f.libs.commit)) {
    return { kind: 'unpinned', reason: `builtin-pins.json: libs must be {"repo": "${MODEL_LIB_REPO}", "commit": <40-digit commit hash>}; ${RERUN}` };
  }
  const models = new Map<string, { repo: string; revision: string }>();
  for (const [id, pin] of Object.entries(f.models ?? {})) {
    const p = pin as { repo?: unknown; revision?: unknown } | null;
    if (typeof p?.repo !== 'string' || typeof p.revision !== 'string' || !FULL_COMMIT.test(p.revision)) {
      return { kind: 'unpinned', reason: `builtin-pins.json: models["${id}"] must be {"repo": …, "revision": <40-digit commit hash>}; ${RERUN}` };
    }
    models.set(id, { repo: p.repo, revision: p.revision });
  }
  return {
    kind: 'pinned',
    pins: { webllmVersion, createdAt: typeof f.created_at === 'string' ? f.created_at : '', libsCommit: f.libs.commit, models },
  };
}
