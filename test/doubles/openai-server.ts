/**
 * A local OpenAI-compatible test server (test code only): real HTTP on 127.0.0.1 with node:http, chat
 * completions streamed as server-sent events the way vLLM sends them (`data: {chunk}` events, a final usage
 * chunk with empty `choices` when `stream_options.include_usage`, then `data: [DONE]`), `GET /v1/models` with
 * vLLM's `max_model_len`, and vLLM's error answers (404 unknown model, 400 context length, 401/403, 429).
 *
 * Each token is written after `tokenDelayMs`; requests run concurrently (as vLLM's continuous batching does), so
 * N rows in flight take about the time of one. The server records every request body and notices a client that
 * closes the connection mid-stream (cancel).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A chat-completions request body as the server received it. */
export interface ReceivedRequest {
  model: string;
  messages: Array<{ role: string; content: string }>;
  max_tokens?: number;
  temperature?: number;
  seed?: number;
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  structured_outputs?: { grammar?: string; json?: unknown };
  grammar?: string;
  response_format?: unknown;
  json_schema?: unknown;
  [key: string]: unknown;
}

export interface TestServerOptions {
  /** Models listed by GET /v1/models (id → max_model_len). Default `{ 'liuhen-test': 4096 }`. */
  models?: Record<string, number>;
  /** The answer, as the tokens to stream (default: the request's last message echoed in 4-character pieces). */
  reply?: (body: ReceivedRequest) => string[];
  /** Delay before each token, ms (default 0); a function gives each request its own. */
  tokenDelayMs?: number | ((body: ReceivedRequest) => number);
  /** Delay before the first token (queueing + prefill), ms (default 0). */
  prefillDelayMs?: number;
  /** Answer every request with this HTTP status (and an OpenAI-style error body) instead. */
  failWith?: { status: number; message?: string; retryAfter?: number; on?: 'models' | 'chat' | 'both'; /** only this many requests, then normal again */ times?: number };
  /** Prompt characters above which chat answers 400 "maximum context length" (vLLM's wording). */
  maxPromptChars?: number;
  /** Required `Authorization: Bearer` value; other requests get 401. */
  apiKey?: string;
}

