// @vitest-environment jsdom
/**
 * The panel with a company server declared in model-records.json, mounted the way every host mounts it
 * (mountPanel), against the local OpenAI-compatible test server over real HTTP + SSE: the model area says the
 * model runs on "company server <host>" (not this computer, whose GPU does not matter), Generate streams from the
 * server with the template's grammar, Insert reaches the document, and a server that refuses access says so.
 */
import { act, cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import exitJson from '../../../shared/fixtures/exit-interviews.json';
import { readRegistryFile } from '../../shared/engine/registry/file';
import { exitFixtures } from '../../shared/output/test-fixtures';
import { mountPanel, type PanelHandle } from '../../shared/ui';
import { startOpenAiTestServer, type TestServer } from '../doubles/openai-server';
import { MemoryHost } from './memory-host';
import { NO_GPU } from '../doubles/gpu';
import { installJsdomShims } from './jsdom-shims';

const fixtures = new Map(exitFixtures().map((f) => [f.id, f]));
const sources = new Map((exitJson.cases as Array<{ id: string; source: string }>).map((c) => [c.id, c.source]));
const E2 = { source: sources.get('E2') ?? '', output: fixtures.get('E2')?.text ?? '' };

let server: TestServer;
let handle: PanelHandle | undefined;

beforeEach(async () => {
  installJsdomShims();
  server = await startOpenAiTestServer({
    models: { 'Qwen2.5-7B-Instruct': 32768, 'acme-hr-lora': 32768 },
    reply: () => {
      const pieces: string[] = [];
      for (let i = 0; i < E2.output.length; i += 8) pieces.push(E2.output.slice(i, i + 8));
      return pieces;
    },
    tokenDelayMs: 1,
  });
});
afterEach(async () => {
  act(() => handle?.unmount());
  handle = undefined;
  cleanup();
  await server.close();
});

function mount(host: MemoryHost): void {
  // Exactly what an admin deploys beside the task pane.
  const file = readRegistryFile(
    { server: { kind: 'vllm', base_url: server.baseUrl, model: 'Qwen2.5-7B-Instruct', lora_adapter: 'acme-hr-lora', display_name: 'ACME HR (LoRA)' } },
    'model-records.json',
  );
  expect(file.problems).toEqual([]);
  const root = document.createElement('div');
  document.body.append(root);
  act(() => {
    handle = mountPanel(root, {
      host,
      createEngine: () => {
        throw new Error('the company server replaces the host engine');
      },
      registry: file.registry,
      // No WebGPU on this desk (VDI, Office 2019): with a company server it does not matter.
      detectCapabilities: () => Promise.resolve(NO_GPU),
    });
  });
}

describe('panel with a company server', { timeout: 40_000 }, () => {
  it('says where the model runs, generates from the server with the grammar, inserts', async () => {
    const host = new MemoryHost();
    mount(host);
    const hostName = new URL(server.baseUrl).host;
    const runsOn = await screen.findByTestId('model-runs-on');
    expect(runsOn.textContent).toBe(`在公司服务器 ${hostName} 上运行：文本会发送到该服务器`);
    expect(runsOn.getAttribute('data-engine')).toBe('company-server');
    expect(screen.getByTestId('model-status').textContent).toContain('ACME HR (LoRA)');
    expect(screen.queryByTestId('model-not-cached')).toBeNull();

    act(() => host.select(E2.source));
    const generate: HTMLButtonElement = screen.getByTestId('generate');
    await waitFor(() => expect(generate.disabled).toBe(false));
    fireEvent.click(generate);
    await screen.findByTestId('preview-final', {}, { timeout: 15_000 });
    await waitFor(() => expect(screen.getByTestId('model-status').getAttribute('data-phase')).toBe('ready'));
    expect(screen.getByTestId('model-status').textContent).toContain('已连接');

    // One request, to the adapter, streamed with usage, constrained by the template's xgrammar grammar.
    expect(server.requests).toHaveLength(1);
    const sent = server.requests[0];
    expect(sent?.model).toBe('acme-hr-lora');
    expect(sent?.stream_options).toEqual({ include_usage: true });
    expect(sent?.structured_outputs?.grammar).toMatch(/^root ::= /m);
    expect(sent?.messages.map((m) => m.content).join('\n')).toContain('想回成都照顾');

    const insert: HTMLButtonElement = screen.getByTestId('insert');
    const ack = screen.queryByLabelText('我已查看这些提示');
    if (ack) fireEvent.click(ack);
    await waitFor(() => expect(insert.disabled).toBe(false));
    fireEvent.click(insert);
    await screen.findByTestId('insert-done');
    expect(host.applied).toHaveLength(1);
    expect(host.applied[0]?.[0]?.blocks.map((b) => b.heading)).toEqual(['【离职原因】', '【在职体验】', '【意见建议】']);
  });

  it('a server that refuses access: the model area says so, in the writer’s language', async () => {
    server.set({ failWith: { status: 403, message: 'Forbidden' } });
    const host = new MemoryHost();
    mount(host);
    act(() => host.select(E2.source));
    const generate: HTMLButtonElement = screen.getByTestId('generate');
    await waitFor(() => expect(generate.disabled).toBe(false));
    fireEvent.click(generate);
    const error = await screen.findByTestId('model-error', {}, { timeout: 15_000 });
    expect(error.textContent).toContain('拒绝访问（HTTP 403）');
    expect(server.requests).toHaveLength(0);
  });
});

describe('model-records.json server entry', () => {
  it('is validated with sentences an admin can act on', () => {
    const bad = readRegistryFile({ server: { kind: 'tgi', base_url: 'http://llm.example.com/v1', model: '', extra: 1 } }, 'model-records.json');
    expect(bad.registry.server).toBeUndefined();
    expect(bad.problems.join('\n')).toMatch(/unknown key "extra"/);
    expect(bad.problems.join('\n')).toMatch(/kind must be "vllm", "mlc" or "llamacpp"/);
    expect(bad.problems.join('\n')).toMatch(/must be https/);
    expect(bad.problems.join('\n')).toMatch(/model is required/);
    const ok = readRegistryFile({ models: [], server: { base_url: 'https://llm.example.com/v1/', model: 'm', concurrency: 16 } }, 'model-records.json');
    expect(ok.problems).toEqual([]);
    expect(ok.server).toEqual({ kind: 'vllm', baseUrl: 'https://llm.example.com/v1', model: 'm', concurrency: 16 });
  });

  it('a server origin outside the page’s connect-src is reported', () => {
    const r = readRegistryFile({ server: { base_url: 'https://llm.example.com/v1', model: 'm' } }, 'model-records.json', undefined, { connectSrc: ["'self'", 'https://huggingface.co/mlc-ai/'] });
    expect(r.problems.join('\n')).toContain('https://llm.example.com is not in this page');
  });
});
