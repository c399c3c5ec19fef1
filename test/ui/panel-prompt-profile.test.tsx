// @vitest-environment jsdom
/**
 * A company model fine-tuned with the compact prompt and without the fields block (its record's `liuhen_prompt`,
 * written by `liuhen_models convert`): the task pane sends it exactly the prompt and grammar it was trained on —
 * the same strings `npm run dataset` wrote into its training examples — and finds nothing missing in its answer.
 */
import { FluentProvider, webLightTheme } from '@fluentui/react-components';
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildDataset } from '../../models/dataset/build';
import { readRecords } from '../../models/dataset/read';
import { BUILTIN_REGISTRY } from '../../shared/engine/registry/builtin';
import type { GpuCapabilities } from '../../shared/engine/capabilities';
import type { ModelEntry } from '../../shared/engine/model-record';
import { renderRecord } from '../../shared/output';
import { BUILTIN_TEMPLATES } from '../../shared/templates/load';
import { defaultPipeline } from '../../shared/ui/default-pipeline';
import type { PanelDeps } from '../../shared/ui/deps';
import { ModelController } from '../../shared/ui/model-controller';
import { Panel } from '../../shared/ui/Panel';
import { FakeEngine } from '../doubles/fake-engine';
import { MemoryHost } from './memory-host';

const GPU: GpuCapabilities = {
  webgpu: true,
  secureContext: true,
  adapter: true,
  shaderF16: true,
  features: ['shader-f16'],
  limits: { maxBufferSize: 2 ** 31, maxStorageBufferBindingSize: 2 ** 30, maxComputeWorkgroupStorageSize: 32768, maxStorageBuffersPerShaderStage: 10 },
  isFallbackAdapter: false,
};
const SEED_CSV = path.resolve(import.meta.dirname, '..', '..', 'models', 'dataset', 'samples', 'exit-interview.seed.zh-CN.csv');

beforeEach(() => {
  window.matchMedia ??= ((query: string) => ({ matches: false, media: query, addEventListener: () => undefined, removeEventListener: () => undefined, addListener: () => undefined, removeListener: () => undefined, onchange: null, dispatchEvent: () => false })) as typeof window.matchMedia;
  globalThis.ResizeObserver ??= class {
    observe(): void {}
    unobserve(): void {}
    disconnect(): void {}
  };
});
afterEach(() => cleanup());

describe('panel: a fine-tuned model gets the prompt it was trained on', { timeout: 40_000 }, () => {
  it('sends the compact, sections-only prompt and grammar of the training data to a model whose record declares them', async () => {
    const template = BUILTIN_TEMPLATES.find((t) => t.id === 'exit-interview' && t.language === 'zh-CN');
    if (!template) throw new Error('no exit-interview zh-CN template');
    const read = readRecords(readFileSync(SEED_CSV), SEED_CSV);
    const data = buildDataset(template, read);
    const example = data.examples[0];
    const row = read.rows.find((r) => r.row === example?.row);
    if (!example || !row) throw new Error('no example');

    const record = {
      model: 'https://models.acme.cn/liuhen/resolve/v1/acme-exit-q4f32_1-MLC/',
      model_id: 'acme-exit-qwen2.5-1.5b-q4f32_1',
      model_lib: 'https://libs.acme.cn/Qwen2-1.5B-Instruct-q4f32_1_cs1k-webgpu.wasm',
      liuhen_prompt: data.card.prompt, // what convert writes from the training run
    };
    // The entry as the registry file loader makes it (its URL rules are tested with the registry, not here).
    const entry: ModelEntry = { record, family: 'acme-exit-qwen2.5-1.5b', displayName: 'acme-exit-qwen2.5-1.5b', quantization: 'q4f32_1', source: 'registry-file' };
    const engine = new FakeEngine({ outputs: [example.messages[2].content], chunkSize: 12 });
    const host = new MemoryHost();
    const deps: PanelDeps = { host, createEngine: () => engine, templates: BUILTIN_TEMPLATES, detectCapabilities: () => Promise.resolve(GPU) };
    const controller = new ModelController({
      createEngine: deps.createEngine,
      registry: { entries: [...BUILTIN_REGISTRY.entries, entry], defaultFamily: BUILTIN_REGISTRY.defaultFamily },
      preference: { modelId: record.model_id },
      detectCapabilities: () => Promise.resolve(GPU),
    });
    render(
      <FluentProvider theme={webLightTheme}>
        <Panel deps={deps} controller={controller} pipeline={defaultPipeline} />
      </FluentProvider>,
    );
    act(() => host.select(row.input));
    await waitFor(() => expect((screen.getByTestId('generate') as HTMLButtonElement).disabled).toBe(false), { timeout: 20_000 });
    fireEvent.click(screen.getByTestId('generate'));
    await waitFor(() => expect(engine.requests).toHaveLength(1), { timeout: 20_000 });

    const request = engine.requests[0];
    expect(JSON.stringify(request?.messages)).toBe(JSON.stringify(example.messages.slice(0, 2)));
    expect(JSON.stringify(request?.responseFormat)).not.toContain('【结构化信息】');
    // The trained answer is a complete record for this model: no "fields missing" problem is shown.
    await screen.findByText(renderRecord(template, { reasons: 'x' }).split('\n')[0] ?? '【离职原因】', {}, { timeout: 20_000 });
    await waitFor(() => expect(screen.queryByText(/结构化信息/)).toBeNull());
  });
});
