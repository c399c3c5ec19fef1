/**
 * Custom models: a company's merged LoRA model, added through a registry file (`model-records.json`, a JSON list
 * written by the model tooling) or through settings. Each entry has exactly the WebLLM ModelRecord fields
 * `model`, `model_id`, `model_lib`, `required_features`, `overrides`, `vram_required_MB`,
 * `low_resource_required` (the first three required), `integrity` (WebLLM's SRI hashes, passed through as they
 * are), and Liuhen's `liuhen_prompt`. Validation explains every problem in words an admin can act on; nothing
 * invalid reaches WebLLM. Records must be pinned: weights at `/resolve/<commit>/`, the wasm at a commit URL or
 * with `integrity.model_lib`; a branch (`main`), a missing revision or a leftover `<placeholder>` is refused.
 */
import {
  quantizationOf,
  type ModelEntry,
  type ModelRegistry,
  type ModelSource,
  type WebLlmModelRecord,
} from '../model-record';
import { BUILTIN_PINS, MODEL_LIB_URL_PREFIX, pinPrebuiltLib, WEBLLM_MODEL_VERSION } from './builtin';
import type { PinsState } from './pins';

/** The fields a custom entry may have. */
export const CUSTOM_RECORD_FIELDS = [
  'model',
  'model_id',
  'model_lib',
  'required_features',
  'overrides',
  'vram_required_MB',
  'low_resource_required',
  'liuhen_prompt',
  'integrity',
] as const;

const REQUIRED_FIELDS = ['model', 'model_id', 'model_lib'] as const;

/** WebGPU feature names (GPUFeatureName) a record may require. */
export const KNOWN_WEBGPU_FEATURES: ReadonlySet<string> = new Set([
  'core-features-and-limits',
  'depth-clip-control',
  'depth32float-stencil8',
  'texture-compression-bc',
  'texture-compression-bc-sliced-3d',
  'texture-compression-etc2',
  'texture-compression-astc',
  'texture-compression-astc-sliced-3d',
  'timestamp-query',
  'indirect-first-instance',
  'shader-f16',
  'rg11b10ufloat-renderable',
  'bgra8unorm-storage',
  'float32-filterable',
  'float32-blendable',
  'clip-distances',
  'dual-source-blending',
  'subgroups',
  'primitive-index',
  'texture-formats-tier1',
  'texture-formats-tier2',
]);

/** Hosts that serve files with the Hugging Face `/<org>/<repo>/resolve/<revision>/<file>` layout. */
const HF_STYLE_HOSTS = /(^|\.)(huggingface\.co|hf\.co|hf-mirror\.com|modelscope\.cn)$/i;

/**
 * WebLLM's own prebuilt model libraries for the installed version: the very URLs the built-in models load (a
 * merged Qwen2.5 reuses them). A custom record naming one adds no code beyond what the built-ins already run,
 * and is pinned exactly as far as the built-ins are (MODEL_LIB_URL_PREFIX).
 */
const PREBUILT_LIBS = `${MODEL_LIB_URL_PREFIX}${WEBLLM_MODEL_VERSION}/`;

/** A commit hash (git SHA-1/SHA-256, abbreviated to at least 7 digits): the only revision that cannot move. */
const COMMIT = /^[0-9a-f]{7,64}$/i;

/** Template placeholders left in a URL: `<commit>`, `{folder}` (also percent-encoded). */
const PLACEHOLDER = /<[^>]*>|\{[^}]*\}|%3C[^/]*?%3E|%7B[^/]*?%7D/i;
const hasPlaceholder = (value: string): boolean => PLACEHOLDER.test(value);
const placeholderOf = (value: string): string => PLACEHOLDER.exec(value)?.[0] ?? '';

/** An SRI hash as WebLLM's `verifyIntegrity` accepts it. */
const SRI = /^sha(256|384|512)-[A-Za-z0-9+/]+={0,2}$/;

/** WebLLM's `ModelIntegrity`: SRI hashes for mlc-chat-config.json, the wasm and tokenizer files. */
export interface ModelIntegrity {
  config?: string;
  model_lib?: string;
  tokenizer?: Record<string, string>;
  onFailure?: 'error' | 'warn';
}

