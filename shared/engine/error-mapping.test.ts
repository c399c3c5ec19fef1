import { describe, expect, it } from 'vitest';
import { describeEngineError, ENGINE_ERROR_CODES, EngineError } from './errors';
import { HttpStatusError, toEngineError } from './error-mapping';
import { namedError } from '../../test/doubles/fake-webllm';

describe('error mapping', () => {
  it.each([
    [new DOMException("Failed to execute 'add' on 'Cache': Quota exceeded.", 'QuotaExceededError'), 'quota'],
    ["QuotaExceededError: Failed to execute 'add' on 'Cache': Quota exceeded.", 'quota'],
    [new TypeError('Failed to fetch'), 'network'],
    [new TypeError('NetworkError when attempting to fetch resource.'), 'network'],
    [new TypeError('Load failed'), 'network'],
    [new TypeError("Failed to execute 'add' on 'Cache': Request failed"), 'network'],
    ["NetworkError: Failed to execute 'add' on 'Cache': Cache.add() encountered a network error", 'network'],
    [new Error('Failed to store https://h/x/resolve/main/params_shard_0.bin with error: TypeError: Failed to fetch'), 'network'],
    [new HttpStatusError('https://h/a/b/resolve/main/mlc-chat-config.json', 404), 'network'],
    [new DOMException('The operation was aborted.', 'AbortError'), 'aborted'],
    [namedError('DeviceLostError', 'The WebGPU device was lost while loading the model.'), 'device-lost'],
    [namedError('ModelNotFoundError', 'Cannot find model record'), 'model-not-found'],
    [namedError('ShaderF16SupportError', 'This model requires WebGPU extension shader-f16'), 'missing-feature'],
    [namedError('WebGPUNotAvailableError', 'WebGPU is not supported in your current environment'), 'no-webgpu'],
    [new Error("Unable to find a compatible GPU. This issue might be because your computer doesn't have a GPU"), 'no-adapter'],
    [namedError('ModelNotLoadedError', 'Model not loaded before trying to complete'), 'not-loaded'],
    [new Error('Cannot initialize runtime because of requested maxStorageBufferBindingSize exceeds limit.'), 'missing-feature'],
    [new RangeError('something else'), 'internal'],
    [42, 'internal'],
  ])('%s -> %s', (input, code) => {
    expect(toEngineError(input).code).toBe(code);
  });

  it('keeps the URL and status of a failed fetch', () => {
    const e = toEngineError(new HttpStatusError('https://models.example.com/acme/resolve/v1/mlc-chat-config.json', 404));
    expect(e.detail).toMatchObject({ status: 404, url: 'https://models.example.com/acme/resolve/v1/mlc-chat-config.json' });
    expect(e.message).toContain('models.example.com');
    expect(e.message).toContain('HTTP 404');
    const u = toEngineError(new Error('Cannot fetch https://h.example/x/resolve/main/params_shard_3.bin'), { url: 'https://other/' });
    expect(u.detail.url).toBe('https://h.example/x/resolve/main/params_shard_3.bin');
  });

  it("parses WebLLM's context-window error numbers", () => {
    const e = toEngineError(
      namedError('ContextWindowSizeExceededError', 'Prompt tokens exceed context window size: number of prompt tokens: 5000; context window size: 4096\nConsider…'),
    );
    expect(e.code).toBe('context-overflow');
    expect(e.detail).toMatchObject({ estimatedTokens: 5000, contextWindow: 4096 });
  });

  it('a known device loss turns any failure into device-lost', () => {
    expect(toEngineError(new Error('validation error'), { deviceLost: true }).code).toBe('device-lost');
  });

  it('every code has a message in both languages that says what to do', () => {
    for (const code of ENGINE_ERROR_CODES) {
      const text = describeEngineError(code, { url: 'https://huggingface.co/x', feature: 'shader-f16', modelId: 'm' });
      expect(text.en.length).toBeGreaterThan(5);
      expect(text['zh-CN'].length).toBeGreaterThan(2);
    }
    expect(describeEngineError('network', { url: 'https://huggingface.co/x' }).en).toMatch(/network.*proxy.*huggingface\.co.*“Download \/ load model”/s);
    // Only what the writer can see: the model area's buttons, no "model settings" (there are none).
    for (const code of ENGINE_ERROR_CODES) expect(describeEngineError(code).en).not.toMatch(/model settings|click Load\b/);
    expect(describeEngineError('quota').en).toMatch(/Free disk space.*delete models you no longer use \(“Delete download”\)/s);
    expect(describeEngineError('no-webgpu').en).toMatch(/WebView2.*113.*Safari 26.*hardware acceleration/s);
  });

  it('round-trips through wire data', () => {
    const original = new EngineError('context-overflow', { estimatedTokens: 5000, maxTokens: 512, contextWindow: 4096 });
    const copy = EngineError.fromWire(structuredClone(original.toWire()));
    expect(copy).toBeInstanceOf(EngineError);
    expect(copy.code).toBe('context-overflow');
    expect(copy.message).toBe(original.message);
    expect(copy.userMessage('zh-CN')).toContain('4096');
    expect(EngineError.fromWire({ code: 'weird', message: 'x' }).code).toBe('internal');
  });
});
