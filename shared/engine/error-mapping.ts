/**
 * Maps whatever WebLLM, the browser or WebGPU throws to an {@link EngineError}. Runs in the worker, where the
 * original error objects exist, so matching can use names (WebLLM's error classes set `name`; DOMExceptions
 * carry `QuotaExceededError`, `AbortError`, `NetworkError`). Strings of the form "Name: message" (what WebLLM's
 * own worker handler sends) are understood too.
 */
import { EngineError, type EngineErrorDetail } from './errors';

/** What the mapper knows about the operation that failed. */
export interface ErrorContext {
  /** The model concerned. */
  modelId?: string;
  /** The URL being fetched, where known (the model base URL during a load). */
  url?: string;
  /** True when the GPU device is known to have been lost meanwhile. */
  deviceLost?: boolean;
  /** True when the request carried a grammar (xgrammar aborts its wasm on a grammar it cannot parse). */
  grammar?: boolean;
}

/** A fetch that the host answered with an error status; thrown by Liuhen's own probes. */
export class HttpStatusError extends Error {
  constructor(
    readonly url: string,
    readonly status: number,
  ) {
    super(`HTTP ${status} for ${url}`);
    this.name = 'HttpStatusError';
  }
}

function nameAndMessage(error: unknown): { name: string; message: string } {
  if (typeof error === 'string') {
    const m = /^([A-Za-z]*Error|[A-Za-z]*Exception)\s*:\s*([\s\S]*)$/.exec(error);
    return m ? { name: m[1] ?? 'Error', message: m[2] ?? '' } : { name: 'Error', message: error };
  }
  if (typeof error === 'object' && error !== null) {
    const e = error as { name?: unknown; message?: unknown };
    return {
      name: typeof e.name === 'string' ? e.name : 'Error',
      message: typeof e.message === 'string' ? e.message : String(error),
    };
  }
  return { name: 'Error', message: String(error) };
}

/** Browser wordings of a failed fetch: Chrome, Firefox, Safari, and Cache.add() in each. */
const NETWORK_PATTERNS = [
  /failed to fetch/i,
  /networkerror/i,
  /network error/i,
  /load failed/i,
  /request failed/i,
  /cannot fetch/i,
  /failed to store/i,
  /network response was not ok/i,
  /err_(connection|name|internet|proxy|tunnel|address|timed)/i,
];

const URL_IN_TEXT = /https?:\/\/[^\s'"<>)]+/;

/** Maps any thrown value to an EngineError. EngineErrors pass through unchanged. */
export function toEngineError(error: unknown, context: ErrorContext = {}): EngineError {
  if (error instanceof EngineError) return error;
  const { name, message } = nameAndMessage(error);
  const cause = `${name}: ${message}`.slice(0, 500);
  const base: EngineErrorDetail = { cause };
  if (context.modelId) base.modelId = context.modelId;

  if (error instanceof HttpStatusError) {
    return new EngineError('network', { ...base, url: error.url, status: error.status });
  }
  // WebLLM 0.2.86 wraps grammar set-up failures in GrammarMatcherInitError; older builds surface xgrammar's own
  // "EBNF parse error" or its wasm "Aborted()".
  if (name === 'GrammarMatcherInitError' || /EBNF pars|grammar_parser|grammar matcher/i.test(message) || (context.grammar && name === 'RuntimeError' && /^Aborted\(/.test(message))) {
    return new EngineError('grammar-rejected', base);
  }
  if (name === 'AbortError' || /aborted/i.test(name)) return new EngineError('aborted', base);
  if (name === 'QuotaExceededError' || /quota ?exceeded/i.test(message)) return new EngineError('quota', base);
  if (context.deviceLost || name === 'DeviceLostError' || /device (was|is|has been) lost|device lost/i.test(message)) {
    return new EngineError('device-lost', base);
  }
  if (name === 'ContextWindowSizeExceededError') {
    const prompt = /prompt tokens:\s*(\d+)/i.exec(message);
    const window = /context window size:\s*(\d+)/i.exec(message);
    return new EngineError('context-overflow', {
      ...base,
      estimatedTokens: prompt ? Number(prompt[1]) : undefined,
      contextWindow: window ? Number(window[1]) : undefined,
      maxTokens: 0,
    });
  }
  if (name === 'ModelNotFoundError' || name === 'SpecifiedModelNotFoundError') {
    return new EngineError('model-not-found', base);
  }
  if (name === 'ShaderF16SupportError') return new EngineError('missing-feature', { ...base, feature: 'shader-f16' });
  if (name === 'FeatureSupportError') {
    const f = /feature[:\s]+([a-z0-9-]+)/i.exec(message);
    return new EngineError('missing-feature', { ...base, feature: f?.[1] ?? 'unknown' });
  }
  if (/requested (maxBufferSize|maxStorageBufferBindingSize|maxComputeWorkgroupStorageSize|maxStorageBuffersPerShaderStage)/i.test(message)) {
    const f = /requested (\w+)/i.exec(message);
    return new EngineError('missing-feature', { ...base, feature: f?.[1] ?? 'limits' });
  }
  if (name === 'WebGPUNotAvailableError') return new EngineError('no-webgpu', base);
  if (name === 'WebGPUNotFoundError' || /unable to find a compatible gpu/i.test(message)) {
    return new EngineError('no-adapter', base);
  }
  if (
    name === 'ModelNotLoadedError' ||
    name === 'EngineNotLoadedError' ||
    name === 'WorkerEngineModelNotLoadedError'
  ) {
    return new EngineError('not-loaded', base);
  }
  if (name === 'NetworkError' || (name === 'TypeError' && NETWORK_PATTERNS.some((p) => p.test(message))) ||
      (name === 'Error' && NETWORK_PATTERNS.some((p) => p.test(message)))) {
    const url = URL_IN_TEXT.exec(message)?.[0] ?? context.url;
    const detail: EngineErrorDetail = { ...base };
    if (url) detail.url = url;
    return new EngineError('network', detail);
  }
  return new EngineError('internal', base);
}