/** Checks `integrity` (WebLLM's ModelIntegrity); pushes problems; returns it when it is an object. */
function checkIntegrity(value: unknown, errors: string[]): ModelIntegrity | undefined {
  if (value === undefined) return undefined;
  const example = '{"config": "sha256-…", "model_lib": "sha256-…", "tokenizer": {"tokenizer.json": "sha256-…"}}';
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    errors.push(`integrity: must be an object of SRI hashes, e.g. ${example}`);
    return undefined;
  }
  const v = value as Record<string, unknown>;
  for (const key of Object.keys(v)) {
    if (!['config', 'model_lib', 'tokenizer', 'onFailure'].includes(key)) {
      errors.push(`integrity: unknown field "${key}" (allowed: config, model_lib, tokenizer, onFailure)`);
    }
  }
  for (const key of ['config', 'model_lib'] as const) {
    if (v[key] !== undefined && (typeof v[key] !== 'string' || !SRI.test(v[key]))) {
      errors.push(`integrity.${key}: must be an SRI hash "sha256-<base64>" (or sha384-/sha512-)`);
    }
  }
  if (v.tokenizer !== undefined) {
    const t = v.tokenizer;
    if (typeof t !== 'object' || t === null || Array.isArray(t) || Object.values(t).some((h) => typeof h !== 'string' || !SRI.test(h))) {
      errors.push('integrity.tokenizer: must map file names to SRI hashes, e.g. {"tokenizer.json": "sha256-…"}');
    }
  }
  if (v.onFailure !== undefined && v.onFailure !== 'error') {
    // "warn" would load a file that failed its check: a pinned record must not allow that.
    errors.push('integrity.onFailure: only "error" is accepted (a file that fails its hash must not load)');
  }
  return v as ModelIntegrity;
}

/**
 * Whether a model library URL is pinned by its path: a commit in GitHub's raw URL
 * (`raw.githubusercontent.com/<org>/<repo>/<commit>/…`, `github.com/<org>/<repo>/raw/<commit>/…`) or in a
 * Hugging Face `resolve/<commit>/`. Elsewhere the path says nothing (`unknown`: integrity must pin it).
 */
function libPin(url: URL): { kind: 'pinned' } | { kind: 'unpinned'; ref: string; example: string } | { kind: 'unknown' } {
  const parts = url.pathname.split('/').filter(Boolean);
  let ref: string | undefined;
  let example = '';
  if (url.hostname === 'raw.githubusercontent.com') {
    ref = parts[2] === 'refs' ? `${parts[2]}/${parts[3]}/${parts[4]}` : parts[2];
    example = `https://raw.githubusercontent.com/${parts[0]}/${parts[1]}/<commit>/…`;
  } else if (url.hostname === 'github.com' && (parts[2] === 'raw' || parts[2] === 'blob')) {
    ref = parts[3];
    example = `https://github.com/${parts[0]}/${parts[1]}/raw/<commit>/…`;
  } else if (HF_STYLE_HOSTS.test(url.hostname) && parts.includes('resolve')) {
    ref = parts[parts.indexOf('resolve') + 1];
    example = `https://${url.hostname}/${parts[0]}/${parts[1]}/resolve/<commit>/…`;
  } else return { kind: 'unknown' };
  return ref !== undefined && COMMIT.test(ref) ? { kind: 'pinned' } : { kind: 'unpinned', ref: ref ?? '', example };
}

/** Result of validating custom records: the valid entries, and every problem found. */
export interface CustomRecordsResult {
  entries: ModelEntry[];
  /** Problems that made an entry unusable (it is left out). */
  errors: string[];
  /** Things that work but may not be what the admin meant. */
  warnings: string[];
}

function label(index: number, raw: unknown): string {
  const id = typeof raw === 'object' && raw !== null ? (raw as { model_id?: unknown }).model_id : undefined;
  return typeof id === 'string' && id !== '' ? `entry ${index + 1} ("${id}")` : `entry ${index + 1}`;
}

function parseHttpsUrl(value: string): URL | undefined {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' ? url : undefined;
  } catch {
    return undefined;
  }
}

