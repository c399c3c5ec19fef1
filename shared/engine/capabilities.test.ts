import { describe, expect, it } from 'vitest';
import { BUILTIN_REGISTRY, parseCustomRecords, withCustomModels } from './registry';
import { chooseModel, detectCapabilities, explainNoWebGpu, type GpuAdapterLike, type GpuLike } from './capabilities';

const GiB = 2 ** 30;

function fakeGpu(opts: {
  features?: string[];
  maxBufferSize?: number;
  maxStorageBufferBindingSize?: number;
  info?: GpuAdapterLike['info'];
  adapter?: 'none' | 'throws';
} = {}): GpuLike & { asked: unknown[] } {
  const asked: unknown[] = [];
  return {
    asked,
    requestAdapter: (options) => {
      asked.push(options);
      if (opts.adapter === 'none') return Promise.resolve(null);
      if (opts.adapter === 'throws') return Promise.reject(new Error('GPU process crashed'));
      const adapter: GpuAdapterLike = {
        features: new Set(opts.features ?? []),
        limits: {
          maxBufferSize: opts.maxBufferSize ?? 4 * GiB,
          maxStorageBufferBindingSize: opts.maxStorageBufferBindingSize ?? 2 * GiB,
          maxComputeWorkgroupStorageSize: 32768,
          maxStorageBuffersPerShaderStage: 10,
          maxComputeInvocationsPerWorkgroup: 1024,
        },
        info: opts.info ?? { vendor: 'nvidia', architecture: 'ampere', device: '', description: '' },
      };
      return Promise.resolve(adapter);
    },
  };
}

const swiftshader = { vendor: 'google', architecture: 'swiftshader', device: '', description: '', isFallbackAdapter: true };

describe('detectCapabilities', () => {
  it('reads features, limits and adapter info from a high-performance adapter', async () => {
    const gpu = fakeGpu({ features: ['shader-f16', 'subgroups'] });
    const caps = await detectCapabilities(gpu, true);
    expect(gpu.asked).toEqual([{ powerPreference: 'high-performance' }]);
    expect(caps).toMatchObject({ webgpu: true, adapter: true, shaderF16: true, isFallbackAdapter: false });
    expect(caps.features).toEqual(['shader-f16', 'subgroups']);
    expect(caps.limits?.maxBufferSize).toBe(4 * GiB);
    expect(caps.adapterInfo?.vendor).toBe('nvidia');
  });

  it('no navigator.gpu, no adapter, a throwing adapter request', async () => {
    expect(await detectCapabilities(undefined, true)).toMatchObject({ webgpu: false, adapter: false });
    expect(await detectCapabilities(fakeGpu({ adapter: 'none' }), true)).toMatchObject({ webgpu: true, adapter: false });
    const thrown = await detectCapabilities(fakeGpu({ adapter: 'throws' }), true);
    expect(thrown.adapterError).toContain('GPU process crashed');
  });

  it('recognises a software adapter', async () => {
    expect((await detectCapabilities(fakeGpu({ info: swiftshader }), true)).isFallbackAdapter).toBe(true);
  });
});

