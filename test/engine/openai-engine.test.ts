/**
 * OpenAiCompatibleEngine against a real local OpenAI-compatible server (HTTP + SSE on 127.0.0.1): streaming with
 * usage, cancel, each error class the writer can meet, the context window from the model list, and the output
 * contract passed through in the field each server kind accepts.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EngineError } from '../../shared/engine/errors';
import { OpenAiCompatibleEngine } from '../../shared/engine/openai-engine';
import type { GenerateChunk, GenerateRequest } from '../../shared/engine/port';
import type { CompanyServer, ServerKind } from '../../shared/engine/server';
import { startOpenAiTestServer, type TestServer } from '../doubles/openai-server';

let server: TestServer;

beforeEach(async () => {
  server = await startOpenAiTestServer({ models: { 'qwen2.5-1.5b-hr': 2048, 'hr-lora': 2048 } });
});
afterEach(async () => {
  await server.close();
});

function engineFor(extra: Partial<CompanyServer> = {}, apiKey?: string): OpenAiCompatibleEngine {
  return new OpenAiCompatibleEngine({ server: { kind: 'vllm', baseUrl: server.baseUrl, model: 'qwen2.5-1.5b-hr', ...extra }, ...(apiKey ? { apiKey } : {}) });
}

const request = (over: Partial<GenerateRequest> = {}): GenerateRequest => ({
  messages: [
    { role: 'system', content: '你是 HR 记录助手。' },
    { role: 'user', content: '【离职原因】家庭原因,需要回老家照顾父母。' },
  ],
  maxTokens: 256,
  temperature: 0,
  ...over,
});

async function collect(stream: AsyncIterable<GenerateChunk>): Promise<{ text: string; pieces: number; done?: Extract<GenerateChunk, { type: 'done' }> }> {
  let text = '';
  let pieces = 0;
  let done: Extract<GenerateChunk, { type: 'done' }> | undefined;
  for await (const c of stream) {
    if (c.type === 'text') {
      text += c.text;
      pieces += 1;
    } else done = c;
  }
  return { text, pieces, ...(done ? { done } : {}) };
}

async function failure(p: Promise<unknown>): Promise<EngineError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(EngineError);
    return e as EngineError;
  }
  throw new Error('expected a failure');
}

describe('OpenAiCompatibleEngine over SSE', () => {
  it('streams the answer piece by piece, then done with the server’s usage', async () => {
    server.set({ reply: () => ['【离职', '原因】', '家庭', '原因。'], tokenDelayMs: 5 });
    const engine = engineFor();
    await engine.load('qwen2.5-1.5b-hr');
    const seen: string[] = [];
    let done: GenerateChunk | undefined;
    for await (const c of engine.generate(request({ seed: 7 }))) {
      if (c.type === 'text') seen.push(c.text);
      else done = c;
    }
    expect(seen).toEqual(['【离职', '原因】', '家庭', '原因。']);
    expect(done).toMatchObject({ type: 'done', finishReason: 'stop', usage: { completionTokens: 4 } });
    const usage = (done as Extract<GenerateChunk, { type: 'done' }>).usage;
    expect(usage.promptTokens).toBeGreaterThan(0);
    expect(usage.timeToFirstTokenMs).toBeGreaterThanOrEqual(0);
    // What went over the wire: the served model, streaming with usage, the sampling settings.
    expect(server.requests[0]).toMatchObject({ model: 'qwen2.5-1.5b-hr', stream: true, stream_options: { include_usage: true }, max_tokens: 256, temperature: 0, seed: 7 });
    expect(server.requests[0]?.messages[1]?.content).toContain('家庭原因');
  });

  it('reports finish reason length when max_tokens cut the answer', async () => {
    server.set({ reply: () => ['a', 'b', 'c', 'd', 'e'] });
    const engine = engineFor();
    await engine.load('qwen2.5-1.5b-hr');
    const r = await collect(engine.generate(request({ maxTokens: 3 })));
    expect(r.text).toBe('abc');
    expect(r.done?.finishReason).toBe('length');
  });

  it('takes the context window from the server’s model list (vLLM max_model_len) and refuses a prompt that cannot fit before sending', async () => {
    const engine = engineFor();
    expect(engine.contextWindow()).toBeUndefined();
    await engine.load('qwen2.5-1.5b-hr');
    expect(engine.contextWindow()).toBe(2048);
    const e = await failure(collect(engine.generate(request({ messages: [{ role: 'user', content: '很长的记录。'.repeat(600) }] }))));
    expect(e.code).toBe('context-overflow');
    expect(e.detail.contextWindow).toBe(2048);
    expect(server.requests).toHaveLength(0);
  });

  it('names the LoRA adapter as the model when one is declared', async () => {
    server.set({ reply: () => ['ok'] });
    const engine = engineFor({ adapter: 'hr-lora' });
    await engine.load('hr-lora');
    await collect(engine.generate(request()));
    expect(server.requests[0]?.model).toBe('hr-lora');
  });
});

describe('SSE framing', () => {
  it('reads events split anywhere (inside a UTF-8 character, across CRLF separators), ignores comments', async () => {
    const events = [
      ': keep-alive',
      'data: {"choices":[{"delta":{"role":"assistant","content":""},"finish_reason":null}]}',
      'data: {"choices":[{"delta":{"content":"【离职原因】"},"finish_reason":null}]}',
      'data: {"choices":[{"delta":{"content":"家庭原因。"},"finish_reason":"stop"}]}',
      'data: {"choices":[],"usage":{"prompt_tokens":12,"completion_tokens":2}}',
      'data: [DONE]',
    ];
    const bytes = new TextEncoder().encode(events.map((e) => `${e}\r\n\r\n`).join(''));
    // Cut every 5 bytes: pieces end mid-character (each CJK character is 3 bytes) and between \r and \n.
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < bytes.length; i += 5) c.enqueue(bytes.slice(i, i + 5));
        c.close();
      },
    });
    const fetchStub: typeof fetch = (input) =>
      Promise.resolve(
        String(input).endsWith('/models')
          ? new Response(JSON.stringify({ data: [{ id: 'm', max_model_len: 1024 }] }), { headers: { 'content-type': 'application/json' } })
          : new Response(stream, { headers: { 'content-type': 'text/event-stream' } }),
      );
    const engine = new OpenAiCompatibleEngine({ server: { kind: 'vllm', baseUrl: 'https://llm.acme.example/v1', model: 'm' }, fetch: fetchStub });
    await engine.load('m');
    const r = await collect(engine.generate(request()));
    expect(r.text).toBe('【离职原因】家庭原因。');
    expect(r.done).toMatchObject({ finishReason: 'stop', usage: { promptTokens: 12, completionTokens: 2 } });
  });
});

describe('cancel', () => {
  it('aborting mid-stream ends the stream with abort and closes the connection (the server stops decoding)', async () => {
    server.set({ reply: () => Array.from({ length: 200 }, (_, i) => `t${i} `), tokenDelayMs: 10 });
    const engine = engineFor();
    await engine.load('qwen2.5-1.5b-hr');
    const controller = new AbortController();
    const pieces: string[] = [];
    let done: Extract<GenerateChunk, { type: 'done' }> | undefined;
    for await (const c of engine.generate(request({ signal: controller.signal }))) {
      if (c.type === 'text') {
        pieces.push(c.text);
        if (pieces.length === 3) controller.abort();
      } else done = c;
    }
    expect(done?.finishReason).toBe('abort');
    expect(pieces.length).toBeLessThan(10);
    await expect.poll(() => server.cancelled).toBe(1);
    expect(server.active).toBe(0);
  });

  it('an already-aborted signal sends nothing', async () => {
    const engine = engineFor();
    await engine.load('qwen2.5-1.5b-hr');
    const controller = new AbortController();
    controller.abort();
    const r = await collect(engine.generate(request({ signal: controller.signal })));
    expect(r.done?.finishReason).toBe('abort');
    expect(server.requests).toHaveLength(0);
  });

  it('a consumer that stops reading early also closes the connection', async () => {
    server.set({ reply: () => Array.from({ length: 200 }, (_, i) => `t${i} `), tokenDelayMs: 10 });
    const engine = engineFor();
    await engine.load('qwen2.5-1.5b-hr');
    for await (const c of engine.generate(request())) {
      if (c.type === 'text') break;
    }
    await expect.poll(() => server.cancelled).toBe(1);
  });
});

describe('errors the writer can meet', () => {
  it('server unreachable → network, naming the company server', async () => {
    const url = server.baseUrl;
    await server.close();
    const engine = new OpenAiCompatibleEngine({ server: { kind: 'vllm', baseUrl: url, model: 'qwen2.5-1.5b-hr' } });
    const e = await failure(engine.load('qwen2.5-1.5b-hr'));
    expect(e.code).toBe('network');
    expect(e.userMessage('en')).toMatch(/company model server 127\.0\.0\.1:\d+ could not be reached/);
    expect(e.userMessage('zh-CN')).toContain('无法连接公司模型服务器');
    server = await startOpenAiTestServer(); // for afterEach
  });

  it.each([401, 403])('HTTP %i → unauthorized', async (status) => {
    server.set({ failWith: { status, message: 'Unauthorized' } });
    const e = await failure(engineFor().load('qwen2.5-1.5b-hr'));
    expect(e.code).toBe('unauthorized');
    expect(e.detail.status).toBe(status);
    expect(e.userMessage('en')).toMatch(/refused access .*ask IT for access/);
  });

  it('a wrong API key is refused by the server → unauthorized; the right one works', async () => {
    server.set({ apiKey: 'sekret' });
    expect((await failure(engineFor({}, 'wrong').load('qwen2.5-1.5b-hr'))).code).toBe('unauthorized');
    await expect(engineFor({}, 'sekret').load('qwen2.5-1.5b-hr')).resolves.toBeUndefined();
  });

  it('HTTP 429 → rate-limited, with the server’s Retry-After', async () => {
    const engine = engineFor();
    await engine.load('qwen2.5-1.5b-hr');
    server.set({ failWith: { status: 429, message: 'Too Many Requests', retryAfter: 30, on: 'chat' } });
    const e = await failure(collect(engine.generate(request())));
    expect(e.code).toBe('rate-limited');
    expect(e.userMessage('en')).toContain('in about 30 s');
  });

  it('model not served → model-not-found at load, and at generate when the server dropped it since', async () => {
    const e = await failure(engineFor({ model: 'no-such-model' }).load('no-such-model'));
    expect(e.code).toBe('model-not-found');
    expect(e.detail.cause).toContain('qwen2.5-1.5b-hr');
    expect(e.userMessage('en')).toContain('does not serve the model "no-such-model"');

    const engine = engineFor();
    await engine.load('qwen2.5-1.5b-hr');
    server.set({ models: { other: 2048 } });
    const later = await failure(collect(engine.generate(request())));
    expect(later.code).toBe('model-not-found');
    expect(later.detail.status).toBe(404);
  });

  it('the server’s own context-length refusal → context-overflow with its numbers', async () => {
    const engine = engineFor();
    await engine.load('qwen2.5-1.5b-hr');
    server.set({ maxPromptChars: 10 });
    const e = await failure(collect(engine.generate(request())));
    expect(e.code).toBe('context-overflow');
    expect(e.detail.contextWindow).toBe(2048);
    expect(e.userMessage('en')).toMatch(/too long for the model/);
  });

  it('a grammar the server refuses → grammar-rejected', async () => {
    const engine = engineFor();
    await engine.load('qwen2.5-1.5b-hr');
    server.set({ failWith: { status: 400, message: 'Invalid grammar specification: EBNF parse error at line 1', on: 'chat' } });
    const e = await failure(collect(engine.generate(request({ responseFormat: { type: 'grammar', grammar: 'root ::= "x"' } }))));
    expect(e.code).toBe('grammar-rejected');
  });

  it('a server that stops sending → no-response after the idle limit, and the connection is closed', async () => {
    server.set({ prefillDelayMs: 2000, reply: () => ['late'] });
    const engine = new OpenAiCompatibleEngine({ server: { kind: 'vllm', baseUrl: server.baseUrl, model: 'qwen2.5-1.5b-hr' }, idleTimeoutMs: 150 });
    await engine.load('qwen2.5-1.5b-hr');
    const e = await failure(collect(engine.generate(request())));
    expect(e.code).toBe('no-response');
    await expect.poll(() => server.cancelled).toBe(1);
  });

  it('generate before load → not-loaded', async () => {
    expect((await failure(collect(engineFor().generate(request())))).code).toBe('not-loaded');
  });
});

describe('constrained decoding is passed through in the field each server kind accepts', () => {
  const grammar = 'root ::= "【离职原因】\\n" [^\\n]+';
  const schema = JSON.stringify({ type: 'object', properties: { reason: { type: 'string' } }, required: ['reason'] });

  async function sent(kind: ServerKind, format: GenerateRequest['responseFormat']): Promise<Record<string, unknown>> {
    server.set({ reply: () => ['x'] });
    const engine = engineFor({ kind });
    await engine.load('qwen2.5-1.5b-hr');
    await collect(engine.generate(request(format ? { responseFormat: format } : {})));
    return server.requests[server.requests.length - 1] as Record<string, unknown>;
  }

  it('vLLM: the xgrammar EBNF as structured_outputs.grammar, a JSON schema as response_format json_schema', async () => {
    const g = await sent('vllm', { type: 'grammar', grammar });
    expect(g.structured_outputs).toEqual({ grammar });
    expect(g).not.toHaveProperty('guided_grammar');
    const j = await sent('vllm', { type: 'json_object', schema });
    expect(j.response_format).toEqual({ type: 'json_schema', json_schema: { name: 'liuhen_output', schema: JSON.parse(schema) } });
    expect(engineFor().structuredOutput({ type: 'grammar', grammar })).toBe('structured_outputs.grammar');
  });

  it('llama.cpp: the grammar as `grammar` (GBNF), a schema as `json_schema`', async () => {
    expect((await sent('llamacpp', { type: 'grammar', grammar })).grammar).toBe(grammar);
    expect((await sent('llamacpp', { type: 'json_object', schema })).json_schema).toEqual(JSON.parse(schema));
  });

  it('mlc_llm serve: a schema as response_format json_object; a grammar it cannot take is not sent (declared: none)', async () => {
    expect((await sent('mlc', { type: 'json_object', schema })).response_format).toEqual({ type: 'json_object', schema });
    const g = await sent('mlc', { type: 'grammar', grammar });
    expect(g).not.toHaveProperty('grammar');
    expect(g).not.toHaveProperty('structured_outputs');
    expect(engineFor({ kind: 'mlc' }).structuredOutput({ type: 'grammar', grammar })).toBe('none');
  });

  it('no output contract: no constraint fields at all', async () => {
    const body = await sent('vllm', undefined);
    expect(body).not.toHaveProperty('structured_outputs');
    expect(body).not.toHaveProperty('response_format');
  });
});
