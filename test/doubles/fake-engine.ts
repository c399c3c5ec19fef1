/**
 * A test double of the {@link LlmEngine} port, for pipeline, batch, UI component and Playwright tests. Browser-safe
 * (no Node imports): it can be bundled into a test page.
 *
 * What it simulates of a real engine:
 * - scripted outputs per call (a list consumed in order, or a function of the request), streamed in small chunks,
 *   optionally with a delay per chunk ("token");
 * - failures on demand (before the first chunk or after some chunks), as EngineErrors like the real engine's;
 * - abort through the request's signal: the stream stops and ends with `finishReason: 'abort'`;
 * - a context window, refusing prompts that would not fit with `context-overflow`, as WebLlmEngine does;
 * - load progress, cached/uncached models.
 * Every request is recorded in `requests` so tests can assert what was sent (prompts, sampling, format).
 */
import type { GenerateChunk, GenerateRequest, LlmEngine, LoadProgress } from '../../shared/engine/port';
import { EngineError } from '../../shared/engine/errors';
import { estimateChatTokens } from '../../shared/engine/tokens';

/** What one call should do. */
export interface FakeCall {
  /** The full text the model "writes". */
  text: string;
  /** Finish reason reported when the text is exhausted (default `stop`). */
  finishReason?: 'stop' | 'length';
  /** Throw this (an EngineError, or any value) instead of answering; after `failAfterChunks` chunks when set. */
  fail?: unknown;
  failAfterChunks?: number;
}

/** A scripted answer: a text, a {@link FakeCall}, or a function of the request and the 0-based call number. */
export type FakeAnswer = string | FakeCall;
export type FakeResponder = (request: GenerateRequest, call: number) => FakeAnswer;

/** Options of {@link FakeEngine}. */
export interface FakeEngineOptions {
  /** Answers consumed one per call; when exhausted, the last one repeats. Ignored when `respond` is set. */
  outputs?: FakeAnswer[];
  /** Computes each answer from the request (e.g. by looking at the prompt). */
  respond?: FakeResponder;
  /** Code points per streamed chunk (default 3, about one Qwen token of Chinese text). */
  chunkSize?: number;
  /** Milliseconds to wait before each chunk (default 0: only a microtask/macrotask yield). */
  tokenDelayMs?: number;
  /** Context window in tokens (default 4096). */
  contextWindow?: number;
  /** Whether `contextWindow()` answers before `load` (default true, so tests need not load). */
  preloaded?: boolean;
  /** Model ids reported as cached. */
  cached?: string[];
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) {
      resolve();
      return;
    }
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Splits text into chunks of `size` code points (never splitting a surrogate pair). */
export function chunkText(text: string, size: number): string[] {
  const cps = Array.from(text);
  const out: string[] = [];
  for (let i = 0; i < cps.length; i += size) out.push(cps.slice(i, i + size).join(''));
  return out;
}

/** A scripted, streaming, abortable LlmEngine for tests. */
export class FakeEngine implements LlmEngine {
  /** Every generate request, in call order (including failed and refused ones). */
  readonly requests: GenerateRequest[] = [];
  /** Total chunks streamed so far, over all calls. */
  chunksStreamed = 0;
  /** Milliseconds spent waiting in per-chunk delays (the simulated engine time), over all calls. */
  engineMs = 0;
  private readonly options: FakeEngineOptions;
  private loaded: string | undefined;
  private readonly failures: Array<{ error: unknown; afterChunks: number }> = [];
  private calls = 0;
  private readonly cache: Set<string>;

  constructor(options: FakeEngineOptions = {}) {
    this.options = options;
    this.cache = new Set(options.cached ?? []);
  }

  /** The next generate call fails with `error` (after `afterChunks` chunks; default before the first). */
  failNext(error: unknown = new EngineError('internal', { cause: 'scripted failure' }), afterChunks = 0): void {
    this.failures.push({ error, afterChunks });
  }

