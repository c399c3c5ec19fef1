/**
 * Model records as Liuhen uses them. A {@link WebLlmModelRecord} is exactly what goes into WebLLM's
 * `AppConfig.model_list` (declared here, structurally, so the page never imports WebLLM); a {@link ModelEntry}
 * adds what the UI and model choice need. The registry data lives in shared/engine/registry.
 */
import { servedModelId, type CompanyServer } from './server';

/** The WebLLM `ModelRecord` fields Liuhen uses (a structural subset of WebLLM's type). */
export interface WebLlmModelRecord {
  /** Base URL of the converted weights, `/resolve/<rev>/` layout (WebLLM appends `resolve/main/` otherwise). */
  model: string;
  /** Unique id, e.g. `Qwen2.5-1.5B-Instruct-q4f16_1-MLC`. */
  model_id: string;
  /** URL of the compiled model library (.wasm); its version must match the installed WebLLM. */
  model_lib: string;
  /** WebGPU features the model needs (q4f16 models need `shader-f16`). */
  required_features?: string[];
  /** Overrides of mlc-chat-config.json, e.g. `context_window_size`. */
  overrides?: {
    context_window_size?: number;
    sliding_window_size?: number;
    attention_sink_size?: number;
    prefill_chunk_size?: number;
    [key: string]: unknown;
  };
  /** WebLLM's label of the GPU memory needed; informative only. */
  vram_required_MB?: number;
  /** WebLLM's label: can run on limited devices. */
  low_resource_required?: boolean;
  /** Required `maxStorageBufferBindingSize`, where WebLLM states one. */
  buffer_size_required_bytes?: number;
  /**
   * WebLLM's `ModelIntegrity`: SRI hashes (`sha256-…`) of mlc-chat-config.json, the wasm and tokenizer files,
   * verified by WebLLM after download. Passed through unchanged from a custom record.
   */
  integrity?: { config?: string; model_lib?: string; tokenizer?: Record<string, string>; onFailure?: 'error' | 'warn' };
  /**
   * Liuhen's own key (WebLLM ignores it): the prompt profile the model was fine-tuned with, written by
   * `liuhen_models convert` from the training run. `compact`: the short system prompt; `fields: false`: trained
   * on records without the structured-fields block. Absent: the full prompt, with fields (base models).
   */
  liuhen_prompt?: { profile: 'full' | 'compact'; fields?: boolean };
}

/** Weight quantisation: q4f16_1 needs `shader-f16`; q4f32_1 runs everywhere at ~15% more memory. */
export type Quantization = 'q4f16_1' | 'q4f32_1' | 'q0f16' | 'q0f32' | 'unknown';

/** Where a model entry comes from (`company-server`: it runs on the deployment's inference server, not here). */
export type ModelSource = 'built-in' | 'registry-file' | 'settings' | 'company-server';

/** One model variant Liuhen can load. */
export interface ModelEntry {
  /** The record handed to WebLLM unchanged. */
  record: WebLlmModelRecord;
  /** Variants of the same model share a family (e.g. `Qwen2.5-1.5B-Instruct`). */
  family: string;
  /** Short name for people (e.g. `Qwen2.5-1.5B`). */
  displayName: string;
  /** Billions of parameters, where known; used to order models by size. */
  parametersB?: number;
  quantization: Quantization;
  /** Approximate download size in bytes (weights + tokenizer + wasm). */
  downloadBytes?: number;
  source: ModelSource;
  /**
   * Built-ins: whether weights and wasm load from commits (builtin-pins.json) rather than from `main`, which can
   * change under the same URL. Unset for custom records (custom.ts checks their pins).
   */
  pinned?: boolean;
  /** Set when the model runs on the company's inference server (then `record` only names it). */
  server?: CompanyServer;
}

/** The models Liuhen knows, and which family to use by default. */
export interface ModelRegistry {
  entries: readonly ModelEntry[];
  /** Family chosen when nothing else is asked for. */
  defaultFamily: string;
  /**
   * The company inference server the deployment declares (model-records.json `server`). When set, models run
   * there (OpenAiCompatibleEngine) instead of on this computer.
   */
  server?: CompanyServer;
}

/**
 * The entry for the model a company server serves: `record.model` is the server's base URL and `model_id` the
 * served name (the LoRA adapter when there is one); nothing is downloaded, so there is no `model_lib`.
 */
export function serverEntry(server: CompanyServer): ModelEntry {
  const id = servedModelId(server);
  const record: WebLlmModelRecord = { model: server.baseUrl, model_id: id, model_lib: '' };
  if (server.liuhenPrompt) record.liuhen_prompt = server.liuhenPrompt;
  return { record, family: id, displayName: server.displayName ?? id, quantization: 'unknown', source: 'company-server', server };
}

/** The entry with this model id, if any. */
export function findModel(registry: ModelRegistry, modelId: string): ModelEntry | undefined {
  return registry.entries.find((e) => e.record.model_id === modelId);
}

/** Guesses the quantisation from a model id or wasm name. */
export function quantizationOf(idOrLib: string): Quantization {
  const m = /(q4f16_1|q4f32_1|q0f16|q0f32)/.exec(idOrLib);
  return (m?.[1] as Quantization | undefined) ?? 'unknown';
}

/** The context window a record declares through its overrides, if any. */
export function declaredContextWindow(record: WebLlmModelRecord): number | undefined {
  const v = record.overrides?.context_window_size;
  return typeof v === 'number' && v > 0 ? v : undefined;
}

/**
 * The prompt profile a record declares (see `liuhen_prompt`), as shared/prompt takes it; the full prompt with
 * fields when it declares none. The pipeline must be given this for the model it runs, or a fine-tune gets a
 * prompt it was not trained on.
 */
export function promptProfileOf(record: WebLlmModelRecord): { style: 'full' | 'compact'; fields: boolean } {
  const p = record.liuhen_prompt;
  return p ? { style: p.profile, fields: p.fields !== false } : { style: 'full', fields: true };
}
