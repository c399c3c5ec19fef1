/**
 * {@link LlmEngine} for a company inference server with the OpenAI chat-completions API (vLLM, `mlc_llm serve`,
 * llama.cpp's server). The one client Liuhen has for such servers: the pane, the batch and the admin's
 * `npm run eval --engine openai` all use this class.
 *
 * - `load` asks the server's model list (`GET /v1/models`): the model (or LoRA adapter) must be served; the
 *   context window comes from vLLM's `max_model_len` (llama.cpp: `meta.n_ctx_train`; else the deployment's
 *   `context_window`).
 * - `generate` streams over SSE with `stream_options.include_usage`; the output contract travels in the field the
 *   server kind accepts ({@link structuredOutputBody}); aborting the signal aborts the fetch (vLLM stops decoding
 *   when the connection closes) and the stream ends with `abort`.
 * - Failures become the same EngineErrors as on the WebLLM path, worded for a server: unreachable (`network`),
 *   401/403 (`unauthorized`), 429 (`rate-limited`), unknown model (`model-not-found`), too long
 *   (`context-overflow`, refused before sending when the window is known), grammar refused (`grammar-rejected`).
 *
 * Runs in the page (fetch and streams are asynchronous; nothing blocks the UI thread) and in Node ≥ 20.
 */
import { EngineError, type EngineErrorDetail } from './errors';
import type { GenerateChunk, GenerateRequest, GenerationUsage, LlmEngine, LoadOptions, LoadProgress } from './port';
import { DEFAULT_SERVER_CONCURRENCY, serverHost, servedModelId, structuredOutputBody, structuredOutputOf, type CompanyServer, type StructuredOutputField } from './server';
import { estimateChatTokens } from './tokens';
import type { ChatMessage } from '../prompt/types';

/** Options of {@link OpenAiCompatibleEngine}. */
export interface OpenAiEngineOptions {
  server: CompanyServer;
  /** Sent as `Authorization: Bearer …` (the admin's CLI; a page's deployment file carries no secret). */
  apiKey?: string;
  /** The fetch to use (default: the global one). */
  fetch?: typeof fetch;
  /** Conservative prompt-token estimate (default: shared/engine/tokens). */
  estimateChatTokens?: (messages: readonly ChatMessage[]) => number;
  /** Gives up when the server sends nothing for this long (default 120 s): `no-response`. */
  idleTimeoutMs?: number;
  /** Clock in ms (tests). */
  now?: () => number;
}

/** One entry of `GET /v1/models` as the servers send it (only what Liuhen reads). */
interface ServedModel {
  id: string;
  /** vLLM. */
  max_model_len?: number;
  /** llama.cpp. */
  meta?: { n_ctx_train?: number; n_ctx?: number };
}

/** An OpenAI-style error body: `{ error: { message, type, code } }` (vLLM also sends `{ message, type }`). */
function errorMessageOf(body: string): string {
  try {
    const json = JSON.parse(body) as { error?: { message?: unknown } | string; message?: unknown; detail?: unknown };
    if (typeof json.error === 'string') return json.error;
    if (json.error && typeof json.error.message === 'string') return json.error.message;
    if (typeof json.message === 'string') return json.message;
    if (typeof json.detail === 'string') return json.detail;
  } catch {
    // not JSON: the text itself
  }
  return body.slice(0, 500);
}

const CONTEXT_PATTERNS = [/maximum context length/i, /max_model_len/i, /context length/i, /exceeds the available context/i, /context window/i, /too many tokens/i, /prompt is too long/i];

/** {@link LlmEngine} over an OpenAI-compatible server; see the module comment. */
export class OpenAiCompatibleEngine implements LlmEngine {
  readonly server: CompanyServer;
  /** Batch rows this engine serves well at once (the server batches them). */
  readonly concurrency: number;
  private loadedId: string | undefined;
  private window: number | undefined;
  private readonly fetchFn: typeof fetch;
  private readonly now: () => number;

  constructor(private readonly options: OpenAiEngineOptions) {
    this.server = options.server;
    this.concurrency = options.server.concurrency ?? DEFAULT_SERVER_CONCURRENCY;
    this.fetchFn = options.fetch ?? ((input, init) => fetch(input, init));
    this.now = options.now ?? (() => (typeof performance !== 'undefined' ? performance.now() : Date.now()));
  }

  /** The model name requests use (the adapter when one is declared). */
  get modelId(): string {
    return servedModelId(this.server);
  }

  /** Which request field carries an output contract of this kind to this server (`none`: unconstrained). */
  structuredOutput(format: GenerateRequest['responseFormat']): StructuredOutputField {
    return structuredOutputOf(this.server.kind, format);
  }

  private get host(): string {
    return serverHost(this.server);
  }

  private headers(json: boolean): Record<string, string> {
    const h: Record<string, string> = { Accept: json ? 'application/json' : 'text/event-stream' };
    if (json) h['Content-Type'] = 'application/json';
    if (this.options.apiKey) h.Authorization = `Bearer ${this.options.apiKey}`;
    return h;
  }

