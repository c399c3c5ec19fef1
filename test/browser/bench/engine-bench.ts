/**
 * Benchmark page (built only with `webpack --env bench`, into dist/bench/). It statically imports WebLLM's
 * page-side client, so its first-load JS also shows what a page using CreateWebWorkerMLCEngine would weigh.
 *
 * Always: protocol round trips to Liuhen's engine worker. With `?model=<id>` (needs a GPU and the model's
 * files reachable): Liuhen load (cold with `cold=1`, then cached), generations, then the same with WebLLM's own
 * CreateWebWorkerMLCEngine + WebWorkerMLCEngineHandler on the same prompt. Results go to body[data-results].
 */
import { CreateWebWorkerMLCEngine, type AppConfig } from '@mlc-ai/web-llm';
import { loadRegistryFile } from '../../../shared/engine/registry/file';
import { findModel } from '../../../shared/engine/model-record';
import { WebLlmEngine } from '../../../shared/engine/webllm-engine';
import type { ChatMessage } from '../../../shared/prompt/types';

const params = new URLSearchParams(location.search);
const log = (line: string): void => {
  const el = document.getElementById('log');
  if (el) el.textContent += `${line}\n`;
};
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? (s[(s.length - 1) / 2] ?? NaN) : ((s[s.length / 2 - 1] ?? 0) + (s[s.length / 2] ?? 0)) / 2;
};

const PROMPT: ChatMessage[] = [
  { role: 'system', content: '你是人力资源记录助手，只根据材料写作，不编造。' },
  {
    role: 'user',
    content:
      '根据以下离职面谈要点写一段不超过80字的【离职原因】：员工表示通勤时间长（单程1.5小时），希望离家近；对团队氛围评价正面；薪资不是主要原因。',
  },
];
const MAX_TOKENS = 96;

interface Run {
  totalMs: number;
  firstTextMs?: number;
  promptTokens?: number;
  completionTokens?: number;
  prefillTps?: number;
  decodeTps?: number;
}

async function main(): Promise<Record<string, unknown>> {
  const results: Record<string, unknown> = {};
  // The registry is read as the task pane reads it: model-records.json beside the page (scripts/bench-engine.ts
  // serves its --registry there; none: the built-in models). No ?registry=: deployed pages ignore it (issue 15).
  const loaded = await loadRegistryFile('./model-records.json');
  if (loaded.problems.length) throw new Error(loaded.problems.join('\n'));
  const registry = loaded.registry;
  const engine = new WebLlmEngine({ registry });
  let t = performance.now();
  await engine.ready();
  results.workerStartMs = performance.now() - t;
  const rtts: number[] = [];
  for (let i = 0; i < 50; i++) {
    t = performance.now();
    await engine.ready();
    rtts.push(performance.now() - t);
  }
  results.helloRoundTripMedianMs = median(rtts);
  log(`worker start ${(results.workerStartMs as number).toFixed(1)} ms, hello RTT median ${median(rtts).toFixed(3)} ms`);

  const modelId = params.get('model');
  if (!modelId) return results;
  const entry = findModel(registry, modelId);
  if (!entry) throw new Error(`unknown model ${modelId}`);
  const runs = Number(params.get('runs') ?? '3');

  if (params.get('cold') === '1') await engine.deleteCached(modelId);
  t = performance.now();
  await engine.load(modelId, (p) => log(`load ${Math.round(p.fraction * 100)}% ${p.phase}`));
  results[params.get('cold') === '1' ? 'liuhenColdLoadMs' : 'liuhenLoadMs'] = performance.now() - t;
  await engine.unload();
  t = performance.now();
  await engine.load(modelId);
  results.liuhenCachedLoadMs = performance.now() - t;

  const liuhen: Run[] = [];
  for (let i = 0; i < runs + 1; i++) {
    const start = performance.now();
    const run: Run = { totalMs: 0 };
    for await (const chunk of engine.generate({ messages: PROMPT, maxTokens: MAX_TOKENS, temperature: 0, seed: 1 })) {
      if (chunk.type === 'text') run.firstTextMs ??= performance.now() - start;
      else {
        run.promptTokens = chunk.usage.promptTokens;
        run.completionTokens = chunk.usage.completionTokens;
        if (chunk.usage.prefillTokensPerSecond !== undefined) run.prefillTps = chunk.usage.prefillTokensPerSecond;
        if (chunk.usage.decodeTokensPerSecond !== undefined) run.decodeTps = chunk.usage.decodeTokensPerSecond;
      }
    }
    run.totalMs = performance.now() - start;
    if (i > 0) liuhen.push(run); // the first run warms up shaders and caches
  }
  results.liuhen = liuhen;
  await engine.unload();
  engine.dispose();

  const worker = new Worker(new URL('./direct.worker.ts', import.meta.url), { type: 'module' });
  const appConfig: AppConfig = { model_list: [entry.record as AppConfig['model_list'][number]], cacheBackend: 'cache' };
  t = performance.now();
  const direct = await CreateWebWorkerMLCEngine(worker, modelId, { appConfig });
  results.directCachedLoadMs = performance.now() - t;
  const directRuns: Run[] = [];
  for (let i = 0; i < runs + 1; i++) {
    const start = performance.now();
    const run: Run = { totalMs: 0 };
    const stream = await direct.chat.completions.create({
      messages: PROMPT,
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: MAX_TOKENS,
      temperature: 0,
      seed: 1,
    });
    for await (const chunk of stream) {
      if (chunk.choices[0]?.delta?.content) run.firstTextMs ??= performance.now() - start;
      if (chunk.usage) {
        run.promptTokens = chunk.usage.prompt_tokens;
        run.completionTokens = chunk.usage.completion_tokens;
        const extra = chunk.usage.extra as { prefill_tokens_per_s?: number; decode_tokens_per_s?: number } | undefined;
        if (extra?.prefill_tokens_per_s !== undefined) run.prefillTps = extra.prefill_tokens_per_s;
        if (extra?.decode_tokens_per_s !== undefined) run.decodeTps = extra.decode_tokens_per_s;
      }
    }
    run.totalMs = performance.now() - start;
    if (i > 0) directRuns.push(run);
  }
  results.direct = directRuns;
  await direct.unload();
  worker.terminate();
  results.ratioTotal = median(liuhen.map((r) => r.totalMs)) / median(directRuns.map((r) => r.totalMs));
  results.ratioFirstText =
    median(liuhen.map((r) => r.firstTextMs ?? NaN)) / median(directRuns.map((r) => r.firstTextMs ?? NaN));
  return results;
}

main().then(
  (results) => {
    document.body.dataset.results = JSON.stringify(results);
    document.body.dataset.done = 'true';
  },
  (error: unknown) => {
    document.body.dataset.error = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    document.body.dataset.done = 'true';
  },
);