export interface TestServer {
  /** `http://127.0.0.1:<port>/v1`. */
  baseUrl: string;
  /** Every chat request body, in arrival order. */
  requests: ReceivedRequest[];
  /** Chat requests whose client closed the connection before the stream ended. */
  cancelled: number;
  /** Chat requests streaming right now, and the most at once. */
  active: number;
  maxActive: number;
  /** Summed over chat requests: ms from the start of the answer (prefill delay included) to its end — engine time. */
  busyMs: number;
  /** Changes the options of later requests. */
  set(options: Partial<TestServerOptions>): void;
  close(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

function sendError(res: ServerResponse, status: number, message: string, retryAfter?: number): void {
  const type = status === 404 ? 'NotFoundError' : status === 400 ? 'BadRequestError' : status === 401 ? 'Unauthorized' : 'Error';
  res.writeHead(status, { 'Content-Type': 'application/json', 'Access-Control-Allow-Origin': '*', ...(retryAfter !== undefined ? { 'Retry-After': String(retryAfter) } : {}) });
  // vLLM's ErrorResponse shape.
  res.end(JSON.stringify({ error: { message, type, param: null, code: status } }));
}

function defaultReply(body: ReceivedRequest): string[] {
  const last = body.messages[body.messages.length - 1]?.content ?? '';
  const tokens: string[] = [];
  for (let i = 0; i < last.length; i += 4) tokens.push(last.slice(i, i + 4));
  return tokens;
}

/** Starts the server on 127.0.0.1 (a free port). */
export async function startOpenAiTestServer(initial: TestServerOptions = {}): Promise<TestServer> {
  let options: TestServerOptions = { ...initial };
  const state = { requests: [] as ReceivedRequest[], cancelled: 0, active: 0, maxActive: 0, busyMs: 0 };
  const models = (): Record<string, number> => options.models ?? { 'liuhen-test': 4096 };

  const server: Server = createServer((req, res) => {
    void (async () => {
      const path = (req.url ?? '').replace(/\?.*$/, '');
      if (req.method === 'OPTIONS') {
        res.writeHead(204, { 'Access-Control-Allow-Origin': '*', 'Access-Control-Allow-Headers': 'content-type, authorization', 'Access-Control-Allow-Methods': 'GET, POST' });
        res.end();
        return;
      }
      if (options.apiKey !== undefined && req.headers.authorization !== `Bearer ${options.apiKey}`) {
        sendError(res, 401, 'Unauthorized');
        return;
      }
      if (path === '/__stats' && req.method === 'GET') {
        // For a bench that runs this server in another process.
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ busyMs: state.busyMs, maxActive: state.maxActive, active: state.active, cancelled: state.cancelled, requests: state.requests.length }));
        return;
      }
      const fail = options.failWith;
      if (path === '/v1/models' && req.method === 'GET') {
        if (fail && (fail.on ?? 'both') !== 'chat') {
          sendError(res, fail.status, fail.message ?? `HTTP ${fail.status}`, fail.retryAfter);
          return;
        }
        res.writeHead(200, { 'Content-Type': 'application/json', 'Access-Control-Allow-Origin': '*' });
        res.end(JSON.stringify({ object: 'list', data: Object.entries(models()).map(([id, len]) => ({ id, object: 'model', owned_by: 'vllm', root: id, parent: null, max_model_len: len })) }));
        return;
      }
      if (path !== '/v1/chat/completions' || req.method !== 'POST') {
        sendError(res, 404, `Not Found: ${req.method} ${path}`);
        return;
      }
      const body = JSON.parse(await readBody(req)) as ReceivedRequest;
      state.requests.push(body);
      if (fail && (fail.on ?? 'both') !== 'models' && (fail.times === undefined || fail.times > 0)) {
        if (fail.times !== undefined) fail.times -= 1;
        sendError(res, fail.status, fail.message ?? `HTTP ${fail.status}`, fail.retryAfter);
        return;
      }
      const len = models()[body.model];
      if (len === undefined) {
        sendError(res, 404, `The model \`${body.model}\` does not exist.`);
        return;
      }
      const promptChars = body.messages.reduce((n, m) => n + m.content.length, 0);
      if (options.maxPromptChars !== undefined && promptChars > options.maxPromptChars) {
        const requested = promptChars + (body.max_tokens ?? 0);
        sendError(res, 400, `This model's maximum context length is ${len} tokens. However, you requested ${requested} tokens (${promptChars} in the messages, ${body.max_tokens ?? 0} in the completion). Please reduce the length of the messages or completion.`);
        return;
      }
      const tokens = (options.reply ?? defaultReply)(body);
      const id = `chatcmpl-${state.requests.length}`;
      let closed = false;
      let finished = false;
      res.on('close', () => {
        closed = true;
        if (!finished) state.cancelled += 1;
      });
      res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive', 'Access-Control-Allow-Origin': '*' });
      state.active += 1;
      state.maxActive = Math.max(state.maxActive, state.active);
      const t0 = performance.now();
      try {
        const send = (json: unknown): void => {
          res.write(`data: ${JSON.stringify(json)}\n\n`);
        };
        const chunk = (delta: Record<string, unknown>, finish: string | null): unknown => ({ id, object: 'chat.completion.chunk', created: 0, model: body.model, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] });
        if (options.prefillDelayMs) await sleep(options.prefillDelayMs);
        send(chunk({ role: 'assistant', content: '' }, null));
        const limit = body.max_tokens ?? Infinity;
        const delay = typeof options.tokenDelayMs === 'function' ? options.tokenDelayMs(body) : options.tokenDelayMs ?? 0;
        let sent = 0;
        for (const token of tokens) {
          if (closed) return;
          if (sent >= limit) break;
          if (delay > 0) await sleep(delay);
          if (closed) return;
          send(chunk({ content: token }, null));
          sent += 1;
        }
        send(chunk({}, sent >= limit && sent < tokens.length ? 'length' : 'stop'));
        if (body.stream_options?.include_usage) {
          send({ id, object: 'chat.completion.chunk', created: 0, model: body.model, choices: [], usage: { prompt_tokens: Math.ceil(promptChars / 2), completion_tokens: sent, total_tokens: Math.ceil(promptChars / 2) + sent } });
        }
        res.write('data: [DONE]\n\n');
        finished = true;
        res.end();
      } finally {
        state.active -= 1;
        state.busyMs += performance.now() - t0;
      }
    })().catch((error: unknown) => {
      if (!res.headersSent) sendError(res, 500, String(error));
      else res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests: state.requests,
    get cancelled() {
      return state.cancelled;
    },
    get active() {
      return state.active;
    },
    get maxActive() {
      return state.maxActive;
    },
    get busyMs() {
      return state.busyMs;
    },
    set(patch) {
      options = { ...options, ...patch };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
