/**
 * The product on the REAL WebLLM runtime (model library wasm, weight loading, WebGPU on SwiftShader, prefill,
 * decode, xgrammar), offline, with a synthetic-weight Qwen2-0.5B served as a COMPANY model: the playground's own
 * worker, pipeline and UI, built against web-llm 0.2.79 (test/runtime/runtime-setup.ts).
 *
 * A writer's path: the deployment's model and template are offered (a bad company template is reported naming
 * its file; nothing 404s); Generate loads the model with visible progress; the first tokens stream into the
 * preview with the grammar's first heading forced; Cancel stops within one decode step and inserts nothing; a
 * second Generate reuses the loaded model. Slow by nature (~15 s a token on 2 cores): the prompt is tens of
 * tokens, and each Generate is cancelled after its first tokens. Every wait is for an event, with generous
 * limits; timings are printed.
 */
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROTOCOL_TAG } from '../../shared/protocol/rpc';
import { buildRuntimePlayground, launchRuntimeChromium, MODEL_ID, runtimeAvailable, serveRuntime, syntheticWeights, WORKER_TAP, type RuntimeServer } from './runtime-setup';

interface Tapped {
  t: number;
  m: { tag?: string; kind?: string; id?: string; name?: string; payload?: unknown };
}
interface Log {
  sent: Tapped[];
  received: Tapped[];
}

const MINUTE = 60_000;
let browser: Browser | undefined;
let server: RuntimeServer | undefined;
let page: Page | undefined;
const timings: Record<string, number | string> = {};
const started = Date.now();

async function log(): Promise<Log> {
  if (!page) throw new Error('no page');
  return page.evaluate(() => (window as unknown as { __liuhenRuntime: Log }).__liuhenRuntime);
}
const ours = (x: Tapped): boolean => x.m?.tag === PROTOCOL_TAG;
const requestsNamed = (l: Log, name: string): Tapped[] => l.sent.filter((x) => ours(x) && x.m.kind === 'request' && x.m.name === name);
const repliesTo = (l: Log, id: string | undefined, kinds: string[]): Tapped[] => l.received.filter((x) => ours(x) && x.m.id === id && kinds.includes(x.m.kind ?? ''));
const chunkText = (x: Tapped): string => ((x.m.payload as { text?: string } | undefined)?.text ?? '');