  private detail(extra: EngineErrorDetail = {}): EngineErrorDetail {
    return { server: this.host, modelId: this.modelId, ...extra };
  }

  /** Maps an HTTP error answer to the writer-facing error. */
  private async httpError(res: Response, url: string, grammar: boolean): Promise<EngineError> {
    const text = await res.text().catch(() => '');
    const message = errorMessageOf(text);
    const d = this.detail({ url, status: res.status, cause: `HTTP ${res.status}: ${message}`.slice(0, 500) });
    if (res.status === 401 || res.status === 403) return new EngineError('unauthorized', d);
    if (res.status === 429) {
      const after = Number(res.headers.get('retry-after'));
      return new EngineError('rate-limited', Number.isFinite(after) && after > 0 ? { ...d, retryAfterSeconds: after } : d);
    }
    if (CONTEXT_PATTERNS.some((p) => p.test(message))) {
      // vLLM: "This model's maximum context length is 2048 tokens. However, you requested 2300 tokens (…)".
      const limit = /maximum context length is (\d+)/i.exec(message) ?? /max_model_len[^\d]*(\d+)/i.exec(message);
      const asked = /requested (\d+) tokens/i.exec(message) ?? /(\d+) tokens/i.exec(message);
      return new EngineError('context-overflow', { ...d, contextWindow: limit ? Number(limit[1]) : this.window, estimatedTokens: asked ? Number(asked[1]) : undefined, maxTokens: 0 });
    }
    if (res.status === 404 || /does not exist|model .*not found|unknown model/i.test(message)) return new EngineError('model-not-found', d);
    if (grammar && res.status === 400 && /grammar|ebnf|gbnf|xgrammar|structured|guided|schema/i.test(message)) return new EngineError('grammar-rejected', d);
    if (res.status === 502 || res.status === 503 || res.status === 504) return new EngineError('network', d);
    return new EngineError('internal', d);
  }

  private networkError(error: unknown, url: string): EngineError {
    const cause = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return new EngineError('network', this.detail({ url, cause: cause.slice(0, 500) }));
  }

  async load(modelId: string, onProgress?: (p: LoadProgress) => void, options: LoadOptions = {}): Promise<void> {
    if (modelId !== this.modelId) throw new EngineError('model-not-found', this.detail({ modelId }));
    onProgress?.({ fraction: 0, phase: 'starting', text: `GET ${this.server.baseUrl}/models` });
    const url = `${this.server.baseUrl}/models`;
    let res: Response;
    try {
      res = await this.fetchFn(url, { headers: this.headers(true), ...(options.signal ? { signal: options.signal } : {}) });
    } catch (error) {
      if (options.signal?.aborted) throw new EngineError('aborted');
      throw this.networkError(error, url);
    }
    if (!res.ok) throw await this.httpError(res, url, false);
    let list: { data?: ServedModel[] };
    try {
      list = (await res.json()) as { data?: ServedModel[] };
    } catch (error) {
      throw new EngineError('internal', this.detail({ url, cause: `the model list is not JSON (${String(error)})` }));
    }
    const served = (list.data ?? []).find((m) => m.id === modelId);
    if (!served) {
      throw new EngineError('model-not-found', this.detail({ url, cause: `served: ${(list.data ?? []).map((m) => m.id).join(', ') || 'nothing'}` }));
    }
    this.window = served.max_model_len ?? served.meta?.n_ctx ?? served.meta?.n_ctx_train ?? this.server.contextWindow;
    this.loadedId = modelId;
    onProgress?.({ fraction: 1, phase: 'ready', text: this.host });
  }

  contextWindow(): number | undefined {
    return this.loadedId ? this.window : undefined;
  }

  generate(request: GenerateRequest): AsyncIterable<GenerateChunk> {
    return this.run(request);
  }

