/**
 * Engines the evaluation can run the pipeline through, besides WebLLM in the browser.
 *
 * - {@link ReplayEngine}: answers with the case's own reference record. It is the honest baseline of the harness
 *   (`--engine replay`): what the pipeline's guard, repair and checks make of the approved records themselves,
 *   so CI can run the whole evaluation with no model. It is not a model and never claims to be one.
 * - {@link OpenAiCompatibleEngine}: a model served with an OpenAI-compatible chat API on the admin's machine
 *   (`mlc_llm serve <merged-model-MLC>`, vLLM, llama.cpp's server), to evaluate a fine-tune before publishing it.
 */
import { EngineError } from '../../shared/engine/errors';
import type { GenerateChunk, GenerateRequest, LlmEngine } from '../../shared/engine/port';

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

/** Options of {@link OpenAiCompatibleEngine}. */
export interface OpenAiCompatibleOptions {
  /** Base URL of the API, e.g. `http://127.0.0.1:8000/v1`. */
  baseUrl: string;
  /** The `model` the server knows the fine-tune by. */
  model: string;
  /** Context window of the served model (default 4096, Liuhen's records). */
  contextWindow?: number;
  /** Send the template's grammar as `response_format` (only servers that accept WebLLM's grammar shape). */
  sendGrammar?: boolean;
  fetch?: typeof fetch;
}

interface ChatCompletion {
  choices?: { message?: { content?: string | null }; finish_reason?: string | null }[];
  usage?: { prompt_tokens?: number; completion_tokens?: number };
}

/** One non-streaming chat completion per request against an OpenAI-compatible server. */
export class OpenAiCompatibleEngine implements LlmEngine {
  constructor(private readonly options: OpenAiCompatibleOptions) {}

  async load(): Promise<void> {
    await Promise.resolve();
  }

  contextWindow(): number {
    return this.options.contextWindow ?? 4096;
  }

  async *generate(request: GenerateRequest): AsyncIterable<GenerateChunk> {
    const doFetch = this.options.fetch ?? fetch;
    const body = {
      model: this.options.model,
      messages: request.messages,
      max_tokens: request.maxTokens,
      temperature: request.temperature,
      ...(request.seed !== undefined ? { seed: request.seed } : {}),
      ...(this.options.sendGrammar && request.responseFormat ? { response_format: request.responseFormat } : {}),
      stream: false,
    };
    let response: Response;
    try {
      response = await doFetch(`${this.options.baseUrl.replace(/\/$/, '')}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        ...(request.signal ? { signal: request.signal } : {}),
      });
    } catch (e) {
      if (request.signal?.aborted) {
        yield { type: 'done', finishReason: 'abort', usage: { promptTokens: 0, completionTokens: 0 } };
        return;
      }
      throw new EngineError('network', { url: this.options.baseUrl, cause: e instanceof Error ? e.message : String(e) });
    }
    if (!response.ok) {
      throw new EngineError('internal', { url: this.options.baseUrl, status: response.status, cause: (await response.text()).slice(0, 200) });
    }
    const json = (await response.json()) as ChatCompletion;
    const choice = json.choices?.[0];
    const text = choice?.message?.content ?? '';
    if (text !== '') yield { type: 'text', text };
    yield {
      type: 'done',
      finishReason: choice?.finish_reason === 'length' ? 'length' : 'stop',
      usage: { promptTokens: json.usage?.prompt_tokens ?? 0, completionTokens: json.usage?.completion_tokens ?? 0 },
    };
  }

  async isCached(): Promise<boolean> {
    await Promise.resolve();
    return true;
  }

  async deleteCached(): Promise<void> {
    await Promise.resolve();
  }
}
