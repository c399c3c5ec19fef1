/**
 * A test double of the slice of @mlc-ai/web-llm that the engine worker uses (like WebLLM's own tests, which
 * replace the engine with mocks). It simulates the observable behaviour the worker core depends on:
 * - `reload()` reports progress with WebLLM's exact texts, downloads "shards" into a fake cache that survives
 *   failures (so a retry resumes), and returns quietly when `unload()` aborts it;
 * - `chat.completions.create({ stream: true })` streams scripted tokens, honours `interruptGenerate()` with a
 *   final `abort` chunk, and ends with a usage chunk when `stream_options.include_usage` is set;
 * - `loseDevice()` fires the GPU device-loss hook and leaves any running decode hanging, as a lost GPU does.
 */
import type {
  AppConfigLike,
  ChatCompletionChunkLike,
  ChatCompletionRequestLike,
  MlcEngineLike,
  WebLlmModule,
} from '../../shared/engine/worker-server';
import type { InitProgressLike } from '../../shared/engine/progress';
import type { DeviceLostInfo } from '../../shared/engine/gpu-watch';

/** An error shaped like the browser's (name + message), e.g. a DOMException. */
export function namedError(name: string, message: string): Error {
  const e = new Error(message);
  e.name = name;
  return e;
}

/** What the next load should do. */
export interface LoadScript {
  /** Throw this after `afterShards` shards were fetched (an interrupted download). */
  failWith?: unknown;
  afterShards?: number;
  /** Never finish fetching shard number `afterShards` (a stalled download). */
  stall?: boolean;
}

export interface FakeOptions {
  shards?: number;
  shardBytes?: number;
  /** Tokens each generation streams. */
  tokens?: string[];
  /** Context window the fake enforces like WebLLM (prompt chars / 2 = tokens). */
  contextWindow?: number;
}

const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/** The fake WebLLM module plus controls for tests. */
export class FakeWebLlm {
  readonly cache = new Set<string>();
  readonly engines: FakeMlcEngine[] = [];
  readonly requests: ChatCompletionRequestLike[] = [];
  readonly fetchedShards: string[] = [];
  readonly loadScripts: LoadScript[] = [];
  /** Resolves a pending decode step; tests call it to let generation advance (undefined: free-running). */
  gate: Promise<void> | undefined;
  private lostHook: ((info: DeviceLostInfo) => void) | undefined;
  readonly shards: number;
  readonly shardBytes: number;
  readonly tokens: string[];
  readonly contextWindow: number;

  constructor(options: FakeOptions = {}) {
    this.shards = options.shards ?? 4;
    this.shardBytes = options.shardBytes ?? 32 * 2 ** 20;
    this.tokens = options.tokens ?? ['留', '痕', ' ok'];
    this.contextWindow = options.contextWindow ?? 4096;
  }

  /** The module to inject into the worker core. */
  get module(): WebLlmModule {
    return {
      createEngine: (config) => {
        const engine = new FakeMlcEngine(this, config.appConfig, config.initProgressCallback);
        this.engines.push(engine);
        return engine;
      },
      hasModelInCache: (modelId) => Promise.resolve(this.isFullyCached(modelId)),
      deleteModelAllInfoInCache: (modelId) => {
        for (const key of [...this.cache]) if (key.startsWith(`${modelId}#`)) this.cache.delete(key);
        return Promise.resolve();
      },
      version: 'fake',
    };
  }

  /** The hook the worker core subscribes with. */
  watchDeviceLoss = (onLost: (info: DeviceLostInfo) => void): void => {
    this.lostHook = onLost;
  };

  /** Simulates the GPU device being lost. */
  loseDevice(message = 'D3D12 device removed (DXGI_ERROR_DEVICE_HUNG)'): void {
    for (const e of this.engines) e.deviceLost = true;
    this.lostHook?.({ reason: 'unknown', message });
  }

  isFullyCached(modelId: string): boolean {
    for (let i = 0; i < this.shards; i++) if (!this.cache.has(`${modelId}#${i}`)) return false;
    return true;
  }

  get lastEngine(): FakeMlcEngine | undefined {
    return this.engines[this.engines.length - 1];
  }
}

export class FakeMlcEngine implements MlcEngineLike {
  loadedModel: string | undefined;
  interrupted = false;
  aborted = false;
  deviceLost = false;
  unloadCalls = 0;
  readonly chat: MlcEngineLike['chat'];

  constructor(
    private readonly fake: FakeWebLlm,
    private readonly appConfig: AppConfigLike,
    private readonly progress: (report: InitProgressLike) => void,
  ) {
    this.chat = { completions: { create: (request) => this.create(request) } };
  }

