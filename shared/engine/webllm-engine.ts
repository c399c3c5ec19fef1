/**
 * The page side of the WebLLM engine: an {@link LlmEngine} that runs WebLLM in a dedicated Web Worker and talks
 * to it with the typed protocol of shared/engine/protocol.ts. This module does not import WebLLM; the worker
 * (webllm.worker.ts) does, and is started lazily on first use, so the page paints without it.
 *
 * Page-side duties: resolve model ids through the registry, refuse prompts that would not fit the context window
 * before sending, ask for persistent storage once, recreate a crashed worker, and reload the model on the next
 * request after the GPU device was lost.
 */
import type {
  CacheBackend,
  CacheQuery,
  DeviceLostEvent,
  EngineProtocol,
  GenerateParams,
  HelloReply,
  LoadReply,
  StorageReport,
} from './protocol';
import { RpcClient, type Endpoint } from '../protocol/rpc';
import { chooseCacheBackend, requestPersistentStorage } from './cache-backend';
import type { GpuCapabilities } from './capabilities';
import { EngineError } from './errors';
import { findModel, type ModelEntry, type ModelRegistry } from './model-record';
import type { GenerateChunk, GenerateRequest, LlmEngine, LoadOptions, LoadProgress } from './port';
import { estimateChatTokens } from './tokens';
import type { ChatMessage } from '../prompt/types';

/** A worker as the engine needs it (a real `Worker`, or a test double on a MessageChannel). */
export interface WorkerLike extends Endpoint {
  terminate(): void;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  addEventListener(type: 'error' | 'messageerror', listener: (event: Event) => void): void;
}

/** What the engine reports besides the calls' own results. */
export type EngineStatus =
  | { kind: 'device-lost'; event: DeviceLostEvent }
  | { kind: 'worker-crashed'; message: string }
  | { kind: 'reloading'; modelId: string; progress?: LoadProgress };

/** Options of {@link WebLlmEngine}. */
export interface WebLlmEngineOptions {
  /** Models that can be loaded (built-in + custom). */
  registry: ModelRegistry;
  /** Starts the worker (default: the bundled webllm.worker.ts as a module worker). */
  createWorker?: () => WorkerLike;
  /** Storage for downloaded models (default: {@link chooseCacheBackend}). */
  cacheBackend?: CacheBackend;
  /** Conservative prompt-token estimate (default: shared/engine/tokens). */
  estimateChatTokens?: (messages: readonly ChatMessage[]) => number;
  /** Device lost, worker crashed, automatic reload progress. */
  onStatus?: (status: EngineStatus) => void;
  /** Asks for persistent storage before the first load (default: `navigator.storage.persist()`, once). */
  requestPersistence?: () => Promise<boolean>;
  /** How long a Generate may wait for the engine (default {@link defaultWatchdog}). */
  watchdog?: Watchdog;
}

/**
 * How long to wait for the engine before giving up on a request, so that a runtime that never answers (a wedged
 * worker, a grammar set-up that never settles) cannot leave the writer at "Writing…". Limits adapt to the speeds
 * measured on this machine by earlier requests.
 */
export interface Watchdog {
  /** Milliseconds to wait for the first text of a request with this many (estimated) prompt tokens. */
  firstChunkMs(promptTokens: number, measured: MeasuredSpeed): number;
  /** Milliseconds to wait between two pieces of text (and for the end). */
  idleMs(measured: MeasuredSpeed): number;
}

/** Speeds seen in earlier requests on this engine (undefined before the first one finished). */
export interface MeasuredSpeed {
  prefillTokensPerSecond?: number;
  decodeTokensPerSecond?: number;
}

/**
 * The default limits: generous before anything was measured (a software renderer prefills ~0.4 tokens/s, and
 * ~0.15 on a busy 2-core machine, and decodes ~15–40 s a token), then 10× the measured prefill time plus two
 * minutes, 4× the measured decode step plus one.
 */
export const defaultWatchdog: Watchdog = {
  firstChunkMs: (tokens, m) => 120_000 + (10 * 1000 * tokens) / (m.prefillTokensPerSecond ?? 1),
  idleMs: (m) => 60_000 + (4 * 1000) / (m.decodeTokensPerSecond ?? 1 / 30),
};

/** The default worker: webpack 5 turns this `new Worker(new URL(…))` into a separate chunk. */
function defaultCreateWorker(): WorkerLike {
  return new Worker(new URL('./webllm.worker.ts', import.meta.url), { type: 'module', name: 'liuhen-engine' });
}

