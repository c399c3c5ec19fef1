/**
 * TEST BUILD ONLY: the engine worker of the e2e extension build. The product worker (shared/engine/webllm.worker.ts)
 * serves WebLLM; this one serves the same worker core with the WebLLM test double (test/doubles/fake-webllm.ts),
 * which "writes" the expected record of exit-interview fixture E1. Everything else — the webview, the blob
 * worker start-up, the engine client, the pipeline, the protocol to the extension — is the product code.
 */
import type { Endpoint } from '../../../shared/protocol/rpc';
import { serveEngine } from '../../../shared/engine/worker-server';
import { exitFixtures } from '../../../shared/output/test-fixtures';
import { FakeWebLlm } from '../../doubles/fake-webllm';

const fixture = exitFixtures().find((f) => f.id === 'E1');
if (!fixture) throw new Error('fixture E1 is missing');
// About one Qwen token of Chinese text per chunk.
const tokens = Array.from(fixture.text.matchAll(/[\s\S]{1,3}/gu), (m) => m[0]);
const fake = new FakeWebLlm({ tokens, shards: 2, shardBytes: 2 ** 20, contextWindow: 4096 });

serveEngine(self as unknown as Endpoint, { webllm: fake.module, watchDeviceLoss: () => undefined });
