import { describe, expect, it } from 'vitest';
import { chooseModel, type GpuCapabilities } from '../capabilities';
import golden from '../../../models/python/tests/golden/model-records.json';
import { BUILTIN_REGISTRY } from './builtin';
import { loadRegistryFile, readRegistryFile } from './file';

// What Chromium's SwiftShader adapter reports: WebGPU, but no shader-f16.
const NO_F16: GpuCapabilities = {
  webgpu: true,
  secureContext: true,
  adapter: true,
  shaderF16: false,
  features: [],
  limits: { maxBufferSize: 2 ** 30, maxStorageBufferBindingSize: 2 ** 30, maxComputeWorkgroupStorageSize: 32768, maxStorageBuffersPerShaderStage: 10 },
  isFallbackAdapter: false,
};

const respond = (status: number, body: string) => (): Promise<Response> => Promise.resolve(new Response(body, { status }));

describe('company registry file (model-records.json)', () => {
  it('adds the merged models the convert step wrote, beside the built-in ones', () => {
    const r = readRegistryFile(golden, 'model-records.json');
    expect(r.problems).toEqual([]);
    expect(r.added).toBe(2);
    expect(r.registry.entries.length).toBe(BUILTIN_REGISTRY.entries.length + 2);
  });

  it('a "default" makes the company model the preferred one, in the variant this GPU can run', () => {
    const r = readRegistryFile({ default: 'acme-exit-qwen2.5-1.5b-q4f16_1', models: golden }, 'model-records.json');
    expect(r.problems).toEqual([]);
    const choice = chooseModel(NO_F16, r.registry, r.preference);
    expect(choice.ok).toBe(true);
    if (choice.ok) expect(choice.entry.record.model_id).toBe('acme-exit-qwen2.5-1.5b-q4f32_1');
  });

  it('reports a broken record by file and field, keeps the valid ones and the built-in models', () => {
    const broken = { ...golden[0], model_id: 'acme-broken-q4f16_1', model: 'not a url' };
    const r = readRegistryFile([broken, golden[1]], 'model-records.json');
    expect(r.added).toBe(1);
    expect(r.problems.some((p) => p.startsWith('model-records.json:') && p.includes('model'))).toBe(true);
    expect(r.registry.entries.some((e) => e.record.model_id === 'acme-broken-q4f16_1')).toBe(false);
  });

  it('says so when the file has the wrong shape or an unknown default', () => {
    expect(readRegistryFile({ models: 'x' }, 'f.json').problems[0]).toMatch(/^f\.json: expected a list/);
    expect(readRegistryFile({ default: 'nope', models: [] }, 'f.json').problems[0]).toMatch(/default: "nope"/);
  });

  it('a missing file is the normal case; an unreadable one is explained and the built-in models stay', async () => {
    expect(await loadRegistryFile('./model-records.json', respond(404, ''))).toMatchObject({ problems: [], added: 0, registry: BUILTIN_REGISTRY });
    const bad = await loadRegistryFile('./model-records.json', respond(200, '{not json'));
    expect(bad.problems).toEqual(['./model-records.json: is not valid JSON']);
    expect(bad.registry).toBe(BUILTIN_REGISTRY);
    const down = await loadRegistryFile('./model-records.json', () => Promise.reject(new TypeError('Failed to fetch')));
    expect(down.problems[0]).toContain('Failed to fetch');
  });
});
