/**
 * The worker side of the engine protocol: owns a WebLLM `MLCEngine` and answers {@link EngineProtocol}
 * requests. WebLLM itself is injected ({@link WebLlmModule}) so this file never imports it: the worker entry
 * (webllm.worker.ts) passes the real module, tests pass a double.
 *
 * Why Liuhen's own protocol around `MLCEngine` instead of WebLLM's `CreateWebWorkerMLCEngine` (page) +
 * `WebWorkerMLCEngineHandler` (worker), although the issue names those:
 * 1. The page-side client, `WebWorkerMLCEngine`, lives in WebLLM's single 6.8 MB `lib/index.js` (no
 *    `sideEffects: false`); importing it on the page puts all of WebLLM into the page's first-load JS (measured:
 *    see scripts/bench-engine.ts and the report), and the add-in task pane must paint without it.
 * 2. The handler sends failures as `err.toString()` strings, so `QuotaExceededError`, `DeviceLostError`,
 *    `ContextWindowSizeExceededError` and fetch failures arrive as prose; here errors are mapped where the real
 *    objects exist and cross as typed data with a code.
 * 3. Liuhen needs messages the handler has no kind for anyway (cache queries and deletes, storage estimate,
 *    GPU probe in the worker, device-lost events, load progress with bytes and ETA), so one typed protocol
 *    carries everything instead of two protocols on one worker.
 * What the handler adds — `reloadIfUnmatched` for service workers killed by the browser — does not apply to a
 * dedicated worker owned by the page; the page side recreates a crashed worker and reloads the model itself.
 */
import { defaultErrorToWire, PROTOCOL_TAG, RpcServer, type Endpoint } from '../protocol/rpc';
import type {
  CacheBackend,
  CacheQuery,
  EngineProtocol,
  GenerateDone,
  GenerateParams,
  LoadReply,
  LoadRequest,
  StorageReport,
} from './protocol';
import { detectCapabilities, type GpuLike } from './capabilities';
import { EngineError } from './errors';
import { HttpStatusError, toEngineError } from './error-mapping';
import type { DeviceLostInfo } from './gpu-watch';
import { declaredContextWindow, type WebLlmModelRecord } from './model-record';
import type { GenerationUsage } from './port';
import { LoadProgressTracker, type InitProgressLike } from './progress';
import { grammarPortabilityProblems } from '../output/portable';

/** WebLLM's AppConfig, as far as Liuhen fills it. */
export interface AppConfigLike {
  model_list: WebLlmModelRecord[];
  cacheBackend?: CacheBackend;
}

/** One streamed chunk of `chat.completions.create({ stream: true })`. */
export interface ChatCompletionChunkLike {
  choices: { delta?: { content?: string | null }; finish_reason?: string | null }[];
  usage?: {
    prompt_tokens?: number;
    completion_tokens?: number;
    extra?: {
      prefill_tokens_per_s?: number;
      decode_tokens_per_s?: number;
      time_to_first_token_s?: number;
      e2e_latency_s?: number;
    };
  } | null;
}

/** The streaming chat request Liuhen sends. */
export interface ChatCompletionRequestLike {
  messages: { role: 'system' | 'user' | 'assistant'; content: string }[];
  stream: true;
  stream_options: { include_usage: true };
  max_tokens: number;
  temperature: number;
  seed?: number;
  response_format?: { type: 'grammar'; grammar: string } | { type: 'json_object'; schema: string };
}

/** The slice of WebLLM's `MLCEngine` used here. */
export interface MlcEngineLike {
  reload(modelId: string): Promise<void>;
  unload(): Promise<void>;
  interruptGenerate(): void;
  chat: { completions: { create(request: ChatCompletionRequestLike): Promise<AsyncIterable<ChatCompletionChunkLike>> } };
}

/** The slice of `@mlc-ai/web-llm` used here. */
export interface WebLlmModule {
  /** Creates an engine (real: `new MLCEngine({ appConfig, initProgressCallback })`). */
  createEngine(config: { appConfig: AppConfigLike; initProgressCallback: (report: InitProgressLike) => void }): MlcEngineLike;
  hasModelInCache(modelId: string, appConfig: AppConfigLike): Promise<boolean>;
  deleteModelAllInfoInCache(modelId: string, appConfig: AppConfigLike): Promise<void>;
  /** The bundled WebLLM version. */
  version: string;
}

