/**
 * The LlmEngine port: everything the pipeline and the UI need from a language model, whatever runs it
 * (WebLLM in a worker, or a test double in tests). Implementations live in shared/engine (WebLLM) and in test
 * code (doubles); nothing outside them knows which one it talks to.
 */
import type { ChatMessage } from '../prompt/types';

/**
 * Constrained decoding, in the shapes WebLLM's `response_format` accepts: an EBNF grammar (xgrammar) for the
 * whole output, or a JSON schema (as a string) for a JSON-only output.
 */
export type ResponseFormat = { type: 'grammar'; grammar: string } | { type: 'json_object'; schema: string };

/**
 * Stage of a model load: `starting` (config, wasm), `downloading` (weights, first time only), `loading` (weights
 * from the browser cache onto the GPU), `compiling` (GPU shaders), `ready`.
 */
export type LoadPhase = 'starting' | 'downloading' | 'loading' | 'compiling' | 'ready';

/** Download / load progress of a model, for the UI's progress bar. */
export interface LoadProgress {
  /** 0..1 over the whole load; never decreases during one load. */
  fraction: number;
  /** Current stage, so a UI can word it in the writer's language. */
  phase: LoadPhase;
  /** Bytes fetched (or loaded from the cache) so far in the current stage, where known. */
  loadedBytes?: number;
  /** Total bytes of the model's weights, where known (from WebLLM's reports, else the registry's estimate). */
  totalBytes?: number;
  /** Estimated seconds left in the current stage (the download dominates a first load), from measured throughput. */
  secondsLeft?: number;
  /** Human-readable stage text from the engine (e.g. "Fetching param cache[3/20]"). */
  text: string;
}

/** What a finished generation cost, as reported by the engine. */
export interface GenerationUsage {
  /** Tokens of the prompt as the model's tokenizer counted them (0 when nothing ran). */
  promptTokens: number;
  /** Tokens generated. */
  completionTokens: number;
  /** Milliseconds from the request reaching the engine to the first streamed token (queueing + prefill). */
  timeToFirstTokenMs?: number;
  /** Prompt processing speed reported by WebLLM (`usage.extra.prefill_tokens_per_s`). */
  prefillTokensPerSecond?: number;
  /** Generation speed reported by WebLLM (`usage.extra.decode_tokens_per_s`). */
  decodeTokensPerSecond?: number;
}

/** One generation request. */
export interface GenerateRequest {
  /** The chat, built by shared/prompt (the only place prompts are built). */
  messages: ChatMessage[];
  /** Output contract for constrained decoding (from shared/output). */
  responseFormat?: ResponseFormat;
  /** Upper bound on generated tokens; also reserved out of the context window when checking the prompt. */
  maxTokens: number;
  /** Sampling temperature (0 = greedy). */
  temperature: number;
  /** Sampling seed, for reproducible output. */
  seed?: number;
  /** Aborting stops the generation; the stream then ends with `finishReason: 'abort'`. */
  signal?: AbortSignal;
}

/** One item of a generation stream: text chunks, then exactly one `done`. */
export type GenerateChunk =
  | { type: 'text'; text: string }
  | { type: 'done'; finishReason: 'stop' | 'length' | 'abort'; usage: GenerationUsage };

/** Options of {@link LlmEngine.load}. */
export interface LoadOptions {
  /** Aborting stops the download/load; `load` then rejects with an EngineError `aborted`. Downloaded files stay. */
  signal?: AbortSignal;
}

/**
 * A model run on the writer's machine (WebLLM) or on a company server (OpenAiCompatibleEngine).
 *
 * Failures are EngineErrors (shared/engine/errors) with a `code`: `no-webgpu`, `no-adapter`, `missing-feature`,
 * `device-lost`, `context-overflow`, `network`, `quota`, `not-loaded`, `model-not-found`, `aborted`, `grammar-rejected`, `no-response`, `unauthorized`,
 * `rate-limited`, `internal`.
 */
export interface LlmEngine {
  /**
   * Loads (downloading first if needed) a model; resolves once it can generate. Calling it again after a failed
   * or interrupted load retries: files already in the browser cache are not downloaded again.
   */
  load(modelId: string, onProgress?: (p: LoadProgress) => void, options?: LoadOptions): Promise<void>;
  /** The model's context window in tokens, once loaded. */
  contextWindow(): number | undefined;
  /**
   * Streams a completion for the messages; throws a typed EngineError for failures other than abort. A prompt
   * that would not fit the context window (conservative estimate + `maxTokens`) fails with `context-overflow`
   * before anything is sent to the model. After `device-lost`, the next call reloads the model first.
   */
  generate(request: GenerateRequest): AsyncIterable<GenerateChunk>;
  /** Whether the model's weights are already in the browser's cache (no download needed). */
  isCached(modelId: string): Promise<boolean>;
  /** Deletes a model's cached weights. */
  deleteCached(modelId: string): Promise<void>;
  /**
   * How many generations this engine serves well at once. Absent (WebLLM: one sequence per model on one GPU)
   * means 1; a company server batches continuously, so a batch keeps this many rows in flight.
   */
  readonly concurrency?: number;
}
