/**
 * The company server's origin joins the pages' connect-src only when the deployment declares one
 * (deploy/model-records.json `server.base_url`, read by the build through addin/csp.ts registryHosts).
 */
import { describe, expect, it } from 'vitest';
import { pagePolicy, registryHosts } from '../../addin/csp';

const connectSrc = (hosts: string[]): string => /connect-src ([^;]*)/.exec(pagePolicy({ modelHosts: hosts }))?.[1] ?? '';

describe('connect-src and the company server', () => {
  it('adds the server origin when model-records.json declares one, and nothing otherwise', () => {
    const withServer = registryHosts({ server: { kind: 'vllm', base_url: 'https://llm.acme.example/v1', model: 'm' } });
    expect(withServer).toEqual(['https://llm.acme.example']);
    expect(connectSrc(withServer)).toContain('https://llm.acme.example');
    const without = registryHosts({ models: [] });
    expect(without).toEqual([]);
    expect(connectSrc(without)).not.toContain('acme');
  });

  it('keeps the model hosts beside the server; refuses plain http except this computer', () => {
    const hosts = registryHosts({
      models: [{ model: 'https://models.acme.example/hr/resolve/0123abcd/', model_id: 'x', model_lib: 'https://models.acme.example/lib.wasm' }],
      server: { base_url: 'http://llm.acme.example/v1', model: 'm' },
    });
    expect(hosts).toEqual(['https://models.acme.example']);
    expect(registryHosts({ server: { base_url: 'http://127.0.0.1:8000/v1', model: 'm' } })).toEqual(['http://127.0.0.1:8000']);
  });
});