  /** How many generate calls were made. */
  get callCount(): number {
    return this.calls;
  }

  async load(modelId: string, onProgress?: (p: LoadProgress) => void, options?: { signal?: AbortSignal }): Promise<void> {
    const phases: Array<LoadProgress['phase']> = ['starting', 'loading', 'compiling', 'ready'];
    for (const [i, phase] of phases.entries()) {
      if (options?.signal?.aborted) throw new EngineError('aborted', { modelId });
      onProgress?.({ fraction: (i + 1) / phases.length, phase, text: `fake ${phase}` });
      await sleep(0);
    }
    this.loaded = modelId;
    this.cache.add(modelId);
  }

  contextWindow(): number | undefined {
    if (this.loaded === undefined && this.options.preloaded === false) return undefined;
    return this.options.contextWindow ?? 4096;
  }

  async isCached(modelId: string): Promise<boolean> {
    await Promise.resolve();
    return this.cache.has(modelId);
  }

  async deleteCached(modelId: string): Promise<void> {
    await Promise.resolve();
    this.cache.delete(modelId);
  }

  private answer(request: GenerateRequest, call: number): FakeCall {
    let a: FakeAnswer;
    if (this.options.respond) a = this.options.respond(request, call);
    else {
      const list = this.options.outputs ?? [''];
      a = list[Math.min(call, list.length - 1)] ?? '';
    }
    return typeof a === 'string' ? { text: a } : a;
  }

  generate(request: GenerateRequest): AsyncIterable<GenerateChunk> {
    this.requests.push(request);
    const call = this.calls;
    this.calls += 1;
    const scriptedFailure = this.failures.shift();
    return this.stream(request, call, scriptedFailure);
  }

  private async *stream(
    request: GenerateRequest,
    call: number,
    scriptedFailure: { error: unknown; afterChunks: number } | undefined,
  ): AsyncGenerator<GenerateChunk> {
    const started = Date.now();
    const limit = this.contextWindow();
    if (limit === undefined) throw new EngineError('not-loaded');
    const estimate = estimateChatTokens(request.messages);
    if (estimate + request.maxTokens > limit) {
      throw new EngineError('context-overflow', { estimatedTokens: estimate, maxTokens: request.maxTokens, contextWindow: limit });
    }
    const script = this.answer(request, call);
    const failure = scriptedFailure ?? (script.fail !== undefined ? { error: script.fail, afterChunks: script.failAfterChunks ?? 0 } : undefined);
    const chunks = chunkText(script.text, Math.max(1, this.options.chunkSize ?? 3));
    const delay = this.options.tokenDelayMs ?? 0;
    let sent = 0;
    let firstTokenMs: number | undefined;
    const usage = (): { promptTokens: number; completionTokens: number; timeToFirstTokenMs?: number } => ({
      promptTokens: estimate,
      completionTokens: sent,
      ...(firstTokenMs !== undefined ? { timeToFirstTokenMs: firstTokenMs } : {}),
    });
    for (const text of chunks) {
      if (failure && sent >= failure.afterChunks) throw failure.error;
      if (request.signal?.aborted) {
        yield { type: 'done', finishReason: 'abort', usage: usage() };
        return;
      }
      if (delay > 0) {
        const t0 = Date.now();
        await sleep(delay, request.signal);
        this.engineMs += Date.now() - t0;
      } else {
        // Yield to the event loop like a real stream does, so aborts and UI updates can interleave.
        await sleep(0);
      }
      if (request.signal?.aborted) {
        yield { type: 'done', finishReason: 'abort', usage: usage() };
        return;
      }
      if (sent >= request.maxTokens) {
        yield { type: 'done', finishReason: 'length', usage: usage() };
        return;
      }
      firstTokenMs ??= Date.now() - started;
      sent += 1;
      this.chunksStreamed += 1;
      yield { type: 'text', text };
    }
    if (failure) throw failure.error;
    yield { type: 'done', finishReason: script.finishReason ?? 'stop', usage: usage() };
  }
}