  async reload(modelId: string): Promise<void> {
    const record = this.appConfig.model_list.find((r) => r.model_id === modelId);
    if (!record) throw namedError('ModelNotFoundError', `Cannot find model record in appConfig for ${modelId}.`);
    const script = this.fake.loadScripts.shift() ?? {};
    const { shards, shardBytes } = this.fake;
    const total = shards * shardBytes;
    const t0 = Date.now();
    const secs = (): number => Math.ceil((Date.now() - t0) / 1000);
    this.progress({ progress: 0, timeElapsed: 0, text: 'Start to fetch params' });
    if (!this.fake.isFullyCached(modelId)) {
      let fetched = 0;
      let count = 0;
      let newThisLoad = 0;
      for (let i = 0; i < shards; i++) {
        await tick();
        if (this.aborted) return; // WebLLM: reload() returns quietly when unload() aborts it
        const key = `${modelId}#${i}`;
        if (!this.fake.cache.has(key)) {
          if (script.afterShards !== undefined && newThisLoad >= script.afterShards) {
            if (script.stall) {
              while (!this.aborted) await new Promise((r) => setTimeout(r, 5));
              return;
            }
            if (script.failWith !== undefined) throw script.failWith;
          }
          this.fake.cache.add(key);
          this.fake.fetchedShards.push(key);
          newThisLoad += 1;
        }
        fetched += shardBytes;
        count += 1;
        this.progress({
          progress: fetched / total,
          timeElapsed: secs(),
          text:
            `Fetching param cache[${count}/${shards}]: ${Math.ceil(fetched / 2 ** 20)}MB fetched. ` +
            `${Math.floor((fetched * 100) / total)}% completed, ${secs()} secs elapsed. It can take a while when we first visit this page to populate the cache. Later refreshes will become faster.`,
        });
      }
    }
    for (let i = 1; i <= shards; i++) {
      await tick();
      if (this.aborted) return;
      this.progress({
        progress: i / shards,
        timeElapsed: secs(),
        text: `Loading model from cache[${i}/${shards}]: ${Math.ceil((i * shardBytes) / 2 ** 20)}MB loaded. ${Math.floor((i * 100) / shards)}% completed, ${secs()} secs elapsed.`,
      });
    }
    this.progress({ progress: 1, timeElapsed: secs(), text: 'Loading GPU shader modules[10/10]: 100% completed, 0 secs elapsed.' });
    if (this.deviceLost) throw namedError('DeviceLostError', 'The WebGPU device was lost while loading the model.');
    this.progress({ progress: 1, timeElapsed: secs(), text: 'Finish loading on WebGPU - fake' });
    this.loadedModel = modelId;
  }

  unload(): Promise<void> {
    this.unloadCalls += 1;
    this.aborted = true;
    this.loadedModel = undefined;
    return Promise.resolve();
  }

  interruptGenerate(): void {
    this.interrupted = true;
  }

  private create(request: ChatCompletionRequestLike): Promise<AsyncIterable<ChatCompletionChunkLike>> {
    this.fake.requests.push(request);
    if (!this.loadedModel) return Promise.reject(namedError('ModelNotLoadedError', 'Model not loaded before trying to complete ChatCompletionRequest.'));
    const promptTokens = Math.ceil(request.messages.reduce((n, m) => n + m.content.length, 0) / 2);
    if (promptTokens > this.fake.contextWindow) {
      return Promise.reject(
        namedError('ContextWindowSizeExceededError', `Prompt tokens exceed context window size: number of prompt tokens: ${promptTokens}; context window size: ${this.fake.contextWindow}`),
      );
    }
    this.interrupted = false;
    return Promise.resolve(this.stream(request, promptTokens));
  }

  private async *stream(request: ChatCompletionRequestLike, promptTokens: number): AsyncGenerator<ChatCompletionChunkLike> {
    const fake = this.fake;
    let produced = 0;
    let finish = 'stop';
    for (const token of fake.tokens) {
      if (this.interrupted) {
        finish = 'abort';
        break;
      }
      if (produced >= request.max_tokens) {
        finish = 'length';
        break;
      }
      await tick();
      if (fake.gate) await fake.gate;
      if (this.deviceLost) await new Promise(() => undefined); // a lost GPU never answers
      produced += 1;
      yield { choices: [{ delta: { content: token }, finish_reason: null }] };
    }
    if (this.interrupted) finish = 'abort';
    yield { choices: [{ delta: {}, finish_reason: finish }] };
    if (request.stream_options.include_usage) {
      yield {
        choices: [],
        usage: {
          prompt_tokens: promptTokens,
          completion_tokens: produced,
          extra: { prefill_tokens_per_s: 500, decode_tokens_per_s: 40, time_to_first_token_s: 0.2 },
        },
      };
    }
  }
}
