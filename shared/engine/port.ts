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

/** Download / load progress of a model, for the UI's progress bar. */
export interface LoadProgress {
  /** 0..1 */
  fraction: number;
  /** Bytes fetched so far and in total, where known. */
  loadedBytes?: number;
  totalBytes?: number;
  /** Estimated seconds left, where it can be estimated. */
  secondsLeft?: number;
  /** Human-readable stage text from the engine (e.g. "Fetching param cache[3/20]"). */
  text: string;
}

/** What a finished generation cost, as reported by the engine. */
export interface GenerationUsage {
  promptTokens: number;
  completionTokens: number;
  /** Milliseconds from the request to the first streamed token. */
  timeToFirstTokenMs?: number;
  prefillTokensPerSecond?: number;
  decodeTokensPerSecond?: number;
}

/** One generation request. */
export interface GenerateRequest {
  messages: ChatMessage[];
  /** Output contract for constrained decoding (from shared/output). */
  responseFormat?: ResponseFormat;
  maxTokens: number;
  temperature: number;
  seed?: number;
  /** Aborting stops the generation; the stream then ends with `finishReason: 'abort'`. */
  signal?: AbortSignal;
}

/** One item of a generation stream: text chunks, then exactly one `done`. */
export type GenerateChunk =
  | { type: 'text'; text: string }
  | { type: 'done'; finishReason: 'stop' | 'length' | 'abort'; usage: GenerationUsage };

/** A model run on the writer's machine. */
export interface LlmEngine {
  /** Loads (downloading first if needed) a model; resolves once it can generate. */
  load(modelId: string, onProgress?: (p: LoadProgress) => void): Promise<void>;
  /** The model's context window in tokens, once loaded. */
  contextWindow(): number | undefined;
  /** Streams a completion for the messages; throws a typed EngineError for failures other than abort. */
  generate(request: GenerateRequest): AsyncIterable<GenerateChunk>;
  /** Whether the model's weights are already in the browser's cache (no download needed). */
  isCached(modelId: string): Promise<boolean>;
  /** Deletes a model's cached weights. */
  deleteCached(modelId: string): Promise<void>;
}