/** Everything the worker core depends on besides the channel. */
export interface WorkerDeps {
  webllm: WebLlmModule;
  /** Subscribes to GPU device loss (real: {@link watchGpuDeviceLoss}). */
  watchDeviceLoss?: (onLost: (info: DeviceLostInfo) => void) => void;
  /** Probes a URL after a network-like failure to say what failed (default: `fetch`, 5 s timeout). */
  probeUrl?: (url: string) => Promise<void>;
  /** Storage manager of the worker (default `navigator.storage`). */
  storage?: { estimate?: () => Promise<{ usage?: number; quota?: number }>; persisted?: () => Promise<boolean> };
  /** WebGPU of the worker (default `navigator.gpu`). */
  gpu?: GpuLike;
  /** Clock in ms (default `performance.now`). */
  now?: () => number;
  /** A download that reports nothing for this long is abandoned as a network failure (default 90 s). */
  stallTimeoutMs?: number;
  /** Waiting this long for a lost device's engine to unload is enough (default 3 s). */
  unloadTimeoutMs?: number;
}

async function defaultProbe(url: string): Promise<void> {
  const res = await fetch(url, { method: 'GET', cache: 'no-store', signal: AbortSignal.timeout(5_000) });
  // Only the status matters; do not download a shard to learn it.
  void res.body?.cancel().catch(() => undefined);
  if (!res.ok) throw new HttpStatusError(url, res.status);
}

function appConfigOf(record: WebLlmModelRecord, cacheBackend: CacheBackend): AppConfigLike {
  return { model_list: [record], cacheBackend };
}

/** WebLLM's own base-URL rule: `…/resolve/main/` is appended unless the URL has a `/resolve/<rev>/` part. */
export function modelBaseUrl(model: string): string {
  let url = model.endsWith('/') ? model : `${model}/`;
  if (!/.+\/resolve\/.+\//.test(url)) url += 'resolve/main/';
  return url;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      () => {
        clearTimeout(timer);
        resolve(undefined);
      },
    );
  });
}

/** A FIFO lock: WebLLM runs one generation at a time, and `interruptGenerate()` hits whichever is running. */
class Lock {
  private tail: Promise<void> = Promise.resolve();
  acquire(): Promise<() => void> {
    let release!: () => void;
    const next = new Promise<void>((resolve) => {
      release = resolve;
    });
    const ready = this.tail.then(() => release);
    this.tail = this.tail.then(() => next);
    return ready;
  }
}

interface Loaded {
  record: WebLlmModelRecord;
  cacheBackend: CacheBackend;
  contextWindow?: number;
}

/** The engine worker's state machine, independent of the channel (exposed for tests). */
export class EngineWorkerCore {
  private engine: MlcEngineLike | undefined;
  private loaded: Loaded | undefined;
  private deviceLost: DeviceLostInfo | undefined;
  private lostListeners = new Set<(info: DeviceLostInfo) => void>();
  private readonly generationLock = new Lock();
  private readonly loadLock = new Lock();
  private readonly now: () => number;

  constructor(
    private readonly deps: WorkerDeps,
    private readonly onDeviceLostEvent: (info: DeviceLostInfo, modelId: string | undefined) => void = () => undefined,
  ) {
    this.now = deps.now ?? (() => performance.now());
    deps.watchDeviceLoss?.((info) => this.handleDeviceLost(info));
  }

  private handleDeviceLost(info: DeviceLostInfo): void {
    const modelId = this.loaded?.record.model_id;
    this.deviceLost = info;
    // The device and every buffer on it are gone: forget the engine so the next load starts from scratch.
    const engine = this.engine;
    this.engine = undefined;
    this.loaded = undefined;
    if (engine) void withTimeout(engine.unload(), this.deps.unloadTimeoutMs ?? 3_000);
    for (const l of [...this.lostListeners]) l(info);
    this.onDeviceLostEvent(info, modelId);
  }

