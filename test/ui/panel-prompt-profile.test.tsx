// @vitest-environment jsdom
/**
 * A company model fine-tuned with the compact prompt and without the fields block (its record's `liuhen_prompt`,
 * written by `liuhen_models convert`): the task pane sends it exactly the prompt and grammar it was trained on —
 * the same strings `npm run dataset` wrote into its training examples — and finds nothing missing in its answer.
 */
import { act, cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildDataset } from '../../models/dataset/build';
import { readRecords } from '../../models/dataset/read';
import { BUILTIN_REGISTRY } from '../../shared/engine/registry/builtin';
import type { ModelEntry } from '../../shared/engine/model-record';
import { renderRecord } from '../../shared/output';
import { BUILTIN_TEMPLATES } from '../../shared/templates/load';
import { installJsdomShims } from './jsdom-shims';
import { renderPanel } from './render-panel';

const SEED_CSV = path.resolve(import.meta.dirname, '..', '..', 'models', 'dataset', 'samples', 'exit-interview.seed.zh-CN.csv');

beforeEach(installJsdomShims);
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
    const { engine, host } = renderPanel({
      output: example.messages[2].content,
      registry: { entries: [...BUILTIN_REGISTRY.entries, entry], defaultFamily: BUILTIN_REGISTRY.defaultFamily },
      preferModelId: record.model_id,
    });
    act(() => host.select(row.input));
    await waitFor(() => expect((screen.getByTestId('generate') as HTMLButtonElement).disabled).toBe(false), { timeout: 20_000 });
    fireEvent.click(screen.getByTestId('generate'));
    await waitFor(() => expect(engine.requests).toHaveLength(1), { timeout: 20_000 });

    const request = engine.requests[0];
    expect(JSON.stringify(request?.messages)).toBe(JSON.stringify(example.messages.slice(0, 2)));
    expect(JSON.stringify(request?.responseFormat)).not.toContain('【结构化信息】');
    // The run ends (no generation may outlive the test and touch a torn-down jsdom).
    await screen.findByTestId('preview-final', {}, { timeout: 20_000 });
    // The trained answer is a complete record for this model: no "fields missing" problem is shown.
    await screen.findByText(renderRecord(template, { reasons: 'x' }).split('\n')[0] ?? '【离职原因】', {}, { timeout: 20_000 });
    await waitFor(() => expect(screen.queryByText(/结构化信息/)).toBeNull());
  });
});
