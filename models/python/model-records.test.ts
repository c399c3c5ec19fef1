/**
 * The records `python -m liuhen_models convert` writes (tests/golden/model-records.json, kept equal to convert's
 * real output by tests/test_register.py) are accepted by the add-in's registry exactly as written: no error, no
 * warning, the family and quantisation the task pane shows.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { promptProfileOf } from '../../shared/engine/model-record';
import { BUILTIN_MODELS, parseCustomRecords } from '../../shared/engine/registry';

const golden: unknown = JSON.parse(readFileSync(path.join(import.meta.dirname, 'tests', 'golden', 'model-records.json'), 'utf8'));

describe('model-records.json written by liuhen_models convert', () => {
  it('is accepted by the add-in registry with no errors or warnings', () => {
    const result = parseCustomRecords(golden, 'registry-file', BUILTIN_MODELS.map((m) => m.record.model_id));
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([]);
    expect(result.entries.map((e) => [e.record.model_id, e.family, e.quantization])).toEqual([
      ['acme-exit-qwen2.5-1.5b-q4f16_1', 'acme-exit-qwen2.5-1.5b', 'q4f16_1'],
      ['acme-exit-qwen2.5-1.5b-q4f32_1', 'acme-exit-qwen2.5-1.5b', 'q4f32_1'],
    ]);
    // The weights URL of each quantisation is its own /resolve/<rev>/ folder, which WebLLM fetches files under.
    for (const e of result.entries) expect(e.record.model).toMatch(/^https:\/\/huggingface\.co\/acme\/[^/]+-MLC\/resolve\/3f2a9c1\/$/);
  });

  it('carries the prompt profile of a fine-tune (liuhen_prompt) to the pipeline, and refuses a malformed one', () => {
    const [first] = golden as Record<string, unknown>[];
    const compact = { ...first, liuhen_prompt: { profile: 'compact', fields: false } };
    const ok = parseCustomRecords([compact], 'registry-file');
    expect(ok.errors).toEqual([]);
    expect(promptProfileOf(ok.entries[0]?.record ?? { model: '', model_id: '', model_lib: '' })).toEqual({ style: 'compact', fields: false });
    // A record without the key (a base model, or one converted before profiles existed) gets the full prompt.
    expect(promptProfileOf(parseCustomRecords([first], 'registry-file').entries[0]?.record ?? { model: '', model_id: '', model_lib: '' })).toEqual({ style: 'full', fields: true });
    const bad = parseCustomRecords([{ ...first, liuhen_prompt: { profile: 'short' } }], 'registry-file');
    expect(bad.entries).toEqual([]);
    expect(bad.errors.join(' ')).toContain('liuhen_prompt: must be');
  });
});
