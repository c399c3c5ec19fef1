/**
 * A raw WebLLM call, without Liuhen: the same model record and the same request the product sent, through
 * web-llm 0.2.79's own `CreateMLCEngine` (bundled by esbuild for `npm run bench:runtime`), timed the same way.
 */
import { CreateMLCEngine, type AppConfig, type ChatCompletionRequestStreaming, type ModelRecord } from '@mlc-ai/web-llm-0279';

export interface RawTimings {
  loadMs: number;
  ttftMs: number;
  chunkTimesMs: number[];
  text: string;
}

async function rawRun(record: ModelRecord, request: ChatCompletionRequestStreaming, chunks: number): Promise<RawTimings> {
  const t0 = performance.now();
  const engine = await CreateMLCEngine(record.model_id, { appConfig: { model_list: [record] } as AppConfig, logLevel: 'WARN' });
  const loadMs = performance.now() - t0;
  const t1 = performance.now();
  const stream = await engine.chat.completions.create({ ...request, stream: true, stream_options: { include_usage: true } });
  const times: number[] = [];
  let text = '';
  for await (const chunk of stream) {
    const delta = chunk.choices[0]?.delta?.content;
    if (delta) {
      times.push(performance.now() - t1);
      text += delta;
      if (times.length === chunks) void engine.interruptGenerate();
    }
  }
  await engine.unload();
  return { loadMs, ttftMs: times[0] ?? NaN, chunkTimesMs: times, text };
}

(window as unknown as { rawRun: typeof rawRun }).rawRun = rawRun;
