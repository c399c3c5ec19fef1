/**
 * What the writer's GPU can do, and which model variant Liuhen should therefore run. Runs on the page (no
 * WebLLM needed): `navigator.gpu`, one adapter request, its features and limits. WebGPU exposes no memory size,
 * so choice uses the signals it does expose — `shader-f16`, buffer limits, a software (fallback) adapter — and
 * the writer's power preference; WebLLM's `vram_required_MB` is only quoted to the writer.
 */
import type { GpuCapabilities } from '../protocol/gpu';
import { describeEngineError, type LocalizedText } from './errors';
import type { ModelEntry, ModelRegistry } from './model-record';

/** Minimal WebGPU shapes used here (structural, so tests can pass fakes). */
export interface GpuAdapterLike {
  readonly features: { has(name: string): boolean } & Iterable<string>;
  /** GPUSupportedLimits: numeric properties such as `maxBufferSize`. */
  readonly limits: object;
  readonly info?: GpuAdapterInfoLike;
  /** Older browsers put this on the adapter instead of its info. */
  readonly isFallbackAdapter?: boolean;
  /** Deprecated, for browsers without `info`. */
  requestAdapterInfo?(): Promise<GpuAdapterInfoLike>;
}
/** GPUAdapterInfo, where the browser exposes it. */
export interface GpuAdapterInfoLike {
  readonly vendor?: string;
  readonly architecture?: string;
  readonly device?: string;
  readonly description?: string;
  readonly isFallbackAdapter?: boolean;
}
/** `navigator.gpu`. */
export interface GpuLike {
  requestAdapter(options?: { powerPreference?: 'high-performance' | 'low-power' }): Promise<GpuAdapterLike | null>;
}

/** What was found (declared with the protocols that carry it, shared/protocol/gpu.ts). */
export type { GpuCapabilities };

const GiB = 2 ** 30;
const MiB = 2 ** 20;

/** Detects WebGPU and the high-performance adapter. Never throws. */
export async function detectCapabilities(
  gpu: GpuLike | undefined = (globalThis.navigator as { gpu?: GpuLike } | undefined)?.gpu,
  secureContext: boolean = (globalThis as { isSecureContext?: boolean }).isSecureContext ?? true,
): Promise<GpuCapabilities> {
  const caps: GpuCapabilities = {
    webgpu: gpu !== undefined && gpu !== null,
    secureContext,
    adapter: false,
    shaderF16: false,
    features: [],
    isFallbackAdapter: false,
  };
  if (!gpu) return caps;
  let adapter: GpuAdapterLike | null;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (error) {
    caps.adapterError = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return caps;
  }
  if (!adapter) return caps;
  caps.adapter = true;
  caps.features = [...adapter.features].sort();
  caps.shaderF16 = adapter.features.has('shader-f16');
  const l = adapter.limits as Record<string, number | undefined>;
  caps.limits = {
    maxBufferSize: l.maxBufferSize ?? 0,
    maxStorageBufferBindingSize: l.maxStorageBufferBindingSize ?? 0,
  };
  for (const key of ['maxComputeWorkgroupStorageSize', 'maxStorageBuffersPerShaderStage', 'maxComputeInvocationsPerWorkgroup'] as const) {
    const v = l[key];
    if (typeof v === 'number') caps.limits[key] = v;
  }
  let info: GpuAdapterInfoLike | undefined = adapter.info;
  if (!info && typeof adapter.requestAdapterInfo === 'function') {
    try {
      info = await adapter.requestAdapterInfo();
    } catch {
      info = undefined;
    }
  }
  if (info) {
    caps.adapterInfo = {
      vendor: info.vendor ?? '',
      architecture: info.architecture ?? '',
      device: info.device ?? '',
      description: info.description ?? '',
    };
  }
  caps.isFallbackAdapter =
    info?.isFallbackAdapter === true ||
    adapter.isFallbackAdapter === true ||
    /swiftshader|llvmpipe|software|basic render/i.test(`${info?.architecture ?? ''} ${info?.description ?? ''}`);
  return caps;
}

/** What the writer or admin asked for. */
export interface ModelPreference {
  /** A specific model (from settings); honoured when this GPU can run it, else its closest variant. */
  modelId?: string;
  /** A family to use instead of the registry's default. */
  family?: string;
  /** `low-power`: on battery or a weak GPU, use the smallest model. */
  power?: 'default' | 'low-power';
}

/** Why a variant was chosen. */
export type ChoiceReason =
  | 'default'
  | 'preferred'
  | 'preferred-not-found'
  | 'shader-f16'
  | 'no-shader-f16'
  | 'small-buffers'
  | 'software-adapter'
  /** A software renderer, but the model was not switched for it (set by the settings or the company file, or already the smallest). */
  | 'software-renderer'
  | 'low-power';

/** The result of {@link chooseModel}. */
export type ModelChoice =
  | { ok: true; entry: ModelEntry; reasons: ChoiceReason[]; explanation: LocalizedText }
  | { ok: false; code: 'no-webgpu' | 'no-adapter' | 'missing-feature'; feature?: string; explanation: LocalizedText };

