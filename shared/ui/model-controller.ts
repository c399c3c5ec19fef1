/**
 * The panel's model state outside React: which model this computer should run and why, whether it is
 * downloaded, and loading it with progress. One instance per mounted panel; the engine is created on first
 * need (after first paint) so WebLLM's worker never delays the pane.
 */
import { chooseModel, detectCapabilities as defaultDetect, type GpuCapabilities, type ModelChoice } from '../engine/capabilities';
import { EngineError } from '../engine/errors';
import { serverEntry, type ModelEntry, type ModelRegistry } from '../engine/model-record';
import type { LlmEngine, LoadProgress } from '../engine/port';
import type { ModelPreference } from '../engine/capabilities';

/** What the model area shows. */
export interface ModelState {
  phase: 'checking' | 'unavailable' | 'idle' | 'loading' | 'ready' | 'error';
  caps?: GpuCapabilities;
  choice?: ModelChoice;
  /** The model that will be (or is) loaded. */
  entry?: ModelEntry;
  /** Weights in the browser cache; undefined while unknown. */
  cached?: boolean;
  progress?: LoadProgress;
  error?: EngineError;
  /** A transient note (e.g. "cache deleted"). */
  notice?: 'cache-deleted';
}

export interface ModelControllerOptions {
  createEngine: () => LlmEngine;
  registry: ModelRegistry;
  preference?: ModelPreference;
  detectCapabilities?: () => Promise<GpuCapabilities>;
}

/** Turns anything thrown into an EngineError, so the UI has one localised message shape. */
export function asEngineError(error: unknown): EngineError {
  if (error instanceof EngineError) return error;
  if (error instanceof Error && error.name === 'AbortError') return new EngineError('aborted');
  return new EngineError('internal', { cause: error instanceof Error ? error.message : String(error) });
}

export class ModelController {
  private engineInstance: LlmEngine | undefined;
  private listeners = new Set<(s: ModelState) => void>();
  private stateValue: ModelState = { phase: 'checking' };
  private loading: Promise<void> | undefined;
  private loadAbort: AbortController | undefined;
  private started = false;

  constructor(private readonly options: ModelControllerOptions) {}

  get state(): ModelState {
    return this.stateValue;
  }

  /** The engine, created on first use. */
  engine(): LlmEngine {
    this.engineInstance ??= this.options.createEngine();
    return this.engineInstance;
  }

  subscribe(listener: (s: ModelState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private set(patch: Partial<ModelState>, replace = false): void {
    this.stateValue = replace ? (patch as ModelState) : { ...this.stateValue, ...patch };
    for (const l of this.listeners) l(this.stateValue);
  }

  /** Detects the GPU, chooses the model and asks whether it is cached. Idempotent. */
  start(): Promise<void> {
    if (this.started) return Promise.resolve();
    this.started = true;
    return this.check();
  }

  private async check(): Promise<void> {
    const server = this.options.registry.server;
    if (server) {
      // The model runs on the company's server: this computer's GPU does not matter and nothing is downloaded.
      this.set({ phase: 'idle', entry: serverEntry(server) });
      return;
    }
    const caps = await (this.options.detectCapabilities ?? (() => defaultDetect()))();
    const choice = chooseModel(caps, this.options.registry, this.options.preference ?? {});
    if (!choice.ok) {
      this.set({ phase: 'unavailable', caps, choice });
      return;
    }
    this.set({ phase: 'idle', caps, choice, entry: choice.entry });
    await this.refreshCached();
  }

  async refreshCached(): Promise<void> {
    const entry = this.stateValue.entry;
    if (!entry || entry.server) return;
    try {
      const cached = await this.engine().isCached(entry.record.model_id);
      this.set({ cached });
    } catch {
      this.set({ cached: undefined });
    }
  }

  /** Loads the chosen model (downloading on first use). Resolves to its id; rejects with an EngineError. */
  async ensureLoaded(signal?: AbortSignal): Promise<string> {
    await this.start();
    const { entry, choice } = this.stateValue;
    if (!entry) {
      throw new EngineError(choice && !choice.ok ? choice.code : 'no-webgpu', {}, choice?.explanation);
    }
    const id = entry.record.model_id;
    if (this.stateValue.phase === 'ready') return id;
    if (!this.loading) {
      this.loadAbort = new AbortController();
      const abort = this.loadAbort;
      this.set({ phase: 'loading', error: undefined, notice: undefined, progress: { fraction: 0, phase: 'starting', text: '' } });
      this.loading = this.engine()
        .load(id, (progress) => this.set({ progress }), { signal: abort.signal })
        .then(
          () => this.set({ phase: 'ready', cached: entry.server ? undefined : true, progress: undefined }),
          (error: unknown) => {
            const e = asEngineError(error);
            this.set({ phase: e.code === 'aborted' ? 'idle' : 'error', error: e.code === 'aborted' ? undefined : e, progress: undefined });
            void this.refreshCached();
            throw e;
          },
        )
        .finally(() => {
          this.loading = undefined;
          this.loadAbort = undefined;
        });
    }
    const loading = this.loading;
    if (signal) {
      // Cancelling the generation that asked for the model stops the download too (files already fetched stay).
      const onAbort = (): void => this.loadAbort?.abort();
      if (signal.aborted) onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      try {
        await loading;
      } finally {
        signal.removeEventListener('abort', onAbort);
      }
    } else {
      await loading;
    }
    return id;
  }

  /** Stops a running download/load. */
  cancelLoad(): void {
    this.loadAbort?.abort();
  }

  /** Deletes the chosen model's cached weights. */
  async deleteCache(): Promise<void> {
    const entry = this.stateValue.entry;
    if (!entry) return;
    try {
      await this.engine().deleteCached(entry.record.model_id);
      // A loaded model stays usable (it is in GPU memory); only the next load downloads again.
      this.set({ cached: false, notice: 'cache-deleted', error: undefined });
    } catch (error) {
      this.set({ error: asEngineError(error) });
    }
    await this.refreshCached();
  }

  /** A model became unusable (e.g. device lost): the next Generate loads again. */
  markNeedsLoad(): void {
    if (this.stateValue.phase === 'ready') this.set({ phase: 'idle' });
  }
}