/** Checks one record; returns its problems (empty when valid). */
export function checkRecord(raw: unknown): { errors: string[]; warnings: string[] } {
  const errors: string[] = [];
  const warnings: string[] = [];
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { errors: ['must be an object with the fields model, model_id, model_lib'], warnings };
  }
  const r = raw as Record<string, unknown>;
  for (const key of Object.keys(r)) {
    if (!(CUSTOM_RECORD_FIELDS as readonly string[]).includes(key)) {
      errors.push(`unknown field "${key}" (allowed: ${CUSTOM_RECORD_FIELDS.join(', ')})`);
    }
  }
  for (const key of REQUIRED_FIELDS) {
    if (typeof r[key] !== 'string' || (r[key] as string).trim() === '') errors.push(`${key}: required, a non-empty string`);
  }

  if (typeof r.model_id === 'string' && r.model_id !== '' && !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(r.model_id)) {
    errors.push('model_id: use letters, digits, ".", "_" and "-" only (it names the model in the browser cache)');
  }

  if (typeof r.model === 'string' && r.model !== '') {
    const url = parseHttpsUrl(r.model);
    if (hasPlaceholder(r.model)) {
      errors.push(`model: "${r.model}" still contains a placeholder (${placeholderOf(r.model)}); replace it with the real value`);
    } else if (!url) {
      errors.push(`model: must be an https:// URL (got "${r.model}"); browsers block other schemes for downloads`);
    } else {
      const path = url.pathname.endsWith('/') ? url.pathname : `${url.pathname}/`;
      const revision = /\/resolve\/([^/]+)\/$/.exec(path)?.[1];
      if (HF_STYLE_HOSTS.test(url.hostname) && !/^\/[^/]+\/[^/]+\/resolve\/[^/]+\/$/.test(path)) {
        errors.push(
          `model: on ${url.hostname} use the layout https://${url.hostname}/<org>/<repo>/resolve/<commit>/ ` +
            '(pinned to a commit hash, so every writer gets the same weights)',
        );
      } else if (revision === undefined) {
        errors.push(
          `model: unpinned — WebLLM would download from ${url.origin}${path}resolve/main/, which can change under ` +
            'the same URL; give the full URL ending in /resolve/<commit>/ (a commit hash)',
        );
      } else if (!COMMIT.test(revision)) {
        errors.push(
          `model: unpinned — "resolve/${revision}/" names a branch or tag, which can change under the same URL; ` +
            'pin it to a commit hash: …/resolve/<commit>/',
        );
      }
      if (url.search || url.hash) errors.push('model: must not contain "?" or "#"');
    }
  }

  const integrity = checkIntegrity(r.integrity, errors);
  if (typeof r.model_lib === 'string' && r.model_lib !== '') {
    const url = parseHttpsUrl(r.model_lib);
    if (hasPlaceholder(r.model_lib)) {
      errors.push(`model_lib: "${r.model_lib}" still contains a placeholder (${placeholderOf(r.model_lib)}); replace it with the real value`);
    } else if (!url) errors.push(`model_lib: must be an https:// URL (got "${r.model_lib}")`);
    else if (!url.pathname.endsWith('.wasm')) {
      errors.push('model_lib: must be the URL of a compiled model library ending in .wasm');
    } else {
      const pin = r.model_lib.startsWith(PREBUILT_LIBS) ? ({ kind: 'pinned' } as const) : libPin(url);
      if (pin.kind === 'unpinned') {
        errors.push(
          `model_lib: unpinned — "${pin.ref}" names a branch or tag on ${url.hostname}, and the wasm is code that can ` +
            `change under the same URL; use a commit hash in its place (e.g. ${pin.example})`,
        );
      } else if (pin.kind === 'unknown' && integrity?.model_lib === undefined) {
        errors.push(
          `model_lib: on ${url.hostname} the URL alone does not pin the wasm (code that runs on the writer's GPU); ` +
            'add "integrity": {"model_lib": "sha256-…"} (its SRI hash) or host it at a commit-pinned URL',
        );
      }
    }
  }

  if (r.required_features !== undefined) {
    if (!Array.isArray(r.required_features) || r.required_features.some((f) => typeof f !== 'string')) {
      errors.push('required_features: must be a list of WebGPU feature names, e.g. ["shader-f16"]');
    } else {
      for (const f of r.required_features as string[]) {
        if (!KNOWN_WEBGPU_FEATURES.has(f)) errors.push(`required_features: "${f}" is not a WebGPU feature`);
      }
    }
  }
  if (typeof r.model_id === 'string' && quantizationOf(r.model_id) === 'q4f16_1') {
    const features = Array.isArray(r.required_features) ? (r.required_features as unknown[]) : [];
    if (!features.includes('shader-f16')) {
      warnings.push('required_features: a q4f16_1 model needs "shader-f16"; add it so GPUs without it get a clear error');
    }
  }

  if (r.overrides !== undefined) {
    if (typeof r.overrides !== 'object' || r.overrides === null || Array.isArray(r.overrides)) {
      errors.push('overrides: must be an object, e.g. {"context_window_size": 4096}');
    } else {
      const cws = (r.overrides as Record<string, unknown>).context_window_size;
      if (cws !== undefined && !(Number.isInteger(cws) && (cws as number) > 0)) {
        errors.push('overrides.context_window_size: must be a positive integer');
      }
    }
  }
  if (r.vram_required_MB !== undefined && !(typeof r.vram_required_MB === 'number' && r.vram_required_MB > 0)) {
    errors.push('vram_required_MB: must be a positive number (megabytes)');
  }
  if (r.low_resource_required !== undefined && typeof r.low_resource_required !== 'boolean') {
    errors.push('low_resource_required: must be true or false');
  }
  if (r.liuhen_prompt !== undefined) {
    const p = r.liuhen_prompt as Record<string, unknown> | null;
    const ok = typeof p === 'object' && p !== null && !Array.isArray(p) && (p.profile === 'full' || p.profile === 'compact') &&
      (p.fields === undefined || typeof p.fields === 'boolean') && Object.keys(p).every((k) => k === 'profile' || k === 'fields');
    if (!ok) errors.push('liuhen_prompt: must be {"profile": "full" | "compact", "fields": true | false} (written by liuhen_models convert)');
  }
  return { errors, warnings };
}