/** WebLLM's hard minimums (its detectGPUDevice refuses devices below these). */
const HARD_MINIMUMS: { key: keyof NonNullable<GpuCapabilities['limits']>; min: number }[] = [
  { key: 'maxBufferSize', min: 256 * MiB },
  { key: 'maxStorageBufferBindingSize', min: 128 * MiB },
  { key: 'maxComputeWorkgroupStorageSize', min: 32 * 1024 },
  { key: 'maxStorageBuffersPerShaderStage', min: 10 },
];

/**
 * Below this, WebLLM falls back to 128 MB storage bindings / 256 MB buffers: a phone-class or old integrated
 * GPU, where only the smallest model is realistic.
 */
const COMFORTABLE_BUFFER = 1 * GiB;

function gb(entry: ModelEntry): string | undefined {
  const mbytes = entry.record.vram_required_MB;
  return mbytes === undefined ? undefined : (mbytes / 1000).toFixed(1);
}

function smallestFamily(registry: ModelRegistry): string | undefined {
  const builtIn = registry.entries.filter((e) => e.source === 'built-in' && e.parametersB !== undefined);
  const sorted = [...builtIn].sort((a, b) => (a.parametersB ?? 0) - (b.parametersB ?? 0));
  return sorted[0]?.family;
}

function variantsOf(registry: ModelRegistry, family: string): ModelEntry[] {
  return registry.entries.filter((e) => e.family === family);
}

function runnable(entry: ModelEntry, caps: GpuCapabilities): boolean {
  const needs = entry.record.required_features ?? [];
  const needsF16 = needs.includes('shader-f16') || entry.quantization === 'q4f16_1' || entry.quantization === 'q0f16';
  if (needsF16 && !caps.shaderF16) return false;
  if (!needs.every((f) => caps.features.includes(f))) return false;
  const bind = entry.record.buffer_size_required_bytes;
  if (bind !== undefined && caps.limits && caps.limits.maxStorageBufferBindingSize < bind) return false;
  return true;
}

/** Prefers q4f16_1 where the GPU has shader-f16 (less memory, faster), else q4f32_1. */
function pickVariant(variants: ModelEntry[], caps: GpuCapabilities): ModelEntry | undefined {
  const ok = variants.filter((v) => runnable(v, caps));
  const rank = (e: ModelEntry): number => ({ q4f16_1: 0, q4f32_1: 1, q0f16: 2, q0f32: 3, unknown: 4 })[e.quantization];
  return ok.sort((a, b) => rank(a) - rank(b))[0];
}

/** The explanation shown when WebGPU is missing or unusable. */
export function explainNoWebGpu(caps: GpuCapabilities): LocalizedText {
  const base = describeEngineError(caps.webgpu ? 'no-adapter' : 'no-webgpu');
  if (!caps.webgpu && !caps.secureContext) {
    return {
      en: `${base.en} (This page is not served over https, and browsers only offer WebGPU to secure pages.)`,
      'zh-CN': `${base['zh-CN']}（此页面不是通过 https 打开的，浏览器只向安全页面提供 WebGPU。）`,
    };
  }
  if (caps.adapterError) {
    return { en: `${base.en} (${caps.adapterError})`, 'zh-CN': `${base['zh-CN']}（${caps.adapterError}）` };
  }
  return base;
}

function sentenceFor(reasons: ChoiceReason[], entry: ModelEntry, caps: GpuCapabilities): LocalizedText {
  const name = entry.displayName;
  const mem = gb(entry);
  const memEn = mem ? ` (about ${mem} GB of GPU memory)` : '';
  const memZh = mem ? `（约占 ${mem} GB 显存）` : '';
  const en: string[] = [];
  const zh: string[] = [];
  const sized = reasons.includes('software-adapter') || reasons.includes('small-buffers') || reasons.includes('low-power');
  if (reasons.includes('preferred-not-found')) {
    en.push('The model set in the settings is not in the model list, so Liuhen uses its default model.');
    zh.push('设置中指定的模型不在模型列表中，因此留痕使用默认模型。');
  }
  if (reasons.includes('software-adapter')) {
    const arch = caps.adapterInfo?.architecture ? ` (${caps.adapterInfo.architecture})` : '';
    en.push(
      `The browser has no hardware graphics card to use, only a software renderer${arch}, so Liuhen uses the ` +
        `smallest model, ${name}; writing will be slow.`,
    );
    zh.push(`浏览器没有可用的硬件显卡，只有软件渲染器${arch}，因此留痕使用最小的模型 ${name}，生成速度会很慢。`);
  } else if (reasons.includes('small-buffers')) {
    const limit = caps.limits ? Math.round(Math.min(caps.limits.maxBufferSize, caps.limits.maxStorageBufferBindingSize) / MiB) : 0;
    en.push(`Your graphics card only allows small GPU buffers (${limit} MB), so Liuhen uses the smaller model ${name}.`);
    zh.push(`您的显卡只支持较小的 GPU 缓冲区（${limit} MB），因此留痕使用较小的模型 ${name}。`);
  } else if (reasons.includes('low-power')) {
    en.push(`You asked to save power, so Liuhen uses the smaller model ${name}.`);
    zh.push(`您选择了节能模式，因此留痕使用较小的模型 ${name}。`);
  }
  if (reasons.includes('software-renderer')) {
    const arch = caps.adapterInfo?.architecture ? ` (${caps.adapterInfo.architecture})` : '';
    en.push(`The browser has no hardware graphics card to use, only a software renderer${arch}: writing with ${name} will be slow.`);
    zh.push(`浏览器没有可用的硬件显卡，只有软件渲染器${arch}：使用 ${name} 生成会很慢。`);
  }
  const subjectEn = sized ? 'its' : 'the';
  const ofEn = sized ? '' : ` of ${name}`;
  const ofZh = sized ? '其' : ` ${name} 的`;
  if (reasons.includes('no-shader-f16')) {
    en.push(`Your graphics card does not support 16-bit shaders, so Liuhen uses ${subjectEn} 32-bit version${ofEn}${memEn}.`);
    zh.push(`您的显卡不支持 16 位着色器（shader-f16），因此留痕使用${ofZh} 32 位版本${memZh}。`);
  } else if (entry.quantization === 'q4f16_1') {
    en.push(`Your graphics card supports 16-bit shaders, so Liuhen uses ${subjectEn} 16-bit version${ofEn}${memEn}.`);
    zh.push(`您的显卡支持 16 位着色器，因此留痕使用${ofZh} 16 位版本${memZh}。`);
  } else {
    en.push(`Liuhen uses ${name}${memEn}.`);
    zh.push(`留痕使用 ${name}${memZh}。`);
  }
  return { en: en.join(' '), 'zh-CN': zh.join('') };
}

