/**
 * Built-in models: Qwen2.5-Instruct 0.5B / 1.5B / 3B, each as q4f16_1 and q4f32_1. URLs, model libraries,
 * `vram_required_MB`, `low_resource_required` and `overrides` are copied from WebLLM's own `prebuiltAppConfig`
 * of the installed version (a test compares them, modulo the pinned revision), because WebLLM says that config is
 * "the only source of truth of which prebuilt model libraries are compatible with the current WebLLM npm version".
 * WebLLM does not set `required_features` on these records; Liuhen sets `shader-f16` on the q4f16_1 ones so
 * WebLLM fails fast with a clear error instead of compiling shaders the GPU cannot run.
 *
 * Pinning: with builtin-pins.json (written by `npm run pin:models` on a release machine) the weights load from
 * `…/resolve/<commit>/` and the wasm from `binary-mlc-llm-libs/<commit>/`. Without it (a checkout built offline)
 * they load from the `main` branches, as WebLLM's own config does, spelled `…/resolve/main/` so the audit trail
 * records the revision as `main`, and every entry says `pinned: false` (the model area shows it, and
 * `npm run build` warns).
 */
import type { ModelEntry, ModelRegistry, WebLlmModelRecord } from '../model-record';
import pinsJson from './builtin-pins.json';
import { MODEL_LIB_REPO, readBuiltinPins, type PinsState } from './pins';

/**
 * The installed @mlc-ai/web-llm version. THE one constant to change when upgrading WebLLM: the model library
 * (wasm) URLs below derive from it, and a test fails until it matches node_modules and WebLLM's `modelVersion`.
 */
export const WEBLLM_VERSION = '0.2.86';

/** WebLLM's `modelVersion` for {@link WEBLLM_VERSION}: the folder of compatible prebuilt model libraries. */
export const WEBLLM_MODEL_VERSION = `v${WEBLLM_VERSION.replaceAll('.', '_')}/base`;

/** {@link MODEL_LIB_REPO} at `ref` (a commit, or `main`): the base every model-library URL starts with. */
const libsAt = (ref: string): string => `https://raw.githubusercontent.com/${MODEL_LIB_REPO}/${ref}/`;

/** WebLLM's `modelLibURLPrefix` (the `main` branch): where unpinned built-ins load their wasm from. */
export const MODEL_LIB_URL_PREFIX = `${libsAt('main')}web-llm-models/`;

/** The family used when nothing else is asked for: good Chinese writing at ~1.6–1.9 GB of GPU memory. */
export const DEFAULT_FAMILY = 'Qwen2.5-1.5B-Instruct';

const CONTEXT_WINDOW = 4096;

/** The pins of builtin-pins.json, when they are for the installed WebLLM; otherwise why not. */
export const BUILTIN_PINS: PinsState = readBuiltinPins(pinsJson, WEBLLM_VERSION);

/** The built-in models' Hugging Face organisation. */
const HF_ORG = 'mlc-ai';

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

/** Where one built-in's files live, unpinned: what `npm run pin:models` resolves to commits. */
export interface BuiltinSource {
  modelId: string;
  /** Hugging Face repository of the weights, `mlc-ai/<model id>`. */
  weightsRepo: string;
  /** Path of the wasm inside {@link MODEL_LIB_REPO}: `web-llm-models/v0_2_86/base/<file>.wasm`. */
  libPath: string;
}

function source(spec: FamilySpec, quant: 'q4f16_1' | 'q4f32_1'): BuiltinSource {
  const modelId = `${spec.family}-${quant}-MLC`;
  return { modelId, weightsRepo: `${HF_ORG}/${modelId}`, libPath: `web-llm-models/${WEBLLM_MODEL_VERSION}/${spec.libBase}-${quant}_cs1k-webgpu.wasm` };
}

/** The six built-ins' repositories and wasm paths, smallest first. */
export const BUILTIN_SOURCES: readonly BuiltinSource[] = FAMILIES.flatMap((f) => [source(f, 'q4f16_1'), source(f, 'q4f32_1')]);

function entry(spec: FamilySpec, quant: 'q4f16_1' | 'q4f32_1', pins: PinsState): ModelEntry {
  const src = source(spec, quant);
  // Pinned only with both commits: weights and wasm must come from one known state.
  const weights = pins.kind === 'pinned' ? pins.pins.models.get(src.modelId) : undefined;
  const revisions = pins.kind === 'pinned' && weights?.repo === src.weightsRepo ? { weights: weights.revision, libs: pins.pins.libsCommit } : undefined;
  const record: WebLlmModelRecord = {
    model: `https://huggingface.co/${src.weightsRepo}/resolve/${revisions?.weights ?? 'main'}/`,
    model_id: src.modelId,
    model_lib: `${libsAt(revisions?.libs ?? 'main')}${src.libPath}`,
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
    pinned: revisions !== undefined,
  };
}

/**
 * A company record's model library that is one of WebLLM's prebuilt ones on `main` (what `liuhen_models convert`
 * writes for a merged Qwen2.5): the same wasm at the pinned libraries commit when the build is pinned, so such a
 * record is pinned exactly as far as the built-ins are; any other URL, or an unpinned build, unchanged.
 */
export function pinPrebuiltLib(url: string, pins: PinsState = BUILTIN_PINS): string {
  if (pins.kind !== 'pinned' || !url.startsWith(MODEL_LIB_URL_PREFIX)) return url;
  return libsAt(pins.pins.libsCommit) + url.slice(libsAt('main').length);
}

/** The built-in variants, smallest first, pinned as far as `pins` says (default: builtin-pins.json). */
export function builtinModels(pins: PinsState = BUILTIN_PINS): ModelEntry[] {
  return FAMILIES.flatMap((f) => [entry(f, 'q4f16_1', pins), entry(f, 'q4f32_1', pins)]);
}

/** The six built-in variants, smallest first. */
export const BUILTIN_MODELS: readonly ModelEntry[] = builtinModels();

/** The built-in registry. */
export const BUILTIN_REGISTRY: ModelRegistry = { entries: BUILTIN_MODELS, defaultFamily: DEFAULT_FAMILY };
