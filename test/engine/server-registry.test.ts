/**
 * What `liuhen_models register --server-url …` writes (models/python/tests/golden/server-model-records.json) is
 * what the add-in's reader accepts: no problem, the server in the registry, the adapter as the served model, the
 * prompt profile the fine-tune was trained with.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readRegistryFile } from '../../shared/engine/registry/file';
import { promptProfileOf, serverEntry } from '../../shared/engine/model-record';

const GOLDEN = path.resolve(import.meta.dirname, '../../models/python/tests/golden/server-model-records.json');

describe('the server entry liuhen_models register writes', () => {
  it('is accepted by the pane and runs the LoRA adapter on that server', () => {
    const loaded = readRegistryFile(JSON.parse(readFileSync(GOLDEN, 'utf8')), 'model-records.json');
    expect(loaded.problems).toEqual([]);
    const server = loaded.registry.server;
    expect(server).toEqual({ kind: 'vllm', baseUrl: 'https://llm.acme.example/v1', model: 'Qwen/Qwen2.5-7B-Instruct', adapter: 'acme-hr', concurrency: 8, liuhenPrompt: { profile: 'compact', fields: true } });
    if (!server) throw new Error('no server');
    const entry = serverEntry(server);
    expect(entry.record.model_id).toBe('acme-hr');
    expect(entry.source).toBe('company-server');
    expect(promptProfileOf(entry.record)).toEqual({ style: 'compact', fields: true });
  });
});
