/**
 * Summary benchmark: a synthetic survey of N open-ended answers (default 1,000) condensed into themes with counts
 * by the real summary code (redaction, sampling, batching to the context window, grammars, parsing, counting,
 * quotes, insertion plan), with the test-double engine playing the model (keyword labelling, no GPU here).
 *
 *   npx tsx scripts/bench-summary.ts                      # 1,000 answers, 4,096-token window
 *   npx tsx scripts/bench-summary.ts --answers 5000 --window 8192 --decode-tps 71 --prefill-tps 1000
 *
 * Prints wall time, engine requests per pass, prompt and answer tokens, the themes with counts, and an estimate
 * of GPU time at WebLLM rates: tokens / rate, summed over requests (WebLLM has no prefix cache, so every
 * request prefills its whole prompt). The default decode rate is WebLLM's published figure for Phi-3.5-mini
 * q4f16_1 on an Apple M3 Max (71 tok/s, arXiv 2412.15803, Table 1), a conservative stand-in for the 1.5B default
 * model; the paper gives no prefill rate, so the default prefill rate (1,000 tok/s) is an assumption — pass the
 * rates a `usage.extra` of your own GPU reports.
 */
import { estimateTokens } from '../shared/source';
import { buildSummaryPlan } from '../shared/pipeline/summary-plan';
import { summarise } from '../shared/pipeline/summary';
import { FakeEngine } from '../test/doubles/fake-engine';
import { surveyAnswers, surveyModel } from '../test/fixtures/survey';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : NaN;
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

const N = arg('answers', 1000);
const WINDOW = arg('window', 4096);
const DECODE_TPS = arg('decode-tps', 71);
const PREFILL_TPS = arg('prefill-tps', 1000);

async function main(): Promise<void> {
  const answers = surveyAnswers(N);
  let answerTokens = 0;
  const engine = new FakeEngine({
    contextWindow: WINDOW,
    chunkSize: 64,
    respond: (q) => {
      const text = surveyModel(q);
      const tokens = estimateTokens(text);
      answerTokens += tokens;
      return text;
    },
  });
  const t0 = performance.now();
  const result = await summarise({ items: answers, engine, language: 'zh-CN' });
  const plan = buildSummaryPlan(result, { kind: 'after-anchor', anchor: 'bench' });
  const wallMs = performance.now() - t0;
  const promptTokens = result.usage.promptTokens;
  const requests = result.requests.discover + result.requests.merge + result.requests.label;
  const gpuS = promptTokens / PREFILL_TPS + answerTokens / DECODE_TPS;

  console.log(`Summary of ${N} survey answers (zh-CN), context window ${WINDOW} tokens, test-double engine`);
  console.log(`  wall time (Liuhen's code, no GPU):  ${(wallMs / 1000).toFixed(2)} s`);
  console.log(`  engine requests:                    ${requests} (discover ${result.requests.discover}, merge ${result.requests.merge}, label ${result.requests.label})`);
  console.log(`  prompt tokens (estimate, prefilled): ${promptTokens}  (${Math.round(promptTokens / Math.max(1, requests))} per request)`);
  console.log(`  answer tokens (estimate, decoded):   ${answerTokens}`);
  console.log(`  items: ${result.total} read, ${result.labelled} labelled, ${result.referred} referred (allegations, not summarised)`);
  console.log(`  themes (count from per-item labels):`);
  for (const t of result.themes) console.log(`    ${t.code.padEnd(12)} ${t.label}  ${String(t.count).padStart(4)}  ${(t.share * 100).toFixed(1)}%  quotes: ${t.quotes.map((q) => `“${q}”`).join(' ')}`);
  console.log(`  insertion plan: ${plan.blocks.length} blocks`);
  console.log(`  GPU estimate at ${PREFILL_TPS} tok/s prefill, ${DECODE_TPS} tok/s decode: ${gpuS.toFixed(1)} s ` +
    `(prefill ${(promptTokens / PREFILL_TPS).toFixed(1)} s + decode ${(answerTokens / DECODE_TPS).toFixed(1)} s)`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
