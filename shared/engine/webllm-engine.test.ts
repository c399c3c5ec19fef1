import { afterEach, describe, expect, it } from 'vitest';
import { FakeWebLlm, namedError } from '../../test/doubles/fake-webllm';
import { inMemoryWorkers } from '../../test/doubles/in-memory-worker';
import { BUILTIN_REGISTRY } from './registry';
import { EngineError } from './errors';
import { HttpStatusError } from './error-mapping';
import type { GenerateChunk, GenerateRequest, LoadProgress } from './port';
import { WebLlmEngine, type EngineStatus } from './webllm-engine';
import type { WorkerDeps } from './worker-server';

const MODEL = 'Qwen2.5-1.5B-Instruct-q4f32_1-MLC';

interface Setup {
  fake: FakeWebLlm;
  engine: WebLlmEngine;
  statuses: EngineStatus[];
  workers: ReturnType<typeof inMemoryWorkers>;
  probes: string[];
}

const engines: WebLlmEngine[] = [];
afterEach(() => {
  for (const e of engines.splice(0)) e.dispose();
});

function setup(extra: Partial<WorkerDeps> = {}, fake = new FakeWebLlm()): Setup {
  const statuses: EngineStatus[] = [];
  const probes: string[] = [];
  const workers = inMemoryWorkers(() => ({
    webllm: fake.module,
    watchDeviceLoss: fake.watchDeviceLoss,
    probeUrl: (url) => {
      probes.push(url);
      return Promise.reject(new TypeError('Failed to fetch'));
    },
    storage: { estimate: () => Promise.resolve({ usage: 9.5 * 2 ** 30, quota: 10 * 2 ** 30 }), persisted: () => Promise.resolve(false) },
    ...extra,
  }));
  const engine = new WebLlmEngine({
    registry: BUILTIN_REGISTRY,
    createWorker: workers.create,
    cacheBackend: 'cache',
    onStatus: (s) => statuses.push(s),
    requestPersistence: () => Promise.resolve(true),
  });
  engines.push(engine);
  return { fake, engine, statuses, workers, probes };
}

function request(overrides: Partial<GenerateRequest> = {}): GenerateRequest {
  return { messages: [{ role: 'user', content: '请整理离职面谈记录' }], maxTokens: 64, temperature: 0, ...overrides };
}

async function collect(iterable: AsyncIterable<GenerateChunk>): Promise<GenerateChunk[]> {
  const out: GenerateChunk[] = [];
  for await (const c of iterable) out.push(c);
  return out;
}

async function rejection(promise: Promise<unknown>): Promise<EngineError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(EngineError);
    return error as EngineError;
  }
  throw new Error('expected a rejection');
}

