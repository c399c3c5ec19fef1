import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { modelLibURLPrefix, modelVersion, prebuiltAppConfig } from '@mlc-ai/web-llm';
import {
  BUILTIN_MODELS,
  BUILTIN_REGISTRY,
  DEFAULT_FAMILY,
  MODEL_LIB_URL_PREFIX,
  parseCustomRecords,
  WEBLLM_MODEL_VERSION,
  WEBLLM_VERSION,
} from './index';

const require = createRequire(import.meta.url);
const installed = JSON.parse(readFileSync(require.resolve('@mlc-ai/web-llm/package.json'), 'utf8')) as { version: string };

const LIB = `https://raw.githubusercontent.com/mlc-ai/binary-mlc-llm-libs/main/web-llm-models/${WEBLLM_MODEL_VERSION}/Qwen2-1.5B-Instruct-q4f32_1_cs1k-webgpu.wasm`;
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

  it("every built-in record equals WebLLM's prebuilt record (required_features aside)", () => {
    expect(BUILTIN_MODELS).toHaveLength(6);
    for (const entry of BUILTIN_MODELS) {
      const prebuilt = prebuiltAppConfig.model_list.find((r) => r.model_id === entry.record.model_id);
      expect(prebuilt, entry.record.model_id).toBeDefined();
      const { required_features, ...ours } = entry.record;
      const { required_features: _theirs, ...theirs } = prebuilt!;
      expect(ours).toEqual(theirs);
      expect(entry.record.model_lib.startsWith(`${modelLibURLPrefix}${modelVersion}/`)).toBe(true);
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
    [{ ...good, model: 'https://huggingface.co/acme/x' }, /\/<org>\/<repo>\/resolve\/<revision>\//],
    [{ ...good, model: 'https://huggingface.co/acme/x/tree/main/' }, /resolve\/<revision>/],
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

  it('warns where WebLLM would append resolve/main/ and where a q4f16 record lacks shader-f16', () => {
    const r = parseCustomRecords(
      [{ ...good, model: 'https://models.acme.cn/hr-writer', model_id: 'Acme-1.5B-q4f16_1-MLC', required_features: [] }],
      'settings',
      taken,
    );
    expect(r.errors).toEqual([]);
    expect(r.warnings.join('\n')).toContain('https://models.acme.cn/hr-writer/resolve/main/');
    expect(r.warnings.join('\n')).toContain('shader-f16');
  });

  it('the registry must be a list', () => {
    expect(parseCustomRecords({ model_list: [] }, 'registry-file').errors[0]).toMatch(/JSON list/);
  });
});
