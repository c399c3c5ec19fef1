import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { modelLibURLPrefix, modelVersion, prebuiltAppConfig } from '@mlc-ai/web-llm';
import { modelBaseUrl } from '../worker-server';
import {
  BUILTIN_MODELS,
  BUILTIN_REGISTRY,
  BUILTIN_SOURCES,
  builtinModels,
  DEFAULT_FAMILY,
  MODEL_LIB_URL_PREFIX,
  parseCustomRecords,
  readBuiltinPins,
  WEBLLM_MODEL_VERSION,
  WEBLLM_VERSION,
} from './index';

const require = createRequire(import.meta.url);
const installed = JSON.parse(readFileSync(require.resolve('@mlc-ai/web-llm/package.json'), 'utf8')) as { version: string };

// Synthetic commit hashes (test data: these records are only validated, never downloaded).
const LIB_COMMIT = 'c0ffee0000000000000000000000000000000001';
const LIB = `https://raw.githubusercontent.com/mlc-ai/binary-mlc-llm-libs/${LIB_COMMIT}/web-llm-models/${WEBLLM_MODEL_VERSION}/Qwen2-1.5B-Instruct-q4f32_1_cs1k-webgpu.wasm`;
const SHA = `sha256-${Buffer.alloc(32, 7).toString('base64')}`;
const good = {
  model: 'https://huggingface.co/acme/hr-writer-1.5B-q4f32_1-MLC/resolve/3f2a9c1/',
  model_id: 'Acme-HR-Writer-1.5B-q4f32_1-MLC',
  model_lib: LIB,
  required_features: [],
  overrides: { context_window_size: 4096 },
  vram_required_MB: 1888.97,
  low_resource_required: true,
};

