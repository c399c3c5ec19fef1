import { describe, expect, it } from 'vitest';
import { pagePolicy as builtPolicy, registryHosts } from '../../../addin/csp';
import { connectAllowed, connectSources } from './csp-check';
import { readRegistryFile } from './file';

const COMMIT = '0123456789abcdef0123456789abcdef01234567';
const record = (host: string) => ({
  model: `https://${host}/acme/hr-1.5B-q4f32_1-MLC/resolve/${COMMIT}/`,
  model_id: `acme-${host.replaceAll('.', '-')}-q4f32_1`,
  model_lib: `https://raw.githubusercontent.com/mlc-ai/binary-mlc-llm-libs/main/web-llm-models/v0_2_86/base/Qwen2-1.5B-Instruct-q4f32_1_cs1k-webgpu.wasm`,
});

describe("the page's connect-src and company models", () => {
  const policy = builtPolicy({ modelHosts: ['https://models.acme.cn'] });
  const sources = connectSources(policy) ?? [];

  it('matches the source forms the build writes', () => {
    expect(connectAllowed('https://huggingface.co/mlc-ai/Qwen2.5-1.5B-Instruct-q4f32_1-MLC/resolve/main/x.json', sources)).toBe(true);
    expect(connectAllowed('https://huggingface.co/acme/x/resolve/main/x.json', sources)).toBe(false);
    expect(connectAllowed('https://cdn-lfs-us-1.hf.co/repos/x', sources)).toBe(true);
    expect(connectAllowed('https://models.acme.cn/hr/resolve/abc/x.bin', sources)).toBe(true);
    expect(connectAllowed('https://models.acme.cn:8443/hr/x.bin', sources)).toBe(false);
    expect(connectAllowed('https://evil.example.com/x', sources)).toBe(false);
    expect(connectAllowed('http://localhost:3000/model-records.json', sources, 'http://localhost:3000')).toBe(true);
    expect(connectSources("default-src 'none'")).toBeUndefined();
  });

  it('a company model on a host the build did not allow is reported with the fix; allowed ones are not', () => {
    const r = readRegistryFile([record('models.acme.cn'), record('other.example.com')], 'model-records.json', undefined, { connectSrc: sources });
    expect(r.added).toBe(2);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toContain('https://other.example.com is not among this deployment');
    expect(r.problems[0]).toContain('--env modelHosts=https://other.example.com');
  });

  it('the build derives connect-src hosts from deploy/model-records.json', () => {
    expect(registryHosts({ models: [record('models.acme.cn'), { model: 'https://huggingface.co/acme/x/resolve/1/', model_lib: 'nope' }, null] })).toEqual([
      'https://models.acme.cn',
      'https://raw.githubusercontent.com/mlc-ai/binary-mlc-llm-libs/',
      'https://huggingface.co/acme/',
    ]);
    expect(registryHosts('nonsense')).toEqual([]);
  });
});
