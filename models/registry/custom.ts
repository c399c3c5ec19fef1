/**
 * Custom models: a company's merged LoRA model, added through a registry file (`model-records.json`, a JSON list
 * written by the model tooling) or through settings. Each entry has exactly the WebLLM ModelRecord fields
 * `model`, `model_id`, `model_lib`, `required_features`, `overrides`, `vram_required_MB`,
 * `low_resource_required` (the first three required). Validation explains every problem in words an admin can
 * act on; nothing invalid reaches WebLLM.
 */
import {
  quantizationOf,
  type ModelEntry,
  type ModelRegistry,
  type ModelSource,
  type WebLlmModelRecord,
} from '../../shared/engine/model-record';

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
    if (!url) {
      errors.push(`model: must be an https:// URL (got "${r.model}"); browsers block other schemes for downloads`);
    } else {
      const path = url.pathname.endsWith('/') ? url.pathname : `${url.pathname}/`;
      if (HF_STYLE_HOSTS.test(url.hostname)) {
        if (!/^\/[^/]+\/[^/]+\/resolve\/[^/]+\/$/.test(path)) {
          errors.push(
            `model: on ${url.hostname} use the layout https://${url.hostname}/<org>/<repo>/resolve/<revision>/ ` +
              '(pin the revision, e.g. a commit hash, so every writer gets the same weights)',
          );
        }
      } else if (!/\/resolve\/[^/]+\//.test(path)) {
        warnings.push(
          `model: WebLLM will download from ${url.origin}${path}resolve/main/ — publish the files there, or ` +
            'give the full URL ending in /resolve/<revision>/',
        );
      }
      if (url.search || url.hash) errors.push('model: must not contain "?" or "#"');
    }
  }

  if (typeof r.model_lib === 'string' && r.model_lib !== '') {
    const url = parseHttpsUrl(r.model_lib);
    if (!url) errors.push(`model_lib: must be an https:// URL (got "${r.model_lib}")`);
    else if (!url.pathname.endsWith('.wasm')) {
      errors.push('model_lib: must be the URL of a compiled model library ending in .wasm');
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
 * not clash with `taken` (the built-in and already-known ids).
 */
export function parseCustomRecords(
  json: unknown,
  source: Exclude<ModelSource, 'built-in'>,
  taken: Iterable<string> = [],
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
