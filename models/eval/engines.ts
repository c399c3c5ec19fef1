/**
 * Engines the evaluation can run the pipeline through, besides WebLLM in the browser.
 *
 * - {@link ReplayEngine}: answers with the case's own reference record. It is the honest baseline of the harness
 *   (`--engine replay`): what the pipeline's guard, repair and checks make of the approved records themselves,
 *   so CI can run the whole evaluation with no model. It is not a model and never claims to be one.
 * - {@link connectOpenAiEngine}: a model served with an OpenAI-compatible chat API (vLLM, `mlc_llm serve
 *   <merged-model-MLC>`, llama.cpp's server), to evaluate a fine-tune before publishing it — through the pane's
 *   own OpenAiCompatibleEngine.
 */
import { OpenAiCompatibleEngine } from '../../shared/engine/openai-engine';
import type { GenerateChunk, GenerateRequest, LlmEngine } from '../../shared/engine/port';
import type { ServerKind } from '../../shared/engine/server';

/** Chunks of about one Qwen token of Chinese text, so streaming code paths run as with a real model. */
function chunks(text: string, size = 3): string[] {
  const cps = Array.from(text);
  const out: string[] = [];
  for (let i = 0; i < cps.length; i += size) out.push(cps.slice(i, i + size).join(''));
  return out;
}

/** Replays one fixed answer for every request (the evaluation creates one per case). */
export class ReplayEngine implements LlmEngine {
  /** Requests seen, for the evaluation's prompt-size statistics. */
  readonly requests: GenerateRequest[] = [];

  constructor(
    private readonly answer: string,
    private readonly window = 4096,
  ) {}

  async load(): Promise<void> {
    await Promise.resolve();
  }

  contextWindow(): number {
    return this.window;
  }

  async *generate(request: GenerateRequest): AsyncIterable<GenerateChunk> {
    this.requests.push(request);
    await Promise.resolve();
    let completionTokens = 0;
    for (const text of chunks(this.answer)) {
      if (request.signal?.aborted) {
        yield { type: 'done', finishReason: 'abort', usage: { promptTokens: 0, completionTokens } };
        return;
      }
      completionTokens += 1;
      yield { type: 'text', text };
    }
    yield { type: 'done', finishReason: 'stop', usage: { promptTokens: 0, completionTokens } };
  }

  async isCached(): Promise<boolean> {
    await Promise.resolve();
    return true;
  }

  async deleteCached(): Promise<void> {
    await Promise.resolve();
  }
}

/**
 * Replays what a model wrote for a case (`liuhen_models generate`, which ran the merged model locally under
 * the pane's grammar), and first checks that the pipeline asks for exactly the prompt that model was sent:
 * a different prompt (another profile or template) would make the numbers describe nothing real.
 */
export const PROMPT_MISMATCH =
  'prompt mismatch: the pipeline builds a different prompt than liuhen_models generate sent the model (another template or prompt profile?)';

export class RecordedEngine extends ReplayEngine {
  constructor(
    answer: string,
    private readonly sent: readonly { role: string; content: string }[],
    window = 4096,
  ) {
    super(answer, window);
  }

  override async *generate(request: GenerateRequest): AsyncIterable<GenerateChunk> {
    if (JSON.stringify(request.messages) !== JSON.stringify(this.sent)) {
      throw new Error(PROMPT_MISMATCH);
    }
    yield* super.generate(request);
  }
}

/**
 * The admin's server for `--engine openai`: the SAME client the pane and the batch use
 * (shared/engine/openai-engine.ts; one client, not two), connected and checked (`GET /v1/models`: the model is
 * served; context window from vLLM's `max_model_len`). The template's output contract goes in the field the
 * server kind accepts, as in the pane (vLLM: structured_outputs.grammar).
 */
export async function connectOpenAiEngine(options: {
  /** Base URL of the API, e.g. `http://127.0.0.1:8000/v1`. */
  baseUrl: string;
  /** The `model` the server serves the fine-tune as (or the LoRA adapter's name). */
  model: string;
  kind?: ServerKind;
  /** Context window where the server's model list does not say it (mlc). */
  contextWindow?: number;
  /** Sent as a Bearer token (vLLM `--api-key`). */
  apiKey?: string;
}): Promise<OpenAiCompatibleEngine> {
  const engine = new OpenAiCompatibleEngine({
    server: { kind: options.kind ?? 'vllm', baseUrl: options.baseUrl.replace(/\/+$/, ''), model: options.model, ...(options.contextWindow ? { contextWindow: options.contextWindow } : {}) },
    ...(options.apiKey ? { apiKey: options.apiKey } : {}),
  });
  await engine.load(options.model);
  return engine;
}

export { OpenAiCompatibleEngine };