describe('pinned WebLLM version', () => {
  it('matches the installed package and its modelVersion', () => {
    expect(WEBLLM_VERSION).toBe(installed.version);
    expect(WEBLLM_MODEL_VERSION).toBe(modelVersion);
    expect(MODEL_LIB_URL_PREFIX).toBe(modelLibURLPrefix);
  });

  // Synthetic commits (test data, never downloaded): the records must equal WebLLM's pinned or not.
  const SYNTHETIC_PINS = readBuiltinPins(
    {
      webllm_version: WEBLLM_VERSION,
      libs: { repo: 'mlc-ai/binary-mlc-llm-libs', commit: 'c0ffee'.padEnd(40, '1') },
      models: Object.fromEntries(BUILTIN_SOURCES.map((s, i) => [s.modelId, { repo: s.weightsRepo, revision: `${i}`.padEnd(40, 'a') }])),
    },
    WEBLLM_VERSION,
  );

  /** A record with its revisions put back to `main`, the model URL as WebLLM's cleanModelUrl spells it. */
  const atMain = (r: { model: string; model_lib: string }): { model: string; model_lib: string } => ({
    model: modelBaseUrl(r.model).replace(/\/resolve\/[^/]+\/$/, '/resolve/main/'),
    model_lib: r.model_lib.replace(/\/binary-mlc-llm-libs\/[0-9a-f]{40}\//, '/binary-mlc-llm-libs/main/'),
  });

  it.each([
    ['as built (builtin-pins.json)', BUILTIN_MODELS],
    ['pinned to commits', builtinModels(SYNTHETIC_PINS)],
  ])("every built-in record equals WebLLM's prebuilt record, modulo the pinned revision (required_features aside): %s", (_, models) => {
    expect(models).toHaveLength(6);
    for (const entry of models) {
      const prebuilt = prebuiltAppConfig.model_list.find((r) => r.model_id === entry.record.model_id);
      expect(prebuilt, entry.record.model_id).toBeDefined();
      const { required_features, ...ours } = entry.record;
      const { required_features: _theirs, ...theirs } = prebuilt!;
      expect({ ...ours, ...atMain(ours) }).toEqual({ ...theirs, model: modelBaseUrl(theirs.model) });
      expect(atMain(ours).model_lib.startsWith(`${modelLibURLPrefix}${modelVersion}/`)).toBe(true);
      expect(required_features).toEqual(entry.quantization === 'q4f16_1' ? ['shader-f16'] : undefined);
      expect(entry.downloadBytes).toBeGreaterThan(200 * 2 ** 20);
    }
  });

  it('defaults to Qwen2.5-1.5B-Instruct and has 0.5B/1.5B/3B in both quantisations', () => {
    expect(BUILTIN_REGISTRY.defaultFamily).toBe(DEFAULT_FAMILY);
    expect(BUILTIN_MODELS.map((e) => e.record.model_id)).toEqual([
      'Qwen2.5-0.5B-Instruct-q4f16_1-MLC',
      'Qwen2.5-0.5B-Instruct-q4f32_1-MLC',
      'Qwen2.5-1.5B-Instruct-q4f16_1-MLC',
      'Qwen2.5-1.5B-Instruct-q4f32_1-MLC',
      'Qwen2.5-3B-Instruct-q4f16_1-MLC',
      'Qwen2.5-3B-Instruct-q4f32_1-MLC',
    ]);
  });
});

describe('custom model records', () => {
  const taken = BUILTIN_MODELS.map((e) => e.record.model_id);

  it('accepts a model-records.json entry from the model tooling', () => {
    const r = parseCustomRecords([good], 'registry-file', taken);
    expect(r.errors).toEqual([]);
    expect(r.entries[0]).toMatchObject({ family: 'Acme-HR-Writer-1.5B', quantization: 'q4f32_1', parametersB: 1.5, source: 'registry-file' });
    expect(r.entries[0]?.record).toEqual(good);
  });

  it.each([
    [{ ...good, model: 'http://huggingface.co/acme/x/resolve/main/' }, /model: must be an https:\/\/ URL/],
    [{ ...good, model: 'https://huggingface.co/acme/x' }, /\/<org>\/<repo>\/resolve\/<commit>\//],
    [{ ...good, model: 'https://huggingface.co/acme/x/tree/main/' }, /resolve\/<commit>/],
    [{ ...good, model_lib: 'https://example.com/lib.js' }, /model_lib: must be the URL of a compiled model library ending in \.wasm/],
    [{ ...good, model_lib: 'ftp://example.com/lib.wasm' }, /model_lib: must be an https:\/\/ URL/],
    [{ ...good, required_features: ['shader-f32'] }, /"shader-f32" is not a WebGPU feature/],
    [{ ...good, required_features: 'shader-f16' }, /required_features: must be a list/],
    [{ ...good, overrides: { context_window_size: -1 } }, /context_window_size: must be a positive integer/],
    [{ ...good, vram_required_MB: '2GB' }, /vram_required_MB: must be a positive number/],
    [{ ...good, low_resource_required: 'yes' }, /low_resource_required: must be true or false/],
    [{ ...good, model_type: 1 }, /unknown field "model_type"/],
    [{ model: good.model, model_lib: LIB }, /model_id: required/],
    [{ ...good, model_id: 'Qwen2.5-1.5B-Instruct-q4f32_1-MLC' }, /already used by another model/],
  ])('rejects %j', (raw, message) => {
    const r = parseCustomRecords([raw], 'settings', taken);
    expect(r.entries).toEqual([]);
    expect(r.errors.join('\n')).toMatch(message);
    expect(r.errors[0]).toMatch(/^entry 1/);
  });

  it('ids must be unique within the file too; other entries stay usable', () => {
    const r = parseCustomRecords([good, good, { ...good, model_id: 'Other-1.5B-q4f32_1-MLC' }], 'registry-file', taken);
    expect(r.entries.map((e) => e.record.model_id)).toEqual([good.model_id, 'Other-1.5B-q4f32_1-MLC']);
    expect(r.errors).toEqual([`entry 2 ("${good.model_id}"): model_id: "${good.model_id}" is already used by another model; ids must be unique`]);
  });

  it('warns where a q4f16 record lacks shader-f16', () => {
    const r = parseCustomRecords([{ ...good, model_id: 'Acme-1.5B-q4f16_1-MLC', required_features: [] }], 'settings', taken);
    expect(r.errors).toEqual([]);
    expect(r.warnings.join('\n')).toContain('shader-f16');
  });

  it.each([
    [{ ...good, model: 'https://models.acme.cn/hr-writer' }, /model: unpinned — WebLLM would download from https:\/\/models\.acme\.cn\/hr-writer\/resolve\/main\//],
    [{ ...good, model: 'https://huggingface.co/acme/x/resolve/main/' }, /model: unpinned — "resolve\/main\/" names a branch or tag/],
    [{ ...good, model: 'https://models.acme.cn/x/resolve/v3/' }, /resolve\/v3\/" names a branch or tag/],
    [{ ...good, model: 'https://huggingface.co/acme/x/resolve/<commit>/' }, /model: .* still contains a placeholder \(<commit>\)/],
    [{ ...good, model: 'https://models.acme.cn/{folder}/resolve/3f2a9c1/' }, /placeholder \(\{folder\}\)/],
    [{ ...good, model_lib: 'https://raw.githubusercontent.com/acme/libs/main/qwen2.wasm' }, /model_lib: unpinned — "main" names a branch or tag on raw\.githubusercontent\.com/],
    [{ ...good, model_lib: LIB.replace(LIB_COMMIT, 'refs/heads/main') }, /model_lib: unpinned — "refs\/heads\/main"/],
    [{ ...good, model_lib: LIB.replace(LIB_COMMIT, 'main').replace('v0_2_86/base', 'v0_2_80') }, /model_lib: unpinned — "main"/],
    [{ ...good, model_lib: 'https://github.com/acme/libs/raw/v1/x.wasm' }, /model_lib: unpinned — "v1"/],
    [{ ...good, model_lib: 'https://huggingface.co/acme/libs/resolve/main/x.wasm' }, /model_lib: unpinned — "main"/],
    [{ ...good, model_lib: 'https://models.acme.cn/libs/qwen2.wasm' }, /model_lib: on models\.acme\.cn the URL alone does not pin the wasm .*add "integrity"/],
    [{ ...good, model_lib: 'https://models.acme.cn/<commit>/qwen2.wasm' }, /model_lib: .* still contains a placeholder/],
    [{ ...good, integrity: { model_lib: 'md5-abc' } }, /integrity\.model_lib: must be an SRI hash/],
    [{ ...good, integrity: { config: SHA, onFailure: 'warn' } }, /integrity\.onFailure: only "error"/],
    [{ ...good, integrity: { tokenizer: { 'tokenizer.json': 'nope' } } }, /integrity\.tokenizer: must map file names to SRI hashes/],
    [{ ...good, integrity: { weights: SHA } }, /integrity: unknown field "weights"/],
    [{ ...good, integrity: 'sha256-x' }, /integrity: must be an object of SRI hashes/],
  ])('refuses unpinned or placeholder URLs and bad integrity: %j', (raw, message) => {
    const r = parseCustomRecords([raw], 'registry-file', taken);
    expect(r.entries).toEqual([]);
    expect(r.errors.join('\n')).toMatch(message);
  });

  it("passes WebLLM's integrity field through unchanged, and it pins a wasm on the company's own host", () => {
    const integrity = { config: SHA, model_lib: SHA, tokenizer: { 'tokenizer.json': SHA }, onFailure: 'error' };
    const record = { ...good, model: 'https://models.acme.cn/hr/resolve/3f2a9c1d/', model_lib: 'https://models.acme.cn/libs/qwen2.wasm', integrity };
    const r = parseCustomRecords([record], 'registry-file', taken);
    expect(r.errors).toEqual([]);
    expect(r.entries[0]?.record.integrity).toEqual(integrity);
    expect(r.entries[0]?.record).toEqual(record);
  });

  it('the registry must be a list', () => {
    expect(parseCustomRecords({ model_list: [] }, 'registry-file').errors[0]).toMatch(/JSON list/);
  });
});