describe.skipIf(!runtimeAvailable())('the product on the real WebLLM runtime (SwiftShader, synthetic Qwen2-0.5B, company model and template)', { timeout: 15 * MINUTE }, () => {
  beforeAll(async () => {
    const build = buildRuntimePlayground();
    timings.buildSeconds = build.seconds;
    server = await serveRuntime(build.dir, syntheticWeights());
    browser = await launchRuntimeChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('pageerror', (e) => console.log(`[page error] ${e.message}`));
    await page.addInitScript(WORKER_TAP);
    await page.goto(`${server.origin}/playground.html?lang=en`);
    await page.getByTestId('liuhen-panel').waitFor({ timeout: 2 * MINUTE });
  }, 8 * MINUTE);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    timings.testSeconds = Math.round((Date.now() - started) / 1000);
    console.log(`[real runtime] ${JSON.stringify(timings)}`);
  });

  it("offers the deployment's company model (its default) and template; a bad company template is reported naming the file; nothing 404s", async () => {
    const p = page as Page;
    const status = p.getByTestId('model-status');
    await expect.poll(() => status.getAttribute('data-model-id'), { timeout: MINUTE }).toBe(MODEL_ID);
    // On a software renderer the model area says so, although the company file names the default.
    await expect.poll(() => p.getByTestId('model-reason').textContent(), { timeout: MINUTE }).toMatch(/software renderer/);
    const picker = p.getByTestId('template');
    await picker.selectOption('runtime-note@en');
    const problems = await p.getByTestId('template-problems').textContent();
    expect(problems).toContain('runtime-bad.en.json: grammar: its output grammar would be rejected by the WebLLM runtime');
    expect(await picker.locator('option[value="runtime-bad@en"]').count()).toBe(0);
    expect(server?.requests.filter((r) => r.status === 404 && r.path !== '/favicon.ico')).toEqual([]);
    expect(server?.requests.map((r) => r.path)).toEqual(expect.arrayContaining(['/model-records.json', '/templates.json', '/templates/runtime-note.en.json']));
  });

  it('Generate: loads with visible progress, streams the first tokens with the heading forced; Cancel stops within one decode step and inserts nothing', async () => {
    const p = page as Page;
    await p.getByRole('radio', { name: 'Pasted notes' }).check();
    await p.getByRole('textbox', { name: 'Notes or transcript' }).fill('Pay.');
    const generate = p.getByTestId('generate');
    await expect.poll(() => generate.isEnabled(), { timeout: MINUTE }).toBe(true);
    const docBefore = await p.getByTestId('doc').innerText();
    await generate.click();

    // Load, with progress the writer can see.
    const status = p.getByTestId('model-status');
    await expect.poll(() => status.getAttribute('data-phase'), { timeout: 2 * MINUTE }).toBe('loading');
    await expect.poll(() => p.getByTestId('model-progress').textContent(), { timeout: 2 * MINUTE }).toMatch(/\d+%/);
    timings.progressSeen = (await p.getByTestId('model-progress').textContent()) ?? '';
    await expect.poll(() => status.getAttribute('data-phase'), { timeout: 5 * MINUTE, interval: 1000 }).toBe('ready');
    let l = await log();
    const load = requestsNamed(l, 'engine/load');
    expect(load).toHaveLength(1);
    const loadReply = repliesTo(l, load[0]?.m.id, ['reply'])[0];
    expect(loadReply, 'the load finished').toBeDefined();
    timings.loadSeconds = Math.round(((loadReply?.t ?? 0) - (load[0]?.t ?? 0)) / 100) / 10;

    // One engine request, with the company template's grammar; the first text is the forced heading. Prefill of
    // tens of tokens takes minutes on SwiftShader: wait for the worker's messages, not for a fixed time.
    l = await log();
    const gen = requestsNamed(l, 'engine/generate');
    expect(gen).toHaveLength(1);
    const params = gen[0]?.m.payload as { responseFormat?: { type: string; grammar: string }; maxTokens: number; messages: Array<{ content: string }> };
    expect(params.responseFormat?.type).toBe('grammar');
    expect(params.responseFormat?.grammar).toContain('"[N]\\n"');
    timings.promptChars = params.messages.map((m) => m.content).join('').length;
    timings.maxTokens = params.maxTokens;
    const streamed = async (): Promise<Tapped[]> => repliesTo(await log(), gen[0]?.m.id, ['chunk', 'error', 'done']);
    await expect.poll(async () => (await streamed()).length, { timeout: 14 * MINUTE, interval: 2000 }).toBeGreaterThan(0);
    let chunks = await streamed();
    expect(chunks[0]?.m.kind, JSON.stringify(chunks[0]?.m)).toBe('chunk');
    timings.ttftSeconds = Math.round(((chunks[0]?.t ?? 0) - (gen[0]?.t ?? 0)) / 100) / 10;
    // The heading is forced by the grammar: whatever the (random-weight) model prefers, the text starts with it.
    await expect.poll(async () => (await streamed()).map(chunkText).join(''), { timeout: 5 * MINUTE, interval: 1000 }).toMatch(/^\[N\]\n/);
    await p.getByTestId('preview-streaming').locator('[data-section="note"]').waitFor({ timeout: MINUTE });
    chunks = await streamed();
    expect(chunks.every((c) => c.m.kind === 'chunk')).toBe(true);

    // Wait for one more token after the heading, to time a decode step, then Cancel.
    const before = chunks.length;
    await expect.poll(async () => repliesTo(await log(), gen[0]?.m.id, ['chunk']).length, { timeout: 5 * MINUTE, interval: 500 }).toBeGreaterThan(before);
    l = await log();
    chunks = repliesTo(l, gen[0]?.m.id, ['chunk']);
    const step = ((chunks.at(-1)?.t ?? 0) - (chunks[0]?.t ?? 0)) / Math.max(1, chunks.length - 1);
    timings.perTokenSeconds = Math.round(step / 100) / 10;
    timings.tokensBeforeCancel = chunks.length;
    await p.getByTestId('cancel').click();
    await p.getByText(/Cancelled\. Nothing was inserted/).waitFor({ timeout: 3 * MINUTE });
    l = await log();
    const cancelSent = l.sent.find((x) => ours(x) && x.m.kind === 'cancel' && x.m.id === gen[0]?.m.id);
    expect(cancelSent, 'Cancel reached the worker').toBeDefined();
    const after = repliesTo(l, gen[0]?.m.id, ['chunk']).filter((x) => x.t > (cancelSent?.t ?? 0));
    expect(after.length, 'at most one decode step after Cancel').toBeLessThanOrEqual(1);
    const end = repliesTo(l, gen[0]?.m.id, ['done', 'error'])[0];
    timings.cancelSeconds = Math.round(((end?.t ?? 0) - (cancelSent?.t ?? 0)) / 100) / 10;
    expect((end?.t ?? Infinity) - (cancelSent?.t ?? 0)).toBeLessThan(2 * step + 10_000);
    // Nothing inserted: the document is as it was, with no suggestion.
    expect(await p.getByTestId('doc').innerText()).toBe(docBefore);
    expect(await p.locator('[data-testid="doc"] [data-suggestion-group]').count()).toBe(0);
    await p.screenshot({ path: path.join('test-results', 'runtime-cancelled.png') }).catch(() => undefined);
  });

  it('a second Generate reuses the loaded model: no reload, one more engine request, text streams again; Cancel ends it', async () => {
    const p = page as Page;
    const status = p.getByTestId('model-status');
    const generate = p.getByTestId('regenerate').or(p.getByTestId('generate')).first();
    await expect.poll(() => generate.isEnabled(), { timeout: 3 * MINUTE }).toBe(true);
    await generate.click();
    await expect.poll(async () => requestsNamed(await log(), 'engine/generate').length, { timeout: MINUTE }).toBe(2);
    let l = await log();
    const gen = requestsNamed(l, 'engine/generate')[1];
    expect(requestsNamed(l, 'engine/load'), 'no reload').toHaveLength(1);
    expect(await status.getAttribute('data-phase')).toBe('ready');
    const streamed = async (): Promise<Tapped[]> => repliesTo(await log(), gen?.m.id, ['chunk', 'error', 'done']);
    await expect.poll(async () => (await streamed()).length, { timeout: 14 * MINUTE, interval: 2000 }).toBeGreaterThan(0);
    const first = (await streamed())[0];
    expect(first?.m.kind, JSON.stringify(first?.m)).toBe('chunk');
    // Forced by the grammar again: the first text starts the heading.
    expect('[N]\n'.startsWith(chunkText(first as Tapped)) && chunkText(first as Tapped) !== '').toBe(true);
    timings.ttftSecondGenerateSeconds = Math.round(((first?.t ?? 0) - (gen?.t ?? 0)) / 100) / 10;
    await p.getByTestId('cancel').click();
    await p.getByText(/Cancelled\. Nothing was inserted/).waitFor({ timeout: 3 * MINUTE });
    l = await log();
    expect(requestsNamed(l, 'engine/load'), 'still no reload').toHaveLength(1);
    expect(await p.locator('[data-testid="doc"] [data-suggestion-group]').count()).toBe(0);
  });
});