  /** Loads a model, discarding any previous engine; see {@link EngineProtocol} `engine/load`. */
  async load(
    request: LoadRequest,
    onProgress: (p: ReturnType<LoadProgressTracker['update']>) => void,
    signal: AbortSignal,
  ): Promise<LoadReply> {
    const release = await this.loadLock.acquire();
    const started = this.now();
    const { record, cacheBackend } = request;
    const tracker = new LoadProgressTracker(this.now, request.expectedBytes);
    let downloaded = false;
    let lastReportAt = this.now();
    let phase = 'starting';
    let stalled = false;
    let lost: DeviceLostInfo | undefined;
    const onLost = (info: DeviceLostInfo): void => {
      lost = info;
    };
    this.lostListeners.add(onLost);
    const engineRef: { current?: MlcEngineLike } = {};
    const stallMs = this.deps.stallTimeoutMs ?? 90_000;
    const stallTimer = setInterval(() => {
      if ((phase === 'starting' || phase === 'downloading') && this.now() - lastReportAt > stallMs) {
        stalled = true;
        void engineRef.current?.unload().catch(() => undefined);
      }
    }, Math.min(1_000, stallMs));
    const onAbort = (): void => {
      void engineRef.current?.unload().catch(() => undefined);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      if (signal.aborted) throw new EngineError('aborted', { modelId: record.model_id });
      // A fresh engine per load: a failed, interrupted or device-lost load leaves nothing behind.
      await this.disposeEngine();
      this.deviceLost = undefined;
      const engine = this.deps.webllm.createEngine({
        appConfig: appConfigOf(record, cacheBackend),
        initProgressCallback: (report) => {
          lastReportAt = this.now();
          const p = tracker.update(report);
          phase = p.phase;
          if (p.phase === 'downloading') downloaded = true;
          onProgress(p);
        },
      });
      engineRef.current = engine;
      this.engine = engine;
      await engine.reload(record.model_id);
      // WebLLM's reload() returns quietly when unload() aborted it: decide why ourselves.
      if (stalled) throw new EngineError('network', { modelId: record.model_id, url: record.model, cause: 'download stalled' });
      if (signal.aborted) throw new EngineError('aborted', { modelId: record.model_id });
      if (lost || this.deviceLost) throw new EngineError('device-lost', { modelId: record.model_id });
      this.loaded = { record, cacheBackend };
      const cw = declaredContextWindow(record);
      if (cw !== undefined) this.loaded.contextWindow = cw;
      else {
        const internal = (engine as unknown as { loadedModelIdToChatConfig?: Map<string, { context_window_size?: number }> })
          .loadedModelIdToChatConfig?.get(record.model_id)?.context_window_size;
        if (typeof internal === 'number' && internal > 0) this.loaded.contextWindow = internal;
      }
      const reply: LoadReply = { modelId: record.model_id, downloaded, loadMs: Math.round(this.now() - started) };
      if (this.loaded.contextWindow !== undefined) reply.contextWindow = this.loaded.contextWindow;
      return reply;
    } catch (error) {
      const engine = this.engine;
      this.engine = undefined;
      this.loaded = undefined;
      if (engine) await withTimeout(engine.unload(), this.deps.unloadTimeoutMs ?? 3_000);
      if (stalled) throw new EngineError('network', { modelId: record.model_id, url: record.model, cause: 'download stalled' });
      if (signal.aborted) throw new EngineError('aborted', { modelId: record.model_id });
      const mapped = toEngineError(error, {
        modelId: record.model_id,
        url: record.model,
        deviceLost: lost !== undefined || this.deviceLost !== undefined,
      });
      if (mapped.code === 'network') throw await this.explainNetworkFailure(mapped, record);
      if (mapped.code === 'quota') throw await this.withStorage(mapped);
      throw mapped;
    } finally {
      clearInterval(stallTimer);
      signal.removeEventListener('abort', onAbort);
      this.lostListeners.delete(onLost);
      release();
    }
  }

  /** Finds which URL failed and how (unreachable, or an HTTP status), for a message that says what to fix. */
  private async explainNetworkFailure(error: EngineError, record: WebLlmModelRecord): Promise<EngineError> {
    const probe = this.deps.probeUrl ?? defaultProbe;
    const candidates = [`${modelBaseUrl(record.model)}mlc-chat-config.json`, record.model_lib];
    for (const url of candidates) {
      try {
        await probe(url);
      } catch (probeError) {
        if (probeError instanceof HttpStatusError) {
          return new EngineError('network', { ...error.detail, url, status: probeError.status });
        }
        return new EngineError('network', { ...error.detail, url });
      }
    }
    return error;
  }

  private async withStorage(error: EngineError): Promise<EngineError> {
    const s = await this.storageEstimate();
    if (s.usageBytes === undefined || s.quotaBytes === undefined) return error;
    return new EngineError('quota', { ...error.detail, usageBytes: s.usageBytes, quotaBytes: s.quotaBytes });
  }