/** Family of a custom model: its id without the quantisation and `-MLC` suffixes. */
export function familyOf(modelId: string): string {
  return modelId.replace(/-MLC$/i, '').replace(/[-_](q4f16_1|q4f32_1|q0f16|q0f32)$/i, '');
}

function paramsFromId(modelId: string): number | undefined {
  const m = /(\d+(?:\.\d+)?)B(?![a-z])/i.exec(modelId);
  return m ? Number(m[1]) : undefined;
}

/**
 * Validates a parsed `model-records.json` (or the settings' list). Ids must be unique within the list and must
 * not clash with `taken` (the built-in and already-known ids). A record naming WebLLM's prebuilt wasm on `main` gets
 * it at the libraries commit of `pins` (default builtin-pins.json) when the build is pinned.
 */
export function parseCustomRecords(
  json: unknown,
  source: Exclude<ModelSource, 'built-in'>,
  taken: Iterable<string> = [],
  pins: PinsState = BUILTIN_PINS,
): CustomRecordsResult {
  const result: CustomRecordsResult = { entries: [], errors: [], warnings: [] };
  if (!Array.isArray(json)) {
    result.errors.push('the registry must be a JSON list of model records: [ { "model": …, "model_id": …, "model_lib": … } ]');
    return result;
  }
  const seen = new Set(taken);
  json.forEach((raw: unknown, index) => {
    const where = label(index, raw);
    const { errors, warnings } = checkRecord(raw);
    const id = (raw as { model_id?: unknown } | null)?.model_id;
    if (typeof id === 'string' && id !== '') {
      if (seen.has(id)) errors.push(`model_id: "${id}" is already used by another model; ids must be unique`);
      seen.add(id);
    }
    for (const w of warnings) result.warnings.push(`${where}: ${w}`);
    if (errors.length > 0) {
      for (const e of errors) result.errors.push(`${where}: ${e}`);
      return;
    }
    const record = { ...(raw as WebLlmModelRecord) };
    record.model_lib = pinPrebuiltLib(record.model_lib, pins);
    const family = familyOf(record.model_id);
    const e: ModelEntry = {
      record,
      family,
      displayName: family,
      quantization: quantizationOf(record.model_id),
      source,
    };
    const params = paramsFromId(record.model_id);
    if (params !== undefined) e.parametersB = params;
    result.entries.push(e);
  });
  return result;
}

/** A registry of the built-in models plus valid custom ones. */
export function withCustomModels(base: ModelRegistry, custom: readonly ModelEntry[]): ModelRegistry {
  return { entries: [...base.entries, ...custom], defaultFamily: base.defaultFamily };
}
