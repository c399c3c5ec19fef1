/**
 * The page <-> engine-worker protocol, declared once. The page side (shared/engine/webllm-engine.ts) and the
 * worker side (shared/engine/worker-server.ts) both import it type-only.
 *
 * Names are `area/verb`. Every request gets exactly one end: `reply` (one-shot), `done` (streams, after their
 * chunks) or `error` (an {@link EngineErrorData}). `engine/load` reports `progress`; `engine/generate` streams
 * `chunk`s. The client cancels with a `cancel` message (its AbortSignal fired).
 */
import type { GpuCapabilities } from './capabilities';
import type { WebLlmModelRecord } from './model-record';
import type { GenerationUsage, LoadProgress, ResponseFormat } from './port';
import type { ChatMessage } from '../prompt/types';
import type { ProtocolSpec } from '../protocol/rpc';

/**
 * Where WebLLM keeps downloaded models: the Cache API (`cache`) or IndexedDB (`indexeddb`). See
 * shared/engine/cache-backend.ts for why Liuhen uses `cache` by default.
 */
export type CacheBackend = 'cache' | 'indexeddb';

/** `engine/hello`: the worker is up. */
export interface HelloReply {
  /** The protocol tag the worker speaks. */
  protocol: string;
  /** `performance.now()` in the worker when it answered (its own time origin). */
  workerUptimeMs: number;
  /** The WebLLM version bundled into the worker. */
  webllmVersion: string;
}

/** `engine/load`: download if needed, then load onto the GPU. */
export interface LoadRequest {
  /** The record, validated on the page; the worker needs no registry. */
  record: WebLlmModelRecord;
  cacheBackend: CacheBackend;
  /** The registry's approximate download size, for progress until WebLLM reveals the real total. */
  expectedBytes?: number;
}

/** Reply to `engine/load`. */
export interface LoadReply {
  modelId: string;
  /** The model's context window in tokens, where known. */
  contextWindow?: number;
  /** Whether weights were downloaded (false: everything came from the browser cache). */
  downloaded: boolean;
  /** Wall time of the load in the worker. */
  loadMs: number;
}

/** `engine/generate`: one completion, streamed. */
export interface GenerateParams {
  /** Must be the loaded model (the page checks; the worker refuses otherwise with `not-loaded`). */
  modelId: string;
  messages: ChatMessage[];
  responseFormat?: ResponseFormat;
  maxTokens: number;
  temperature: number;
  seed?: number;
}

/** One chunk of `engine/generate`. */
export interface GenerateTextChunk {
  text: string;
}

/** The `done` of `engine/generate`. */
export interface GenerateDone {
  finishReason: 'stop' | 'length' | 'abort';
  usage: GenerationUsage;
}

/** `cache/has`, `cache/delete`: a model's files in the browser cache. */
export interface CacheQuery {
  record: WebLlmModelRecord;
  cacheBackend: CacheBackend;
}

/** `storage/estimate`: what the browser says about this site's storage. */
export interface StorageReport {
  usageBytes?: number;
  quotaBytes?: number;
  /** Whether storage is persistent (not evicted under pressure). */
  persisted?: boolean;
}

/** `engine/device-lost` event: the GPU device was lost outside any request (or during one). */
export interface DeviceLostEvent {
  /** GPUDeviceLostInfo.reason (`unknown` for a real loss). */
  reason: string;
  message: string;
  /** The model that was loaded; it must be reloaded before the next generation. */
  modelId?: string;
}

/** The protocol's type map. */
export interface EngineProtocol extends ProtocolSpec {
  requests: {
    /** Round trip that proves the worker started (and measures its start-up). */
    'engine/hello': [void, HelloReply];
    /** Loads a model; progress as `progress` messages; cancel aborts the download (files fetched stay cached). */
    'engine/load': [LoadRequest, LoadReply];
    /** Frees the GPU memory of the loaded model. */
    'engine/unload': [void, void];
    /** Streams a completion; cancel interrupts decoding and the stream ends with finishReason `abort`. */
    'engine/generate': [GenerateParams, GenerateDone];
    /** Whether a model's weights are in the browser cache. */
    'cache/has': [CacheQuery, boolean];
    /** Deletes a model's weights, wasm and config from the browser cache. */
    'cache/delete': [CacheQuery, void];
    /** Storage usage and quota as the worker sees them. */
    'storage/estimate': [void, StorageReport];
    /** WebGPU as seen from inside the worker (where WebLLM runs). */
    'gpu/probe': [void, GpuCapabilities];
  };
  chunks: {
    'engine/generate': GenerateTextChunk;
  };
  progress: {
    'engine/load': LoadProgress;
  };
  events: {
    'engine/device-lost': DeviceLostEvent;
  };
}

/** The names of the protocol's requests. */
export type EngineRequestName = keyof EngineProtocol['requests'];
