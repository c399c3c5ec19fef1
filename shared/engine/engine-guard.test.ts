/**
 * Generate never leaves the writer waiting: a grammar the runtime cannot read is refused in the worker with the
 * reason, WebLLM's grammar errors arrive typed, and a runtime that never answers is given up on (the worker is
 * replaced, the model reloaded on the next request).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FakeWebLlm, namedError } from '../../test/doubles/fake-webllm';
import { inMemoryWorkers } from '../../test/doubles/in-memory-worker';
import { BUILTIN_REGISTRY } from './registry';
import { deriveContract } from '../output';
import { BUILTIN_TEMPLATES } from '../templates';
import { EngineError } from './errors';
import { toEngineError } from './error-mapping';
import type { GenerateChunk, GenerateRequest } from './port';
import { defaultWatchdog, WebLlmEngine, type Watchdog } from './webllm-engine';

const MODEL = 'Qwen2.5-1.5B-Instruct-q4f32_1-MLC';
const engines: WebLlmEngine[] = [];
afterEach(() => {
  for (const e of engines.splice(0)) e.dispose();
});

function setup(watchdog?: Watchdog, fake = new FakeWebLlm()) {
  const workers = inMemoryWorkers(() => ({
    webllm: fake.module,
    watchDeviceLoss: fake.watchDeviceLoss,
    storage: { estimate: () => Promise.resolve({ usage: 0, quota: 10 * 2 ** 30 }), persisted: () => Promise.resolve(true) },
  }));
  const engine = new WebLlmEngine({
    registry: BUILTIN_REGISTRY,
    createWorker: workers.create,
    cacheBackend: 'cache',
    requestPersistence: () => Promise.resolve(true),
    ...(watchdog ? { watchdog } : {}),
  });
  engines.push(engine);
  return { engine, fake, workers };
}

const request = (overrides: Partial<GenerateRequest> = {}): GenerateRequest => ({
  messages: [{ role: 'user', content: '请整理离职面谈记录' }],
  maxTokens: 16,
  temperature: 0,
  ...overrides,
});

async function outcome(iterable: AsyncIterable<GenerateChunk>): Promise<{ chunks: GenerateChunk[]; error?: EngineError; ms: number }> {
  const started = Date.now();
  const chunks: GenerateChunk[] = [];
  try {
    for await (const c of iterable) chunks.push(c);
    return { chunks, ms: Date.now() - started };
  } catch (error) {
    expect(error).toBeInstanceOf(EngineError);
    return { chunks, error: error as EngineError, ms: Date.now() - started };
  }
}

describe('grammar failures at Generate reach the writer as a clear error', () => {
  it('a grammar the runtime cannot read is refused in the worker, in well under a second, naming the reason; WebLLM never sees it', async () => {
    const { engine, fake } = setup();
    await engine.load(MODEL);
    const bad = String.raw`root ::= [^\u0000-\u001f\u007f0-9]+`;
    const r = await outcome(engine.generate(request({ responseFormat: { type: 'grammar', grammar: bad } })));
    expect(r.error?.code).toBe('grammar-rejected');
    expect(r.error?.message).toMatch(/output format/);
    expect(r.error?.message).toContain('U+007F followed by "0"');
    expect(r.error?.userMessage('zh-CN')).toContain('模板需要修正');
    expect(r.ms).toBeLessThan(1000);
    expect(fake.requests).toHaveLength(0);
    // The engine is fine afterwards: a built-in template's grammar goes through.
    const ok = await outcome(engine.generate(request({ responseFormat: deriveContract(BUILTIN_TEMPLATES[0]!).responseFormat })));
    expect(ok.error).toBeUndefined();
    expect(fake.requests).toHaveLength(1);
  });

  it("WebLLM's grammar errors (0.2.86 GrammarMatcherInitError, an older build's parse error or wasm abort) map to grammar-rejected", () => {
    expect(toEngineError(namedError('GrammarMatcherInitError', 'Failed to initialize grammar matcher for grammar')).code).toBe('grammar-rejected');
    expect(toEngineError(new Error('[FATAL] grammar_parser.cc:72: EBNF parse error at line 5, column 38: Invalid escape sequence')).code).toBe('grammar-rejected');
    expect(toEngineError(namedError('RuntimeError', 'Aborted(). Build with -sASSERTIONS for more info.'), { grammar: true }).code).toBe('grammar-rejected');
    expect(toEngineError(namedError('RuntimeError', 'Aborted(). Build with -sASSERTIONS for more info.')).code).toBe('internal');
  });
});

describe('the watchdog: a runtime that never answers cannot leave the pane at "Writing…"', () => {
  const quick: Watchdog = { firstChunkMs: () => 300, idleMs: () => 300 };

  it('no first text within the limit: no-response, the worker is replaced, and the next Generate reloads the model and works', async () => {
    const { engine, fake, workers } = setup(quick);
    await engine.load(MODEL);
    fake.gate = new Promise<void>(() => undefined); // WebLLM never answers
    const r = await outcome(engine.generate(request()));
    expect(r.error?.code).toBe('no-response');
    expect(r.error?.message).toMatch(/stopped answering/);
    expect(r.ms).toBeLessThan(5000);
    expect(workers.created[0]?.terminated).toBe(true);

    fake.gate = undefined;
    const again = await outcome(engine.generate(request()));
    expect(again.error).toBeUndefined();
    expect(again.chunks.at(-1)).toMatchObject({ type: 'done', finishReason: 'stop' });
    expect(workers.created).toHaveLength(2);
  });

  it('a slow but live runtime is not cut off: limits grow with the prompt, and adapt to measured speeds', () => {
    const unmeasured = {};
    // 120 estimated tokens on a busy software renderer: ~400 s measured (test/runtime).
    expect(defaultWatchdog.firstChunkMs(120, unmeasured)).toBeGreaterThan(800_000);
    expect(defaultWatchdog.idleMs(unmeasured)).toBeGreaterThan(60_000); // ~15 s a token there
    const gpu = { prefillTokensPerSecond: 1000, decodeTokensPerSecond: 40 };
    expect(defaultWatchdog.firstChunkMs(1500, gpu)).toBeLessThan(150_000);
    expect(defaultWatchdog.idleMs(gpu)).toBeLessThan(70_000);
  });
});