interface Current {
  entry: ModelEntry;
  contextWindow?: number;
}

/** {@link LlmEngine} backed by WebLLM in a Web Worker. */
export class WebLlmEngine implements LlmEngine {
  private worker: WorkerLike | undefined;
  private client: RpcClient<EngineProtocol> | undefined;
  private current: Current | undefined;
  /** Set after device loss or a worker crash: the next generate() reloads `current` first. */
  private needsReload = false;
  private persistence: Promise<boolean> | undefined;
  private readonly cacheBackend: CacheBackend;
  private readonly measured: MeasuredSpeed = {};

  constructor(private readonly options: WebLlmEngineOptions) {
    this.cacheBackend = options.cacheBackend ?? chooseCacheBackend();
  }

  /** Where models are stored. */
  get storageBackend(): CacheBackend {
    return this.cacheBackend;
  }

  /** The loaded model's entry, if any. */
  loadedModel(): ModelEntry | undefined {
    return this.current?.entry;
  }

  /** Starts the worker if needed and waits for its hello (diagnostics, benchmarks). */
  ready(): Promise<HelloReply> {
    return this.rpc().request('engine/hello', undefined);
  }

  /** Whether persistent storage was granted (asked once, before the first load). */
  persistentStorage(): Promise<boolean> {
    this.persistence ??= (this.options.requestPersistence ?? (() => requestPersistentStorage()))().catch(() => false);
    return this.persistence;
  }

  async load(modelId: string, onProgress?: (p: LoadProgress) => void, options: LoadOptions = {}): Promise<void> {
    const entry = this.entry(modelId);
    await this.persistentStorage();
    const request = { record: entry.record, cacheBackend: this.cacheBackend } as { record: ModelEntry['record']; cacheBackend: CacheBackend; expectedBytes?: number };
    if (entry.downloadBytes !== undefined) request.expectedBytes = entry.downloadBytes;
    this.current = undefined;
    const callOptions: { signal?: AbortSignal; onProgress?: (p: LoadProgress) => void } = {};
    if (options.signal) callOptions.signal = options.signal;
    if (onProgress) callOptions.onProgress = onProgress;
    const reply: LoadReply = await this.rpc().request('engine/load', request, callOptions);
    this.current = { entry };
    if (reply.contextWindow !== undefined) this.current.contextWindow = reply.contextWindow;
    this.needsReload = false;
  }

  contextWindow(): number | undefined {
    return this.current?.contextWindow;
  }

  generate(request: GenerateRequest): AsyncIterable<GenerateChunk> {
    return this.run(request);
  }

  private async *run(request: GenerateRequest): AsyncGenerator<GenerateChunk, void, void> {
    if (request.signal?.aborted) {
      yield { type: 'done', finishReason: 'abort', usage: { promptTokens: 0, completionTokens: 0 } };
      return;
    }
    const current = this.current;
    if (!current) throw new EngineError('not-loaded');
    const modelId = current.entry.record.model_id;
    // Refuse before sending: WebLLM would throw mid-request, after the writer waited for the prefill.
    const limit = current.contextWindow;
    const estimate = (this.options.estimateChatTokens ?? estimateChatTokens)(request.messages);
    if (limit !== undefined) {
      if (estimate + request.maxTokens > limit) {
        throw new EngineError('context-overflow', { estimatedTokens: estimate, maxTokens: request.maxTokens, contextWindow: limit, modelId });
      }
    }
    if (this.needsReload) {
      this.options.onStatus?.({ kind: 'reloading', modelId });
      try {
        await this.load(modelId, (progress) => this.options.onStatus?.({ kind: 'reloading', modelId, progress }), request.signal ? { signal: request.signal } : {});
      } catch (error) {
        this.current ??= current; // keep the model to reload next time
        this.needsReload = true;
        if (error instanceof EngineError && error.code === 'aborted') {
          yield { type: 'done', finishReason: 'abort', usage: { promptTokens: 0, completionTokens: 0 } };
          return;
        }
        throw error;
      }
    }
    const params: GenerateParams = {
      modelId,
      messages: request.messages.map((m) => ({ role: m.role, content: m.content })),
      maxTokens: request.maxTokens,
      temperature: request.temperature,
    };
    if (request.seed !== undefined) params.seed = request.seed;
    if (request.responseFormat) params.responseFormat = request.responseFormat;
    const client = this.rpc();
    const stream = client.stream('engine/generate', params, request.signal ? { signal: request.signal } : {});
    const watchdog = this.options.watchdog ?? defaultWatchdog;
    try {
      let step = await this.withinLimit(stream.next(), watchdog.firstChunkMs(estimate, this.measured), client);
      while (!step.done) {
        yield { type: 'text', text: step.value.text };
        step = await this.withinLimit(stream.next(), watchdog.idleMs(this.measured), client);
      }
      const usage = step.value.usage;
      if (usage.prefillTokensPerSecond) this.measured.prefillTokensPerSecond = usage.prefillTokensPerSecond;
      if (usage.decodeTokensPerSecond) this.measured.decodeTokensPerSecond = usage.decodeTokensPerSecond;
      yield { type: 'done', finishReason: step.value.finishReason, usage };
    } catch (error) {
      if (error instanceof EngineError && (error.code === 'device-lost' || error.code === 'not-loaded')) {
        // The worker lost the model: reload it on the next request.
        if (this.current?.entry.record.model_id === modelId) this.needsReload = true;
      }
      throw error;
    } finally {
      await stream.return(undefined as never);
    }
  }