/**
 * Picks the model variant that will run on this GPU and explains the choice in the writer's words.
 * - q4f32_1 where `shader-f16` is missing (SwiftShader, Electron on Windows, some NVIDIA/Linux), else q4f16_1;
 * - the smallest model on a software adapter, small buffer limits (< 1 GB), or a low-power preference, unless
 *   a specific model was asked for;
 * - a specific model asked for is honoured when the GPU can run it, else its runnable sibling variant.
 */
export function chooseModel(caps: GpuCapabilities, registry: ModelRegistry, preference: ModelPreference = {}): ModelChoice {
  if (!caps.webgpu) return { ok: false, code: 'no-webgpu', explanation: explainNoWebGpu(caps) };
  if (!caps.adapter) return { ok: false, code: 'no-adapter', explanation: explainNoWebGpu(caps) };
  for (const { key, min } of HARD_MINIMUMS) {
    const v = caps.limits?.[key];
    if (v !== undefined && v < min) {
      return { ok: false, code: 'missing-feature', feature: key, explanation: describeEngineError('missing-feature', { feature: `${key} ≥ ${min}` }) };
    }
  }

  const reasons: ChoiceReason[] = [];
  let family = preference.family ?? registry.defaultFamily;
  let explicit = preference.family !== undefined;
  if (preference.modelId !== undefined) {
    const wanted = registry.entries.find((e) => e.record.model_id === preference.modelId);
    if (wanted) {
      family = wanted.family;
      explicit = true;
      if (runnable(wanted, caps)) {
        reasons.push('preferred');
        if (caps.isFallbackAdapter) reasons.push('software-renderer');
        if (!caps.shaderF16 && wanted.quantization !== 'q4f16_1') reasons.push('no-shader-f16');
        return { ok: true, entry: wanted, reasons, explanation: sentenceFor(reasons, wanted, caps) };
      }
    } else {
      reasons.push('preferred-not-found');
      family = registry.defaultFamily;
    }
  }

  if (!explicit) {
    const limits = caps.limits;
    const small = limits !== undefined && Math.min(limits.maxBufferSize, limits.maxStorageBufferBindingSize) < COMFORTABLE_BUFFER;
    const sizeReason: ChoiceReason | undefined = caps.isFallbackAdapter
      ? 'software-adapter'
      : small
        ? 'small-buffers'
        : preference.power === 'low-power'
          ? 'low-power'
          : undefined;
    const smallest = smallestFamily(registry);
    if (sizeReason && smallest && smallest !== family) {
      family = smallest;
      reasons.push(sizeReason);
    } else if (reasons.length === 0) {
      reasons.push('default');
    }
  } else if (!reasons.includes('preferred')) {
    reasons.push('preferred');
  }

  let entry = pickVariant(variantsOf(registry, family), caps);
  if (!entry && family !== registry.defaultFamily) entry = pickVariant(variantsOf(registry, registry.defaultFamily), caps);
  if (!entry) {
    return {
      ok: false,
      code: 'missing-feature',
      feature: 'shader-f16',
      explanation: describeEngineError('missing-feature', { feature: 'shader-f16' }),
    };
  }
  // Said whatever chose the model (settings, the company's default, or the smallest already): it explains the speed.
  if (caps.isFallbackAdapter && !reasons.includes('software-adapter')) reasons.push('software-renderer');
  reasons.push(caps.shaderF16 ? 'shader-f16' : 'no-shader-f16');
  return { ok: true, entry, reasons, explanation: sentenceFor(reasons, entry, caps) };
}
