/**
 * Shared by the panel's component tests (jsdom): the panel rendered as the hosts render it (Fluent provider, real
 * pipeline, a ModelController over the built-in registry). Call installJsdomShims (./jsdom-shims) in beforeEach.
 */
import { FluentProvider, webLightTheme } from '@fluentui/react-components';
import { render } from '@testing-library/react';
import type { GpuCapabilities } from '../../shared/engine/capabilities';
import type { ModelRegistry } from '../../shared/engine/model-record';
import type { LlmEngine } from '../../shared/engine/port';
import { BUILTIN_REGISTRY } from '../../shared/engine/registry/builtin';
import { BUILTIN_TEMPLATES } from '../../shared/templates/load';
import { defaultPipeline } from '../../shared/ui/default-pipeline';
import type { PanelDeps } from '../../shared/ui/deps';
import { ModelController } from '../../shared/ui/model-controller';
import { Panel } from '../../shared/ui/Panel';
import { FakeEngine } from '../doubles/fake-engine';
import { TEST_GPU } from '../doubles/gpu';
import { MemoryHost } from './memory-host';

export interface RenderPanelOptions<H extends MemoryHost = MemoryHost, E extends LlmEngine = FakeEngine> {
  /** Default: a FakeEngine answering `output` (or nothing) in chunks of 12 characters. */
  engine?: E;
  output?: string;
  host?: H;
  gpu?: GpuCapabilities;
  deps?: Partial<PanelDeps>;
  registry?: ModelRegistry;
  /** The model the writer chose before (ModelController's `preference`). */
  preferModelId?: string;
}

/** Renders the panel; returns what the test drives and inspects. */
export function renderPanel<H extends MemoryHost = MemoryHost, E extends LlmEngine = FakeEngine>(options: RenderPanelOptions<H, E> = {}) {
  const engine = options.engine ?? (new FakeEngine({ outputs: [options.output ?? ''], chunkSize: 12 }) as unknown as E);
  const host = options.host ?? (new MemoryHost() as H);
  const gpu = options.gpu ?? TEST_GPU;
  const deps: PanelDeps = { host, createEngine: () => engine, templates: BUILTIN_TEMPLATES, detectCapabilities: () => Promise.resolve(gpu), ...options.deps };
  const controller = new ModelController({
    createEngine: deps.createEngine,
    registry: options.registry ?? BUILTIN_REGISTRY,
    ...(options.preferModelId ? { preference: { modelId: options.preferModelId } } : {}),
    detectCapabilities: deps.detectCapabilities ?? (() => Promise.resolve(gpu)),
  });
  const view = render(
    <FluentProvider theme={webLightTheme}>
      <Panel deps={deps} controller={controller} pipeline={defaultPipeline} />
    </FluentProvider>,
  );
  return { engine, host, view, controller, deps };
}