describe('WebLlmEngine over the worker protocol', () => {
  it('loads with progress (bytes, phases, monotonic fraction) and knows the context window', async () => {
    const { engine, fake } = setup();
    const progress: LoadProgress[] = [];
    await engine.load(MODEL, (p) => progress.push(p));
    expect(engine.contextWindow()).toBe(4096);
    expect(engine.loadedModel()?.record.model_id).toBe(MODEL);
    const fractions = progress.map((p) => p.fraction);
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b));
    expect(progress.at(-1)?.fraction).toBe(1);
    expect(progress.some((p) => p.phase === 'downloading' && p.totalBytes === fake.shards * fake.shardBytes)).toBe(true);
    expect(new Set(progress.map((p) => p.phase))).toEqual(new Set(['starting', 'downloading', 'loading', 'compiling', 'ready']));
    expect(await engine.isCached(MODEL)).toBe(true);
  });

  it('streams text chunks, then one done with usage; asks WebLLM for usage and passes the output contract', async () => {
    const { engine, fake } = setup();
    await engine.load(MODEL);
    const chunks = await collect(
      engine.generate(request({ responseFormat: { type: 'json_object', schema: '{"type":"object"}' }, seed: 7 })),
    );
    expect(chunks.filter((c) => c.type === 'text').map((c) => (c.type === 'text' ? c.text : '')).join('')).toBe('留痕 ok');
    const done = chunks.at(-1);
    expect(done?.type).toBe('done');
    if (done?.type !== 'done') throw new Error('no done');
    expect(done.finishReason).toBe('stop');
    expect(done.usage).toMatchObject({ completionTokens: 3, prefillTokensPerSecond: 500, decodeTokensPerSecond: 40 });
    expect(done.usage.timeToFirstTokenMs).toBeGreaterThanOrEqual(0);
    expect(chunks.filter((c) => c.type === 'done')).toHaveLength(1);
    const sent = fake.requests[0];
    expect(sent).toMatchObject({
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: 64,
      temperature: 0,
      seed: 7,
      response_format: { type: 'json_object', schema: '{"type":"object"}' },
    });
  });

  it('cancels mid-stream: AbortSignal -> interruptGenerate(), the stream ends with done(abort), the next one runs', async () => {
    const { engine, fake } = setup();
    await engine.load(MODEL);
    let open!: () => void;
    fake.gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const controller = new AbortController();
    const seen: GenerateChunk[] = [];
    const run = (async () => {
      for await (const c of engine.generate(request({ signal: controller.signal }))) seen.push(c);
    })();
    await new Promise((r) => setTimeout(r, 20));
    controller.abort();
    await new Promise((r) => setTimeout(r, 20));
    open();
    await run;
    expect(fake.lastEngine?.interrupted).toBe(true);
    const done = seen.at(-1);
    expect(done).toMatchObject({ type: 'done', finishReason: 'abort' });
    expect(seen.filter((c) => c.type === 'text').length).toBeLessThan(fake.tokens.length);
    fake.gate = undefined;
    const next = await collect(engine.generate(request()));
    expect(next.at(-1)).toMatchObject({ type: 'done', finishReason: 'stop' });
  });

  it('an already-aborted signal ends at once without sending anything', async () => {
    const { engine, fake } = setup();
    await engine.load(MODEL);
    const controller = new AbortController();
    controller.abort();
    const chunks = await collect(engine.generate(request({ signal: controller.signal })));
    expect(chunks).toEqual([{ type: 'done', finishReason: 'abort', usage: { promptTokens: 0, completionTokens: 0 } }]);
    expect(fake.requests).toHaveLength(0);
  });

  it('breaking out of the loop cancels the generation in the worker', async () => {
    const { engine, fake } = setup();
    await engine.load(MODEL);
    let open!: () => void;
    fake.gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    setTimeout(() => open(), 10);
    for await (const c of engine.generate(request())) {
      if (c.type === 'text') break;
    }
    await new Promise((r) => setTimeout(r, 30));
    expect(fake.lastEngine?.interrupted).toBe(true);
  });

  it('device lost during generation: typed device-lost error (no hang), then the next request reloads the model', async () => {
    const { engine, fake, statuses } = setup();
    await engine.load(MODEL);
    let open!: () => void;
    fake.gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const run = collect(engine.generate(request()));
    await new Promise((r) => setTimeout(r, 20));
    fake.loseDevice();
    open();
    const error = await rejection(run);
    expect(error.code).toBe('device-lost');
    expect(error.userMessage('zh-CN')).toContain('重新加载');
    expect(statuses.some((s) => s.kind === 'device-lost')).toBe(true);

    fake.gate = undefined;
    const enginesBefore = fake.engines.length;
    const chunks = await collect(engine.generate(request()));
    expect(chunks.at(-1)).toMatchObject({ type: 'done', finishReason: 'stop' });
    expect(fake.engines.length).toBe(enginesBefore + 1); // a fresh MLCEngine: the model was reloaded
    expect(statuses.some((s) => s.kind === 'reloading' && s.progress?.phase === 'ready')).toBe(true);
  });

  it('device lost while idle: the event marks the model for reload before the next generation', async () => {
    const { engine, fake, statuses } = setup();
    await engine.load(MODEL);
    fake.loseDevice();
    await new Promise((r) => setTimeout(r, 10));
    expect(statuses.map((s) => s.kind)).toContain('device-lost');
    const chunks = await collect(engine.generate(request()));
    expect(chunks.at(-1)).toMatchObject({ type: 'done', finishReason: 'stop' });
    expect(fake.engines).toHaveLength(2);
  });

  it('a device lost while loading fails the load with device-lost', async () => {
    const fake = new FakeWebLlm();
    const { engine } = setup({}, fake);
    const load = engine.load(MODEL, (p) => {
      if (p.phase === 'loading') fake.loseDevice();
    });
    expect((await rejection(load)).code).toBe('device-lost');
  });

  it('a failed download becomes a network error naming the host; Load again resumes and succeeds', async () => {
    const { engine, fake, probes } = setup();
    fake.loadScripts.push({ failWith: new TypeError('Failed to fetch'), afterShards: 2 });
    const error = await rejection(engine.load(MODEL));
    expect(error.code).toBe('network');
    // The record's own base URL: `resolve/main/` unpinned, `resolve/<commit>/` once builtin-pins.json is written.
    expect(error.detail.url).toBe(`${BUILTIN_REGISTRY.entries.find((e) => e.record.model_id === MODEL)?.record.model}mlc-chat-config.json`);
    expect(error.detail.url).toMatch(/^https:\/\/huggingface\.co\/mlc-ai\/Qwen2\.5-1\.5B-Instruct-q4f32_1-MLC\/resolve\/[^/]+\/mlc-chat-config\.json$/);
    expect(probes[0]).toBe(error.detail.url);
    expect(error.message).toMatch(/proxy/);
    expect(error.userMessage('zh-CN')).toMatch(/代理/);
    expect(fake.fetchedShards).toHaveLength(2);

    await engine.load(MODEL);
    // Only the two missing shards were fetched again: the download resumed.
    expect(fake.fetchedShards).toHaveLength(fake.shards);
    expect(new Set(fake.fetchedShards).size).toBe(fake.shards);
    expect(engine.contextWindow()).toBe(4096);
  });

  it('a 404 from the model host says so', async () => {
    const { engine, fake } = setup({
      probeUrl: (url) => Promise.reject(new HttpStatusError(url, 404)),
    });
    fake.loadScripts.push({ failWith: new TypeError("Failed to execute 'add' on 'Cache': Request failed"), afterShards: 0 });
    const error = await rejection(engine.load(MODEL));
    expect(error.code).toBe('network');
    expect(error.detail.status).toBe(404);
    expect(error.message).toContain('HTTP 404');
  });

  it('a full disk becomes a quota error with the storage figures and what to do', async () => {
    const { engine, fake } = setup();
    fake.loadScripts.push({ failWith: namedError('QuotaExceededError', "Failed to execute 'add' on 'Cache': Quota exceeded."), afterShards: 1 });
    const error = await rejection(engine.load(MODEL));
    expect(error.code).toBe('quota');
    expect(error.detail.quotaBytes).toBe(10 * 2 ** 30);
    expect(error.message).toMatch(/Free disk space|delete other/);
  });

  it('aborting a load rejects with aborted; loading again resumes', async () => {
    const { engine, fake } = setup();
    const controller = new AbortController();
    const load = engine.load(
      MODEL,
      (p) => {
        if (p.phase === 'downloading') controller.abort();
      },
      { signal: controller.signal },
    );
    expect((await rejection(load)).code).toBe('aborted');
    const before = fake.fetchedShards.length;
    expect(before).toBeLessThan(fake.shards);
    await engine.load(MODEL);
    expect(fake.fetchedShards).toHaveLength(fake.shards);
  });

  it('a stalled download fails as a network error instead of hanging', async () => {
    const { engine, fake } = setup({ stallTimeoutMs: 50 });
    fake.loadScripts.push({ stall: true, afterShards: 1 });
    const error = await rejection(engine.load(MODEL));
    expect(error.code).toBe('network');
    expect(error.detail.cause).toContain('stalled');
  });

  it('a prompt over the context window is refused before anything is sent', async () => {
    const { engine, fake } = setup();
    await engine.load(MODEL);
    const long = '离职原因'.repeat(1100); // 4400 CJK characters
    const error = await rejection(collect(engine.generate(request({ messages: [{ role: 'user', content: long }], maxTokens: 512 }))));
    expect(error.code).toBe('context-overflow');
    expect(error.detail.contextWindow).toBe(4096);
    expect(error.detail.maxTokens).toBe(512);
    expect(error.detail.estimatedTokens).toBeGreaterThanOrEqual(4400);
    expect(error.message).toContain('4096');
    expect(fake.requests).toHaveLength(0);
  });

  it("WebLLM's own context error (if the estimate was ever too low) still arrives typed", async () => {
    const { engine, fake } = setup({}, new FakeWebLlm({ contextWindow: 10 }));
    await engine.load(MODEL);
    const error = await rejection(collect(engine.generate(request({ messages: [{ role: 'user', content: 'x'.repeat(100) }] }))));
    expect(error.code).toBe('context-overflow');
    expect(error.detail.contextWindow).toBe(10);
    expect(fake.requests).toHaveLength(1);
  });

  it('generate before load is not-loaded; an unknown model is model-not-found', async () => {
    const { engine } = setup();
    expect((await rejection(collect(engine.generate(request())))).code).toBe('not-loaded');
    expect((await rejection(engine.load('No-Such-Model'))).code).toBe('model-not-found');
  });

  it('a crashed worker fails pending calls, and the next request starts a new worker and reloads', async () => {
    const { engine, workers, statuses, fake } = setup();
    await engine.load(MODEL);
    workers.created[0]?.crash('out of memory');
    expect(workers.created[0]?.terminated).toBe(true);
    expect(statuses.at(-1)).toMatchObject({ kind: 'worker-crashed' });
    const chunks = await collect(engine.generate(request()));
    expect(chunks.at(-1)).toMatchObject({ type: 'done' });
    expect(workers.created).toHaveLength(2);
    expect(fake.engines).toHaveLength(2);
  });

  it('deletes cached models', async () => {
    const { engine } = setup();
    await engine.load(MODEL);
    expect(await engine.isCached(MODEL)).toBe(true);
    await engine.deleteCached(MODEL);
    expect(await engine.isCached(MODEL)).toBe(false);
    expect(engine.loadedModel()).toBeUndefined();
  });

  it('reports storage and hello', async () => {
    const { engine } = setup();
    const hello = await engine.ready();
    expect(hello.protocol).toBe('liuhen/1');
    expect(await engine.storageEstimate()).toEqual({ usageBytes: 9.5 * 2 ** 30, quotaBytes: 10 * 2 ** 30, persisted: false });
  });
});
