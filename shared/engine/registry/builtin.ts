/**
 * Built-in models: Qwen2.5-Instruct 0.5B / 1.5B / 3B, each as q4f16_1 and q4f32_1. URLs, model libraries,
 * `vram_required_MB`, `low_resource_required` and `overrides` are copied from WebLLM's own `prebuiltAppConfig`
 * of the installed version (a test compares them), because WebLLM says that config is "the only source of truth
 * of which prebuilt model libraries are compatible with the current WebLLM npm version".
 * WebLLM does not set `required_features` on these records; Liuhen sets `shader-f16` on the q4f16_1 ones so
 * WebLLM fails fast with a clear error instead of compiling shaders the GPU cannot run.
 */
import type { ModelEntry, ModelRegistry, WebLlmModelRecord } from '../model-record';

/**
 * The installed @mlc-ai/web-llm version. THE one constant to change when upgrading WebLLM: the model library
 * (wasm) URLs below derive from it, and a test fails until it matches node_modules and WebLLM's `modelVersion`.
 */
export const WEBLLM_VERSION = '0.2.86';

/** WebLLM's `modelVersion` for {@link WEBLLM_VERSION}: the folder of compatible prebuilt model libraries. */
export const WEBLLM_MODEL_VERSION = `v${WEBLLM_VERSION.replaceAll('.', '_')}/base`;

/** WebLLM's `modelLibURLPrefix`. */
export const MODEL_LIB_URL_PREFIX = 'https://raw.githubusercontent.com/mlc-ai/binary-mlc-llm-libs/main/web-llm-models/';

/** The family used when nothing else is asked for: good Chinese writing at ~1.6–1.9 GB of GPU memory. */
export const DEFAULT_FAMILY = 'Qwen2.5-1.5B-Instruct';

const CONTEXT_WINDOW = 4096;

function lib(file: string): string {
  return `${MODEL_LIB_URL_PREFIX}${WEBLLM_MODEL_VERSION}/${file}`;
}

/**
 * Approximate download size: parameters × bits per weight (q4f16_1: 4-bit weights + one f16 scale per 32 →
 * 4.5 bits; q4f32_1: one f32 scale per 32 → 5 bits) + ~12 MB of tokenizer and wasm.
 */
function approxBytes(parameters: number, quant: 'q4f16_1' | 'q4f32_1'): number {
  const bits = quant === 'q4f16_1' ? 4.5 : 5;
  return Math.round((parameters * bits) / 8 + 12 * 2 ** 20);
}

interface FamilySpec {
  family: string;
  displayName: string;
  parametersB: number;
  parameters: number;
  /** Base name of the wasm in binary-mlc-llm-libs (Qwen2.5 0.5B/1.5B reuse the Qwen2 libraries). */
  libBase: string;
  vram: { q4f16_1: number; q4f32_1: number };
}

const FAMILIES: FamilySpec[] = [
  {
    family: 'Qwen2.5-0.5B-Instruct',
    displayName: 'Qwen2.5-0.5B',
    parametersB: 0.5,
    parameters: 494_032_768,
    libBase: 'Qwen2-0.5B-Instruct',
    vram: { q4f16_1: 944.62, q4f32_1: 1060.2 },
  },
  {
    family: 'Qwen2.5-1.5B-Instruct',
    displayName: 'Qwen2.5-1.5B',
    parametersB: 1.5,
    parameters: 1_543_714_304,
    libBase: 'Qwen2-1.5B-Instruct',
    vram: { q4f16_1: 1629.75, q4f32_1: 1888.97 },
  },
  {
    family: 'Qwen2.5-3B-Instruct',
    displayName: 'Qwen2.5-3B',
    parametersB: 3,
    parameters: 3_085_938_688,
    libBase: 'Qwen2.5-3B-Instruct',
    vram: { q4f16_1: 2504.76, q4f32_1: 2893.64 },
  },
];

function entry(spec: FamilySpec, quant: 'q4f16_1' | 'q4f32_1'): ModelEntry {
  const record: WebLlmModelRecord = {
    model: `https://huggingface.co/mlc-ai/${spec.family}-${quant}-MLC`,
    model_id: `${spec.family}-${quant}-MLC`,
    model_lib: lib(`${spec.libBase}-${quant}_cs1k-webgpu.wasm`),
    low_resource_required: true,
    vram_required_MB: spec.vram[quant],
    overrides: { context_window_size: CONTEXT_WINDOW },
  };
  if (quant === 'q4f16_1') record.required_features = ['shader-f16'];
  return {
    record,
    family: spec.family,
    displayName: spec.displayName,
    parametersB: spec.parametersB,
    quantization: quant,
    downloadBytes: approxBytes(spec.parameters, quant),
    source: 'built-in',
  };
}

/** The six built-in variants, smallest first. */
export const BUILTIN_MODELS: readonly ModelEntry[] = FAMILIES.flatMap((f) => [entry(f, 'q4f16_1'), entry(f, 'q4f32_1')]);

/** The built-in registry. */
export const BUILTIN_REGISTRY: ModelRegistry = { entries: BUILTIN_MODELS, defaultFamily: DEFAULT_FAMILY };