  private async disposeEngine(): Promise<void> {
    const engine = this.engine;
    this.engine = undefined;
    this.loaded = undefined;
    if (engine) await withTimeout(engine.unload(), this.deps.unloadTimeoutMs ?? 3_000);
  }

  /** Unloads the model. */
  async unload(): Promise<void> {
    await this.disposeEngine();
  }

  /** Streams one generation; see {@link EngineProtocol} `engine/generate`. */
  async generate(params: GenerateParams, onText: (text: string) => void, signal: AbortSignal): Promise<GenerateDone> {
    const zeroUsage: GenerationUsage = { promptTokens: 0, completionTokens: 0 };
    const release = await this.generationLock.acquire();
    try {
      if (signal.aborted) return { finishReason: 'abort', usage: zeroUsage };
      if (this.deviceLost) throw new EngineError('device-lost', { modelId: params.modelId, cause: this.deviceLost.message });
      const engine = this.engine;
      if (!engine || !this.loaded || this.loaded.record.model_id !== params.modelId) {
        throw new EngineError('not-loaded', { modelId: params.modelId });
      }
      return await this.runGeneration(engine, params, onText, signal);
    } finally {
      release();
    }
  }

  private async runGeneration(
    engine: MlcEngineLike,
    params: GenerateParams,
    onText: (text: string) => void,
    signal: AbortSignal,
  ): Promise<GenerateDone> {
    const started = this.now();
    let firstTokenAt: number | undefined;
    let aborted = false;
    let finish: string | null | undefined;
    let usage: GenerationUsage = { promptTokens: 0, completionTokens: 0 };
    let lostInfo: DeviceLostInfo | undefined;
    let wakeLost: (() => void) | undefined;
    const lostPromise = new Promise<'lost'>((resolve) => {
      wakeLost = () => resolve('lost');
    });
    const onLost = (info: DeviceLostInfo): void => {
      lostInfo = info;
      wakeLost?.();
    };
    this.lostListeners.add(onLost);
    const onAbort = (): void => {
      aborted = true;
      engine.interruptGenerate();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      const request: ChatCompletionRequestLike = {
        messages: params.messages.map((m) => ({ role: m.role, content: m.content })),
        stream: true,
        stream_options: { include_usage: true },
        max_tokens: params.maxTokens,
        temperature: params.temperature,
      };
      if (params.seed !== undefined) request.seed = params.seed;
      if (params.responseFormat?.type === 'grammar') {
        // A grammar xgrammar cannot read aborts its wasm, and some WebLLM builds then never settle the request:
        // refuse it here, in milliseconds, with the reason.
        const problem = grammarPortabilityProblems(params.responseFormat.grammar)[0];
        if (problem) throw new EngineError('grammar-rejected', { modelId: params.modelId, cause: `grammar line ${problem.line}: ${problem.message}` });
        request.response_format = { type: 'grammar', grammar: params.responseFormat.grammar };
      } else if (params.responseFormat?.type === 'json_object') {
        request.response_format = { type: 'json_object', schema: params.responseFormat.schema };
      }
      const stream = await Promise.race([engine.chat.completions.create(request), lostPromise]);
      if (stream === 'lost') throw new EngineError('device-lost', { modelId: params.modelId, cause: lostInfo?.message });
      const iterator = stream[Symbol.asyncIterator]();
      for (;;) {
        // A lost device can leave WebLLM's decode loop waiting forever: do not wait with it.
        const step = await Promise.race([iterator.next(), lostPromise]);
        if (step === 'lost') throw new EngineError('device-lost', { modelId: params.modelId, cause: lostInfo?.message });
        if (step.done) break;
        const chunk = step.value;
        const choice = chunk.choices[0];
        const text = choice?.delta?.content;
        if (text) {
          firstTokenAt ??= this.now();
          onText(text);
        }
        if (choice?.finish_reason) finish = choice.finish_reason;
        if (chunk.usage) usage = this.usageOf(chunk.usage, started, firstTokenAt);
      }
    } catch (error) {
      throw toEngineError(error, { modelId: params.modelId, deviceLost: lostInfo !== undefined || this.deviceLost !== undefined, grammar: params.responseFormat?.type === 'grammar' });
    } finally {
      signal.removeEventListener('abort', onAbort);
      this.lostListeners.delete(onLost);
    }
    if (usage.timeToFirstTokenMs === undefined && firstTokenAt !== undefined) {
      usage.timeToFirstTokenMs = Math.round(firstTokenAt - started);
    }
    const finishReason: GenerateDone['finishReason'] = aborted || finish === 'abort' ? 'abort' : finish === 'length' ? 'length' : 'stop';
    return { finishReason, usage };
  }

