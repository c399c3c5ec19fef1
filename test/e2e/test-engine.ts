/**
 * Test code, bundled by esbuild into an IIFE and injected with Playwright's `addInitScript` before the
 * playground's own scripts: defines `window.__LIUHEN_TEST__` (the playground's test seam) with the FakeEngine
 * double answering with the fixtures' expected records, and a GPU report so model choice works without a GPU.
 * `window.__liuhenFake` gives the test the engine (e.g. `failNext()` to inject a failure).
 */
import type { GpuCapabilities } from '../../shared/engine/capabilities';
import type { GenerateRequest } from '../../shared/engine/port';
import { exitFixtures, englishExit, englishTalent, talentFixtures } from '../../shared/output/test-fixtures';
import { FakeEngine } from '../doubles/fake-engine';

const exit = new Map(exitFixtures().map((f) => [f.id, f.text]));
const talent = talentFixtures().map((f) => f.text);

function promptOf(request: GenerateRequest): string {
  return request.messages.map((m) => m.content).join('\n');
}

function respond(request: GenerateRequest, call: number): string {
  const prompt = promptOf(request);
  if (prompt.includes('【离职原因】')) {
    // E1 talks about pay reviews (调薪); everything else gets the sensitive E3 record.
    return (prompt.includes('调薪') ? exit.get('E1') : exit.get('E3')) ?? '';
  }
  if (prompt.includes('[Reasons for leaving]')) return englishExit().text;
  if (prompt.includes('【九宫格】') || /九宫格/.test(prompt)) return talent[call % talent.length] ?? '';
  return englishTalent().text;
}

const caps: GpuCapabilities = {
  webgpu: true,
  secureContext: true,
  adapter: true,
  shaderF16: true,
  features: ['shader-f16'],
  limits: { maxBufferSize: 2 ** 31, maxStorageBufferBindingSize: 2 ** 30, maxComputeWorkgroupStorageSize: 32768, maxStorageBuffersPerShaderStage: 10 },
  adapterInfo: { vendor: 'test', architecture: 'double', device: '', description: 'test double GPU' },
  isFallbackAdapter: false,
};

const config = (window as { __LIUHEN_E2E__?: { tokenDelayMs?: number } }).__LIUHEN_E2E__ ?? {};
const engine = new FakeEngine({ respond, tokenDelayMs: config.tokenDelayMs ?? 20, chunkSize: 4 });
(window as unknown as { __liuhenFake: FakeEngine }).__liuhenFake = engine;
window.__LIUHEN_TEST__ = {
  createEngine: () => engine,
  detectCapabilities: () => Promise.resolve(caps),
};