  /**
   * Waits for `step` at most `ms`. When the engine does not answer in time the worker is assumed wedged: it is
   * stopped (a fresh one reloads the model on the next request) and the request fails with `no-response`.
   */
  private async withinLimit<T>(step: Promise<T>, ms: number, client: RpcClient<EngineProtocol>): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), ms);
    });
    try {
      const result = await Promise.race([step, timeout]);
      if (result !== 'timeout') return result;
    } finally {
      clearTimeout(timer);
    }
    step.catch(() => undefined);
    const error = new EngineError('no-response', { waitedSeconds: Math.round(ms / 1000) });
    if (this.client === client) {
      const worker = this.worker;
      this.client = undefined;
      this.worker = undefined;
      client.close(error);
      worker?.terminate();
      if (this.current) this.needsReload = true;
    }
    throw error;
  }

  async isCached(modelId: string): Promise<boolean> {
    return this.rpc().request('cache/has', this.query(modelId));
  }

  async deleteCached(modelId: string): Promise<void> {
    await this.rpc().request('cache/delete', this.query(modelId));
    if (this.current?.entry.record.model_id === modelId) this.current = undefined;
  }

  /** Storage usage/quota as the worker sees them. */
  storageEstimate(): Promise<StorageReport> {
    return this.rpc().request('storage/estimate', undefined);
  }

  /** WebGPU as seen inside the worker. */
  probeWorkerGpu(): Promise<GpuCapabilities> {
    return this.rpc().request('gpu/probe', undefined);
  }

  /** Frees the model's GPU memory. */
  async unload(): Promise<void> {
    if (this.client) await this.client.request('engine/unload', undefined);
    this.current = undefined;
  }

  /** Stops the worker; pending calls fail with `aborted`. */
  dispose(): void {
    this.client?.close(new EngineError('aborted'));
    this.worker?.terminate();
    this.client = undefined;
    this.worker = undefined;
    this.current = undefined;
  }

  private entry(modelId: string): ModelEntry {
    const entry = findModel(this.options.registry, modelId);
    if (!entry) throw new EngineError('model-not-found', { modelId });
    return entry;
  }

  private query(modelId: string): CacheQuery {
    return { record: this.entry(modelId).record, cacheBackend: this.cacheBackend };
  }

  private rpc(): RpcClient<EngineProtocol> {
    if (this.client) return this.client;
    const worker = (this.options.createWorker ?? defaultCreateWorker)();
    const client = new RpcClient<EngineProtocol>(worker, (wire) => EngineError.fromWire(wire));
    const crashed = (message: string): void => {
      if (this.client !== client) return;
      // The worker is gone (script failed to load, out of memory, uncaught error): start afresh next time.
      this.client = undefined;
      this.worker = undefined;
      worker.terminate();
      client.close(new EngineError('internal', { cause: `engine worker stopped: ${message}` }));
      if (this.current) this.needsReload = true;
      this.options.onStatus?.({ kind: 'worker-crashed', message });
    };
    worker.addEventListener('error', (event: Event) => {
      const e = event as ErrorEvent;
      event.preventDefault?.();
      crashed(e.message || 'the worker script could not be loaded');
    });
    worker.addEventListener('messageerror', () => crashed('a message could not be decoded'));
    client.on('engine/device-lost', (event) => {
      if (this.current) this.needsReload = true;
      this.options.onStatus?.({ kind: 'device-lost', event });
    });
    this.worker = worker;
    this.client = client;
    return client;
  }
}