  private usageOf(u: NonNullable<ChatCompletionChunkLike['usage']>, started: number, firstTokenAt: number | undefined): GenerationUsage {
    const usage: GenerationUsage = { promptTokens: u.prompt_tokens ?? 0, completionTokens: u.completion_tokens ?? 0 };
    // Measured here: from the request reaching the worker to the first streamed text (queueing + prefill).
    if (firstTokenAt !== undefined) usage.timeToFirstTokenMs = Math.round(firstTokenAt - started);
    else if (u.extra?.time_to_first_token_s !== undefined) usage.timeToFirstTokenMs = Math.round(u.extra.time_to_first_token_s * 1000);
    if (u.extra?.prefill_tokens_per_s !== undefined) usage.prefillTokensPerSecond = u.extra.prefill_tokens_per_s;
    if (u.extra?.decode_tokens_per_s !== undefined) usage.decodeTokensPerSecond = u.extra.decode_tokens_per_s;
    return usage;
  }

  /** Whether the model's weights are cached. */
  async isCached(query: CacheQuery): Promise<boolean> {
    try {
      return await this.deps.webllm.hasModelInCache(query.record.model_id, appConfigOf(query.record, query.cacheBackend));
    } catch (error) {
      throw toEngineError(error, { modelId: query.record.model_id });
    }
  }

  /** Deletes the model's cached files (unloading it first if it is the loaded one). */
  async deleteCached(query: CacheQuery): Promise<void> {
    if (this.loaded?.record.model_id === query.record.model_id) await this.disposeEngine();
    try {
      await this.deps.webllm.deleteModelAllInfoInCache(query.record.model_id, appConfigOf(query.record, query.cacheBackend));
    } catch (error) {
      throw toEngineError(error, { modelId: query.record.model_id });
    }
  }

  /** Storage usage and quota, where the browser tells. */
  async storageEstimate(): Promise<StorageReport> {
    const storage = this.deps.storage ?? (globalThis.navigator as { storage?: WorkerDeps['storage'] } | undefined)?.storage;
    const report: StorageReport = {};
    try {
      const e = await storage?.estimate?.();
      if (e?.usage !== undefined) report.usageBytes = e.usage;
      if (e?.quota !== undefined) report.quotaBytes = e.quota;
      const p = await storage?.persisted?.();
      if (p !== undefined) report.persisted = p;
    } catch {
      // An estimate is a courtesy; its absence is not an error.
    }
    return report;
  }

  /** WebGPU as the worker sees it. */
  probeGpu(): ReturnType<typeof detectCapabilities> {
    return detectCapabilities(this.deps.gpu ?? (globalThis.navigator as { gpu?: GpuLike } | undefined)?.gpu);
  }
}

/** Serves the engine protocol on `endpoint` (the worker's global scope). */
export function serveEngine(endpoint: Endpoint, deps: WorkerDeps): { server: RpcServer<EngineProtocol>; core: EngineWorkerCore } {
  const startedAt = deps.now ?? (() => performance.now());
  const toWire = (error: unknown) => (error instanceof EngineError ? error.toWire() : defaultErrorToWire(toEngineError(error)));
  const server = new RpcServer<EngineProtocol>(endpoint, toWire);
  const core = new EngineWorkerCore(deps, (info, modelId) => {
    const event = { reason: info.reason, message: info.message } as { reason: string; message: string; modelId?: string };
    if (modelId !== undefined) event.modelId = modelId;
    server.emit('engine/device-lost', event);
  });
  server
    .handle('engine/hello', () => ({ protocol: PROTOCOL_TAG, workerUptimeMs: startedAt(), webllmVersion: deps.webllm.version }))
    .handle('engine/load', (req, ctx) => core.load(req, (p) => ctx.progress(p), ctx.signal))
    .handle('engine/unload', () => core.unload())
    .handleStream('engine/generate', (params, ctx) => core.generate(params, (text) => ctx.chunk({ text }), ctx.signal))
    .handle('cache/has', (q) => core.isCached(q))
    .handle('cache/delete', (q) => core.deleteCached(q))
    .handle('storage/estimate', () => core.storageEstimate())
    .handle('gpu/probe', () => core.probeGpu());
  return { server, core };
}