  private async *run(request: GenerateRequest): AsyncGenerator<GenerateChunk, void, void> {
    const aborted: GenerateChunk = { type: 'done', finishReason: 'abort', usage: { promptTokens: 0, completionTokens: 0 } };
    if (request.signal?.aborted) {
      yield aborted;
      return;
    }
    if (!this.loadedId) throw new EngineError('not-loaded');
    const estimate = (this.options.estimateChatTokens ?? estimateChatTokens)(request.messages);
    if (this.window !== undefined && estimate + request.maxTokens > this.window) {
      throw new EngineError('context-overflow', this.detail({ estimatedTokens: estimate, maxTokens: request.maxTokens, contextWindow: this.window }));
    }
    const body: Record<string, unknown> = {
      model: this.loadedId,
      messages: request.messages.map((m) => ({ role: m.role, content: m.content })),
      max_tokens: request.maxTokens,
      temperature: request.temperature,
      stream: true,
      stream_options: { include_usage: true },
      ...structuredOutputBody(this.server.kind, request.responseFormat),
    };
    if (request.seed !== undefined) body.seed = request.seed;
    const grammar = request.responseFormat !== undefined;

    // One controller for the request: the caller's abort, and the idle timeout, both end the fetch.
    const controller = new AbortController();
    const onAbort = (): void => controller.abort();
    request.signal?.addEventListener('abort', onAbort, { once: true });
    let timedOut = false;
    const idleMs = this.options.idleTimeoutMs ?? 120_000;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const arm = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        timedOut = true;
        controller.abort();
      }, idleMs);
    };
    const url = `${this.server.baseUrl}/chat/completions`;
    const started = this.now();
    let firstAt: number | undefined;
    let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
    const stopped = (): boolean => request.signal?.aborted === true;
    try {
      arm();
      let res: Response;
      try {
        res = await this.fetchFn(url, { method: 'POST', headers: this.headers(true), body: JSON.stringify(body), signal: controller.signal });
      } catch (error) {
        if (stopped()) {
          yield aborted;
          return;
        }
        if (timedOut) throw new EngineError('no-response', this.detail({ waitedSeconds: Math.round(idleMs / 1000) }));
        throw this.networkError(error, url);
      }
      if (!res.ok) throw await this.httpError(res, url, grammar);
      if (!res.body) throw new EngineError('internal', this.detail({ url, cause: 'the server sent no body' }));
      reader = res.body.getReader();
      const decoder = new TextDecoder();
      let buffer = '';
      let finish: 'stop' | 'length' | undefined;
      let usage: GenerationUsage | undefined;
      let text = 0;
      for (;;) {
        let step: ReadableStreamReadResult<Uint8Array>;
        try {
          step = await reader.read();
        } catch (error) {
          if (stopped()) {
            yield { ...aborted, usage: { promptTokens: 0, completionTokens: text } };
            return;
          }
          if (timedOut) throw new EngineError('no-response', this.detail({ waitedSeconds: Math.round(idleMs / 1000) }));
          throw this.networkError(error, url);
        }
        if (step.done) break;
        arm();
        buffer += decoder.decode(step.value, { stream: true });
        // SSE events end with a blank line; servers send `data: {json}` events and finally `data: [DONE]`.
        let cut: RegExpExecArray | null;
        while ((cut = /\r?\n\r?\n/.exec(buffer))) {
          const event = buffer.slice(0, cut.index);
          buffer = buffer.slice(cut.index + cut[0].length);
          const data = event
            .split(/\r?\n/)
            .filter((l) => l.startsWith('data:'))
            .map((l) => l.slice(5).replace(/^ /, ''))
            .join('\n');
          if (data === '' || data === '[DONE]') continue;
          let json: {
            choices?: Array<{ delta?: { content?: string | null }; finish_reason?: string | null }>;
            usage?: { prompt_tokens?: number; completion_tokens?: number } | null;
            error?: { message?: string } | string;
          };
          try {
            json = JSON.parse(data) as typeof json;
          } catch {
            throw new EngineError('internal', this.detail({ url, cause: `unreadable stream event: ${data.slice(0, 200)}` }));
          }
          if (json.error) {
            const message = typeof json.error === 'string' ? json.error : json.error.message ?? 'error';
            throw new EngineError(CONTEXT_PATTERNS.some((p) => p.test(message)) ? 'context-overflow' : 'internal', this.detail({ url, cause: message.slice(0, 500) }));
          }
          for (const choice of json.choices ?? []) {
            const piece = choice.delta?.content;
            if (piece) {
              firstAt ??= this.now();
              text += 1;
              yield { type: 'text', text: piece };
            }
            if (choice.finish_reason === 'length') finish = 'length';
            else if (choice.finish_reason) finish = 'stop';
          }
          if (json.usage) {
            usage = { promptTokens: json.usage.prompt_tokens ?? 0, completionTokens: json.usage.completion_tokens ?? 0 };
          }
        }
      }
      if (stopped()) {
        yield { ...aborted, usage: usage ?? { promptTokens: 0, completionTokens: text } };
        return;
      }
      const end = this.now();
      const result: GenerationUsage = usage ?? { promptTokens: 0, completionTokens: text };
      if (firstAt !== undefined) {
        result.timeToFirstTokenMs = firstAt - started;
        if (end > firstAt && result.completionTokens > 1) result.decodeTokensPerSecond = ((result.completionTokens - 1) * 1000) / (end - firstAt);
      }
      yield { type: 'done', finishReason: finish ?? 'stop', usage: result };
    } finally {
      clearTimeout(timer);
      request.signal?.removeEventListener('abort', onAbort);
      // Leaving early (abort, error, consumer stopped): close the connection so the server stops decoding.
      if (!controller.signal.aborted) controller.abort();
      try {
        reader?.releaseLock();
      } catch {
        // a read still pending after abort: the stream is closed anyway
      }
    }
  }

  /** Nothing is stored on this computer: the model lives on the server. */
  isCached(): Promise<boolean> {
    return Promise.resolve(false);
  }

  deleteCached(): Promise<void> {
    return Promise.resolve();
  }
}
