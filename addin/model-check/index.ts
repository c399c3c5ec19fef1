/**
 * Diagnostics page for admins: WebGPU, adapter, shader-f16, limits, the model Liuhen would choose and why,
 * whether it is downloaded, and a Load button with progress. Plain DOM, no framework. Everything a test or a
 * support engineer needs is in DOM text and `data-*` attributes.
 *
 * Query parameters: `registry=<url>` custom model-records.json (default ./model-records.json, optional; test
 * and development builds only);
 * `model=<model_id>` preselects a model to load.
 */
import { loadRegistryFile } from '../../shared/engine/registry';
import { chooseModel, detectCapabilities, type GpuCapabilities, type ModelChoice } from '../../shared/engine/capabilities';
import { EngineError } from '../../shared/engine/errors';
import type { ModelRegistry } from '../../shared/engine/model-record';
import type { LoadProgress } from '../../shared/engine/port';
import { WebLlmEngine } from '../../shared/engine/webllm-engine';
import { renderDiagnostic } from '../../shared/prompt/render';
import { applyFluentTheme, fillRanges, renderModelTable, renderPinNote } from './look';

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} missing`);
  return el as T;
};

const MB = 2 ** 20;
const fmtBytes = (b: number): string => (b >= 2 ** 30 ? `${(b / 2 ** 30).toFixed(2)} GB` : `${Math.round(b / MB)} MB`);
const yesNo = (v: boolean): string => (v ? 'yes · 是' : 'no · 否');

/** `tone` colours bad news only (data-tone): by default a `no` is bad (no WebGPU, no adapter, not secure). */
function setValue(id: string, value: boolean, text?: string, tone: (v: boolean) => string = (v) => (v ? '' : 'bad')): void {
  const el = $(id);
  el.dataset.value = String(value);
  el.dataset.tone = tone(value);
  el.textContent = text ?? yesNo(value);
}

function renderCapabilities(caps: GpuCapabilities): void {
  setValue('webgpu', caps.webgpu);
  setValue('secure', caps.secureContext);
  const info = caps.adapterInfo;
  const adapterText = caps.adapter
    ? [info?.vendor, info?.architecture, info?.device, info?.description].filter((s) => s).join(' · ') || 'yes · 是'
    : caps.adapterError ?? 'none · 无';
  setValue('adapter', caps.adapter, adapterText);
  setValue('fallback', caps.isFallbackAdapter, undefined, (v) => (v ? 'warn' : ''));
  setValue('shader-f16', caps.shaderF16, undefined, () => '');
  $('limits').textContent = caps.limits
    ? `maxBufferSize ${fmtBytes(caps.limits.maxBufferSize)}, maxStorageBufferBindingSize ${fmtBytes(caps.limits.maxStorageBufferBindingSize)}`
    : '—';
  const limits = $('limits');
  if (caps.limits) {
    limits.dataset.maxBufferSize = String(caps.limits.maxBufferSize);
    limits.dataset.maxStorageBufferBindingSize = String(caps.limits.maxStorageBufferBindingSize);
  }
}

function renderChoice(choice: ModelChoice): void {
  const el = $('choice');
  el.dataset.state = choice.ok ? 'ok' : 'unavailable';
  if (choice.ok) {
    el.dataset.modelId = choice.entry.record.model_id;
    el.dataset.quantization = choice.entry.quantization;
    el.dataset.reasons = choice.reasons.join(' ');
  } else {
    el.dataset.errorCode = choice.code;
  }
  $('choice-en').textContent = choice.explanation.en;
  $('choice-zh').textContent = choice.explanation['zh-CN'];
}

async function loadCustomRegistry(): Promise<ModelRegistry> {
  // ?registry=<url> only in test and development builds: in production a link must not choose the models.
  const testBuild = typeof __LIUHEN_TEST_SEAMS__ !== 'undefined' && __LIUHEN_TEST_SEAMS__;
  const url = (testBuild ? new URLSearchParams(location.search).get('registry') : null) ?? './model-records.json';
  const el = $('registry');
  const { registry, problems, added } = await loadRegistryFile(url);
  el.dataset.state = problems.length > 0 ? 'error' : added > 0 ? 'ok' : 'none';
  el.dataset.count = String(added);
  el.textContent = added === 0 && problems.length === 0 ? `none (no ${url}) · 无` : `${added} from ${url}${problems.length ? `, ${problems.length} problem(s)` : ''}`;
  for (const line of problems) {
    const li = document.createElement('li');
    li.textContent = line;
    $('registry-problems').append(li);
  }
  return registry;
}

function describeProgress(p: LoadProgress): string {
  const parts = [`${Math.floor(p.fraction * 100)}%`, p.phase];
  if (p.loadedBytes !== undefined && p.totalBytes !== undefined) parts.push(`${fmtBytes(p.loadedBytes)} / ${fmtBytes(p.totalBytes)}`);
  if (p.secondsLeft !== undefined) parts.push(`~${p.secondsLeft}s left · 剩余约 ${p.secondsLeft} 秒`);
  return parts.join(' · ');
}

async function main(): Promise<void> {
  applyFluentTheme();
  const capsPromise = detectCapabilities();
  const registryPromise = loadCustomRegistry();
  const caps = await capsPromise;
  renderCapabilities(caps);
  const registry = await registryPromise;
  renderModelTable(registry, $('models'));
  renderPinNote(registry, $('pins'));
  fillRanges(registry);
  const choice = chooseModel(caps, registry);
  renderChoice(choice);

  const select = $<HTMLSelectElement>('model');
  const preselect = new URLSearchParams(location.search).get('model') ?? (choice.ok ? choice.entry.record.model_id : undefined);
  for (const e of registry.entries) {
    const option = document.createElement('option');
    option.value = e.record.model_id;
    option.textContent = `${e.record.model_id}${e.source === 'built-in' ? '' : ' (custom)'}${
      e.downloadBytes ? ` · ~${fmtBytes(e.downloadBytes)}` : ''
    }`;
    if (e.record.model_id === preselect) option.selected = true;
    select.append(option);
  }

  const statusEl = $('load-status');
  const setStatus = (state: string, en = '', zh = '', code = ''): void => {
    statusEl.dataset.state = state;
    statusEl.dataset.errorCode = code;
    $('load-message').textContent = en;
    $('load-message-zh').textContent = zh;
  };
  const engine = new WebLlmEngine({
    registry,
    onStatus: (s) => {
      if (s.kind === 'device-lost') setStatus('error', 'The GPU device was lost; the model reloads on the next request.', 'GPU 设备丢失，下次请求时会重新加载模型。', 'device-lost');
      if (s.kind === 'worker-crashed') setStatus('error', `The engine worker stopped: ${s.message}`, `引擎线程已停止：${s.message}`, 'internal');
    },
  });

  const refreshCached = async (): Promise<void> => {
    const cachedEl = $('cached');
    try {
      const cached = await engine.isCached(select.value);
      setValue('cached', cached, undefined, () => '');
      cachedEl.dataset.modelId = select.value;
    } catch (error) {
      cachedEl.dataset.value = '';
      cachedEl.textContent = error instanceof Error ? error.message : String(error);
    }
  };
  const refreshStorage = async (): Promise<void> => {
    const s = await engine.storageEstimate();
    const persisted = await engine.persistentStorage();
    $('storage').textContent = [
      s.usageBytes !== undefined && s.quotaBytes !== undefined ? `${fmtBytes(s.usageBytes)} used of ${fmtBytes(s.quotaBytes)}` : 'unknown',
      `persistent: ${yesNo(persisted || s.persisted === true)}`,
      `backend: ${engine.storageBackend}`,
    ].join(' · ');
  };

  // Start the worker only after the page has painted: WebLLM loads in the background.
  await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
  const workerEl = $('worker');
  const t0 = performance.now();
  workerEl.dataset.startedAt = t0.toFixed(1);
  try {
    const hello = await engine.ready();
    const ms = performance.now() - t0;
    workerEl.dataset.state = 'ready';
    workerEl.dataset.startupMs = ms.toFixed(1);
    workerEl.textContent = `ready in ${ms.toFixed(0)} ms (WebLLM ${hello.webllmVersion}) · 已就绪`;
  } catch (error) {
    workerEl.dataset.state = 'error';
    workerEl.textContent = error instanceof Error ? error.message : String(error);
    return;
  }
  const workerGpu = await engine.probeWorkerGpu();
  setValue('worker-gpu', workerGpu.adapter, workerGpu.adapter ? `yes · 是${workerGpu.shaderF16 ? ' (shader-f16)' : ''}` : 'no · 否');
  await Promise.all([refreshCached(), refreshStorage()]);
  select.addEventListener('change', () => void refreshCached());

  const load = $<HTMLButtonElement>('load');
  const cancel = $<HTMLButtonElement>('cancel');
  const del = $<HTMLButtonElement>('delete');
  const tryButton = $<HTMLButtonElement>('try');
  const progressBar = $<HTMLProgressElement>('progress');
  let controller: AbortController | undefined;
  load.disabled = !caps.webgpu;
  del.disabled = false;

  load.addEventListener('click', () => {
    controller = new AbortController();
    load.disabled = true;
    cancel.disabled = false;
    tryButton.disabled = true;
    progressBar.value = 0;
    setStatus('loading', `Loading ${select.value}…`, `正在加载 ${select.value}…`);
    const started = performance.now();
    engine
      .load(
        select.value,
        (p) => {
          progressBar.value = p.fraction;
          $('progress-text').textContent = describeProgress(p);
          statusEl.dataset.phase = p.phase;
        },
        { signal: controller.signal },
      )
      .then(() => {
        const secs = ((performance.now() - started) / 1000).toFixed(1);
        setStatus('ready', `Loaded in ${secs} s. Context window: ${engine.contextWindow() ?? '?'} tokens.`, `加载完成，用时 ${secs} 秒。`);
        tryButton.disabled = false;
      })
      .catch((error: unknown) => {
        const e = error instanceof EngineError ? error : new EngineError('internal', { cause: String(error) });
        setStatus('error', e.userMessage('en'), e.userMessage('zh-CN'), e.code);
        statusEl.dataset.cause = e.detail.cause ?? '';
        statusEl.dataset.url = e.detail.url ?? '';
        statusEl.dataset.elapsedMs = (performance.now() - started).toFixed(0);
      })
      .finally(() => {
        load.disabled = false;
        cancel.disabled = true;
        void refreshCached();
        void refreshStorage();
      });
  });
  cancel.addEventListener('click', () => controller?.abort());
  del.addEventListener('click', () => {
    engine
      .deleteCached(select.value)
      .then(() => refreshCached())
      .catch((error: unknown) => setStatus('error', String(error)));
  });
  tryButton.addEventListener('click', () => {
    tryButton.disabled = true;
    const out = $('try-output');
    out.textContent = '';
    void (async () => {
      try {
        for await (const chunk of engine.generate({
          messages: renderDiagnostic(),
          maxTokens: 64,
          temperature: 0,
        })) {
          if (chunk.type === 'text') out.textContent += chunk.text;
          else {
            const u = chunk.usage;
            $('try-stats').textContent = `TTFT ${u.timeToFirstTokenMs ?? '?'} ms · prefill ${u.prefillTokensPerSecond?.toFixed(1) ?? '?'} tok/s · decode ${
              u.decodeTokensPerSecond?.toFixed(1) ?? '?'
            } tok/s · ${u.promptTokens}+${u.completionTokens} tokens`;
          }
        }
      } catch (error) {
        out.textContent = error instanceof EngineError ? `${error.userMessage('en')}\n${error.userMessage('zh-CN')}` : String(error);
      } finally {
        tryButton.disabled = false;
      }
    })();
  });
  document.body.dataset.ready = 'true';
}

main().catch((error: unknown) => {
  document.body.dataset.ready = 'error';
  const p = document.createElement('p');
  p.textContent = `Model check failed: ${error instanceof Error ? error.message : String(error)}`;
  document.body.prepend(p);
});
