/**
 * Test code, bundled by esbuild into an IIFE and injected with Playwright's `addInitScript` before the
 * playground's own scripts: defines `window.__LIUHEN_TEST__` (the playground's test seam) with the FakeEngine
 * double answering with the fixtures' expected records, and a GPU report so model choice works without a GPU.
 * `window.__liuhenFake` gives the test the engine (e.g. `failNext()` to inject a failure).
 */
import type { GpuCapabilities } from '../../shared/engine/capabilities';
import type { GenerateRequest } from '../../shared/engine/port';
import { FakeEngine } from '../doubles/fake-engine';
import { TEST_GPU } from '../doubles/gpu';
import { fixtureReply } from './fixture-replies';

function respond(request: GenerateRequest, call: number): string {
  return fixtureReply(request.messages.map((m) => m.content).join('\n'), call);
}

const caps: GpuCapabilities = { ...TEST_GPU, adapterInfo: { vendor: 'test', architecture: 'double', device: '', description: 'test double GPU' } };

const config = (window as { __LIUHEN_E2E__?: { tokenDelayMs?: number } }).__LIUHEN_E2E__ ?? {};
const engine = new FakeEngine({ respond, tokenDelayMs: config.tokenDelayMs ?? 20, chunkSize: 4 });
(window as unknown as { __liuhenFake: FakeEngine }).__liuhenFake = engine;
window.__LIUHEN_TEST__ = {
  createEngine: () => engine,
  detectCapabilities: () => Promise.resolve(caps),
};