describe('chooseModel', () => {
  it('shader-f16 present: the default 1.5B model in its 16-bit version', async () => {
    const choice = chooseModel(await detectCapabilities(fakeGpu({ features: ['shader-f16'] }), true), BUILTIN_REGISTRY);
    if (!choice.ok) throw new Error('expected a model');
    expect(choice.entry.record.model_id).toBe('Qwen2.5-1.5B-Instruct-q4f16_1-MLC');
    expect(choice.explanation.en).toBe(
      'Your graphics card supports 16-bit shaders, so Liuhen uses the 16-bit version of Qwen2.5-1.5B (about 1.6 GB of GPU memory).',
    );
  });

  it('shader-f16 absent: the 32-bit version, explained', async () => {
    const choice = chooseModel(await detectCapabilities(fakeGpu(), true), BUILTIN_REGISTRY);
    if (!choice.ok) throw new Error('expected a model');
    expect(choice.entry.record.model_id).toBe('Qwen2.5-1.5B-Instruct-q4f32_1-MLC');
    expect(choice.reasons).toContain('no-shader-f16');
    expect(choice.explanation.en).toBe(
      'Your graphics card does not support 16-bit shaders, so Liuhen uses the 32-bit version of Qwen2.5-1.5B (about 1.9 GB of GPU memory).',
    );
    expect(choice.explanation['zh-CN']).toContain('不支持 16 位着色器');
    expect(choice.explanation['zh-CN']).toContain('32 位版本');
  });

  it('small buffers: the smallest model', async () => {
    const caps = await detectCapabilities(fakeGpu({ features: ['shader-f16'], maxBufferSize: 512 * 2 ** 20, maxStorageBufferBindingSize: 256 * 2 ** 20 }), true);
    const choice = chooseModel(caps, BUILTIN_REGISTRY);
    if (!choice.ok) throw new Error('expected a model');
    expect(choice.entry.record.model_id).toBe('Qwen2.5-0.5B-Instruct-q4f16_1-MLC');
    expect(choice.reasons).toContain('small-buffers');
    expect(choice.explanation.en).toContain('small GPU buffers (256 MB)');
  });

  it('below WebLLM minimums: refused with missing-feature', async () => {
    const caps = await detectCapabilities(fakeGpu({ maxBufferSize: 128 * 2 ** 20, maxStorageBufferBindingSize: 64 * 2 ** 20 }), true);
    expect(chooseModel(caps, BUILTIN_REGISTRY)).toMatchObject({ ok: false, code: 'missing-feature' });
  });

  it('software renderer (SwiftShader): smallest model, 32-bit, and says writing will be slow', async () => {
    const caps = await detectCapabilities(fakeGpu({ info: swiftshader, maxBufferSize: GiB, maxStorageBufferBindingSize: GiB }), true);
    const choice = chooseModel(caps, BUILTIN_REGISTRY);
    if (!choice.ok) throw new Error('expected a model');
    expect(choice.entry.record.model_id).toBe('Qwen2.5-0.5B-Instruct-q4f32_1-MLC');
    expect(choice.reasons).toEqual(['software-adapter', 'no-shader-f16']);
    expect(choice.explanation.en).toContain('software renderer (swiftshader)');
    expect(choice.explanation.en).toContain('does not support 16-bit shaders');
  });

  it('software renderer with a default model named by the company file (or settings): keeps that model, and still says it is a software renderer', async () => {
    const caps = await detectCapabilities(fakeGpu({ info: swiftshader, maxBufferSize: GiB, maxStorageBufferBindingSize: GiB }), true);
    const wanted = 'Qwen2.5-1.5B-Instruct-q4f32_1-MLC';
    const choice = chooseModel(caps, BUILTIN_REGISTRY, { modelId: wanted });
    if (!choice.ok) throw new Error('expected a model');
    expect(choice.entry.record.model_id).toBe(wanted);
    expect(choice.reasons).toContain('software-renderer');
    expect(choice.explanation.en).toContain('only a software renderer (swiftshader): writing with');
    expect(choice.explanation['zh-CN']).toContain('软件渲染器');
    // A preferred family too.
    const family = chooseModel(caps, BUILTIN_REGISTRY, { family: BUILTIN_REGISTRY.defaultFamily });
    expect(family.ok && family.explanation.en).toContain('software renderer');
  });

  it('low-power preference: smallest model', async () => {
    const caps = await detectCapabilities(fakeGpu({ features: ['shader-f16'] }), true);
    const choice = chooseModel(caps, BUILTIN_REGISTRY, { power: 'low-power' });
    expect(choice.ok && choice.entry.record.model_id).toBe('Qwen2.5-0.5B-Instruct-q4f16_1-MLC');
  });

  it('a preferred q4f16 model on a GPU without f16 falls back to its 32-bit sibling', async () => {
    const caps = await detectCapabilities(fakeGpu(), true);
    const choice = chooseModel(caps, BUILTIN_REGISTRY, { modelId: 'Qwen2.5-3B-Instruct-q4f16_1-MLC' });
    expect(choice.ok && choice.entry.record.model_id).toBe('Qwen2.5-3B-Instruct-q4f32_1-MLC');
    const honoured = chooseModel(await detectCapabilities(fakeGpu({ features: ['shader-f16'] }), true), BUILTIN_REGISTRY, {
      modelId: 'Qwen2.5-3B-Instruct-q4f16_1-MLC',
    });
    expect(honoured.ok && honoured.entry.record.model_id).toBe('Qwen2.5-3B-Instruct-q4f16_1-MLC');
  });

  it('a custom merged model can be preferred', async () => {
    const custom = parseCustomRecords(
      [
        {
          model: 'https://huggingface.co/acme/hr-qwen2.5-1.5B-q4f32_1-MLC/resolve/3f2a9c1/',
          model_id: 'Acme-HR-Qwen2.5-1.5B-q4f32_1-MLC',
          model_lib: 'https://raw.githubusercontent.com/mlc-ai/binary-mlc-llm-libs/main/web-llm-models/v0_2_86/base/Qwen2-1.5B-Instruct-q4f32_1_cs1k-webgpu.wasm',
          required_features: [],
          overrides: { context_window_size: 4096 },
          vram_required_MB: 1888.97,
          low_resource_required: true,
        },
      ],
      'registry-file',
    );
    const registry = withCustomModels(BUILTIN_REGISTRY, custom.entries);
    const choice = chooseModel(await detectCapabilities(fakeGpu(), true), registry, { modelId: 'Acme-HR-Qwen2.5-1.5B-q4f32_1-MLC' });
    expect(choice.ok && choice.entry.source).toBe('registry-file');
  });

  it('no WebGPU / no adapter: explained with what to do, in both languages', async () => {
    const none = chooseModel(await detectCapabilities(undefined, true), BUILTIN_REGISTRY);
    expect(none).toMatchObject({ ok: false, code: 'no-webgpu' });
    if (none.ok) throw new Error('unexpected');
    expect(none.explanation.en).toMatch(/WebView2/);
    expect(none.explanation.en).toMatch(/113/);
    expect(none.explanation.en).toMatch(/hardware acceleration/);
    expect(none.explanation.en).toMatch(/Safari 26 on macOS 26/);
    expect(none.explanation['zh-CN']).toMatch(/硬件加速/);
    const insecure = explainNoWebGpu(await detectCapabilities(undefined, false));
    expect(insecure.en).toContain('https');
    expect(chooseModel(await detectCapabilities(fakeGpu({ adapter: 'none' }), true), BUILTIN_REGISTRY)).toMatchObject({ ok: false, code: 'no-adapter' });
  });
});
