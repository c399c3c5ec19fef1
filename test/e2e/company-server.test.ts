/**
 * End to end with a company inference server (issue 19): the playground built exactly as a deployment builds it
 * (production, no test seams, `--env deployDir` holding a model-records.json that declares the server), Debian's
 * Chromium, and the OpenAI-compatible test server (test/doubles/openai-server.ts: real HTTP and SSE on 127.0.0.1)
 * in place of vLLM. Nothing in the page is replaced: the panel picks OpenAiCompatibleEngine from the deployment
 * file, the page's CSP lets it reach that server only because the file names it, and the server streams the
 * fixtures' records token by token.
 *
 * Screenshots are saved under test-results/e2e/.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOpenAiTestServer, type ReceivedRequest, type TestServer } from '../doubles/openai-server';
import { fixtureReply } from './fixture-replies';
import { selectTableRows, selectTranscript } from './playground-actions';
import { buildPages, chromiumAvailable, ensureResults, launchChromium, serve } from './setup';

const BASE_MODEL = 'Qwen/Qwen2.5-7B-Instruct';
const ADAPTER = 'acme-hr';
/** In the E2 / exit-reasons sample transcript; the pane must redact it before anything is sent. */
const PHONE = '138 0013 8000';

let browser: Browser | undefined;
let web: { origin: string; close: () => Promise<void> } | undefined;
let llm: TestServer | undefined;
let deployDir = '';
let results = '';
let calls = 0;

function promptOf(body: ReceivedRequest): string {
  return body.messages.map((m) => m.content).join('\n');
}

/** The fixture record for the request, as vLLM would stream it: a few characters per token. */
function reply(body: ReceivedRequest): string[] {
  const text = fixtureReply(promptOf(body), calls++);
  const tokens: string[] = [];
  for (let i = 0; i < text.length; i += 4) tokens.push(text.slice(i, i + 4));
  return tokens;
}

/** Per-token delay that differs from request to request (5–14 ms), so rows run at once finish out of order. */
function unevenDelay(body: ReceivedRequest): number {
  let h = 0;
  for (const ch of promptOf(body)) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return 5 + (h % 10);
}

describe.skipIf(!chromiumAvailable())('company server end to end', () => {
  beforeAll(async () => {
    llm = await startOpenAiTestServer({ models: { [BASE_MODEL]: 32768, [ADAPTER]: 32768 }, reply, tokenDelayMs: 5 });
    deployDir = mkdtempSync(path.join(os.tmpdir(), 'liuhen-deploy-'));
    writeFileSync(
      path.join(deployDir, 'model-records.json'),
      JSON.stringify({ server: { kind: 'vllm', base_url: llm.baseUrl, model: BASE_MODEL, lora_adapter: ADAPTER, display_name: 'ACME HR · Qwen2.5-7B + LoRA' } }, null, 2),
    );
    const dist = buildPages(['playground'], { testSeams: false, deployDir });
    web = await serve(dist);
    browser = await launchChromium();
    results = ensureResults();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await web?.close();
    await llm?.close();
    if (deployDir) rmSync(deployDir, { recursive: true, force: true });
  });

  async function open(query: string): Promise<Page & { errors: string[]; blocked: string[] }> {
    if (!browser || !web) throw new Error('not set up');
    const page = (await browser.newPage({ viewport: { width: 1280, height: 900 } })) as Page & { errors: string[]; blocked: string[] };
    page.errors = [];
    page.blocked = [];
    page.on('pageerror', (e) => page.errors.push(e.message));
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) page.blocked.push(m.text());
    });
    await page.goto(`${web.origin}/playground.html?${query}`);
    await page.getByTestId('liuhen-panel').waitFor();
    return page;
  }

  it('the model area names the company server; Generate streams the record over SSE, redacted, grammar passed through; Insert adds a suggestion', async () => {
    if (!llm) throw new Error('not set up');
    const page = await open('lang=en&sample=exit-reasons');
    const runsOn = page.getByTestId('model-runs-on');
    await runsOn.waitFor();
    expect(await runsOn.getAttribute('data-engine')).toBe('company-server');
    const host = new URL(llm.baseUrl).host;
    expect(await runsOn.textContent()).toBe(`Runs on the company server ${host}: your text is sent there`);
    await page.getByTestId('model-status').screenshot({ path: path.join(results, '20-company-server-model-area.png') });
    // The page's own policy names the server: it is reachable because the deployment file declares it.
    const policy = await page.evaluate(() => document.querySelector('meta[http-equiv="Content-Security-Policy"]')?.getAttribute('content') ?? '');
    expect(policy).toMatch(new RegExp(`connect-src [^;]*http://${host.replaceAll('.', '\\.')}`));

    const before = llm.requests.length;
    await selectTranscript(page);
    await expect.poll(() => page.getByTestId('generate').isEnabled()).toBe(true);
    await page.getByTestId('generate').click();
    // Sections appear while the server is still streaming.
    await page.getByTestId('preview-streaming').locator('[data-section]').first().waitFor({ timeout: 30_000 });
    await page.getByTestId('preview-final').waitFor({ timeout: 60_000 });

    const sent = llm.requests.slice(before);
    expect(sent).toHaveLength(1);
    const [request] = sent;
    if (!request) throw new Error('no request');
    // The adapter is the served model; streamed with usage; the template's grammar rides in vLLM's field.
    expect(request.model).toBe(ADAPTER);
    expect(request.stream).toBe(true);
    expect(request.stream_options).toEqual({ include_usage: true });
    expect(request.structured_outputs?.grammar).toMatch(/^root ::= /m);
    expect(request.structured_outputs?.grammar).toContain('离职原因');
    // Personal data never leaves the pane, to the company server either.
    expect(JSON.stringify(request)).not.toContain(PHONE);
    expect(JSON.stringify(request)).not.toContain('13800138000');
    expect(await page.getByTestId('redactions').locator('[data-redaction="CN_MOBILE"]').count()).toBe(1);

    const ack = page.getByTestId('ack');
    if ((await ack.count()) > 0) await ack.check();
    await page.getByTestId('insert').click();
    await page.getByTestId('insert-done').waitFor();
    expect(await page.locator('[data-testid="doc"] [data-suggestion-group]').count()).toBe(1);
    const text = (await page.evaluate(() => window.liuhenPlayground?.text())) ?? '';
    expect(text).toContain('【离职原因】');
    const audit = (await page.evaluate(() => window.liuhenPlayground?.readAudit())) ?? [];
    expect(audit.at(-1)?.modelId).toBe(ADAPTER);
    await page.locator('#panel').screenshot({ path: path.join(results, '21-company-server-generated.png') });
    expect(page.errors).toEqual([]);
    expect(page.blocked).toEqual([]);
    await page.close();
  }, 120_000);

  it('Cancel closes the HTTP stream on the server and inserts nothing; a refused account gets the access message', async () => {
    if (!llm) throw new Error('not set up');
    llm.set({ tokenDelayMs: 150 });
    const page = await open('lang=en&sample=exit-reasons');
    await selectTranscript(page);
    await expect.poll(() => page.getByTestId('generate').isEnabled()).toBe(true);
    const cancelledBefore = llm.cancelled;
    await page.getByTestId('generate').click();
    await page.getByTestId('preview-streaming').locator('[data-section]').first().waitFor({ timeout: 30_000 });
    expect(llm.active).toBe(1);
    await page.getByTestId('cancel').click();
    await page.getByText(/Cancelled\. Nothing was inserted/).waitFor();
    // The browser's fetch was aborted: the server saw the client go away mid-stream.
    await expect.poll(() => llm?.cancelled, { timeout: 10_000 }).toBe(cancelledBefore + 1);
    await expect.poll(() => llm?.active).toBe(0);
    expect(await page.evaluate(() => window.liuhenPlayground?.getSuggestions().length)).toBe(0);

    llm.set({ tokenDelayMs: 5, failWith: { status: 401, message: 'invalid API key', on: 'chat', times: 1 } });
    await page.getByTestId('regenerate').click();
    const error = page.getByTestId('run-error');
    await error.waitFor({ timeout: 30_000 });
    expect(await error.textContent()).toContain(`The company model server ${new URL(llm.baseUrl).host} refused access (HTTP 401)`);
    expect(await page.evaluate(() => window.liuhenPlayground?.getSuggestions().length)).toBe(0);
    await page.locator('#panel').screenshot({ path: path.join(results, '22-company-server-401.png') });
    expect(page.errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('batch: 20 rows run up to 8 at a time on the server, pause stops new requests, a failed row is retried, and rows land in the table in row order', async () => {
    if (!llm) throw new Error('not set up');
    llm.set({ tokenDelayMs: unevenDelay, failWith: { status: 503, message: 'Service Unavailable', on: 'chat', times: 1 } });
    const maxBefore = llm.maxActive;
    expect(maxBefore).toBeLessThanOrEqual(1);
    const page = await open('lang=zh-CN&sample=exit-reasons');
    await page.getByTestId('template').selectOption('talent-review@zh-CN');
    await page.getByLabel('表格行（批量）').check();
    await selectTableRows(page, 1, 20);
    await page.getByTestId('batch-read').click();
    await expect.poll(() => page.getByTestId('batch-rows').getByRole('checkbox').count()).toBe(20);

    // Which table row receives a suggestion, in the order the document receives them.
    await page.evaluate(() => {
      const order: number[] = [];
      (window as unknown as { __insertOrder: number[] }).__insertOrder = order;
      const table = document.querySelector('[data-testid="doc-table"]');
      if (!table) throw new Error('no table');
      new MutationObserver(() => {
        for (const tr of Array.from(table.querySelectorAll('tr[data-row]'))) {
          const row = Number(tr.getAttribute('data-row'));
          if (tr.querySelector('[data-suggestion-group]') && !order.includes(row)) order.push(row);
        }
      }).observe(table, { subtree: true, childList: true, attributes: true });
    });
    const insertOrder = (): Promise<number[]> => page.evaluate(() => [...(window as unknown as { __insertOrder: number[] }).__insertOrder]);

    await page.getByTestId('batch-start').click();
    const progress = page.getByTestId('batch-progress');
    // Several rows stream at once (vLLM batches them); never more than the default of 8.
    await expect.poll(() => llm?.maxActive ?? 0, { timeout: 30_000 }).toBeGreaterThan(1);
    await expect.poll(async () => page.locator('[data-testid="batch-queue"] [data-status="done"], [data-testid="batch-queue"] [data-status="flagged"]').count(), { timeout: 60_000 }).toBeGreaterThan(2);
    await page.getByTestId('batch-pause').click();
    await expect.poll(() => progress.getAttribute('data-status')).toBe('paused');
    // Rows already streaming may finish; no new request starts while paused.
    await expect.poll(() => llm?.active, { timeout: 30_000 }).toBe(0);
    const requestsWhilePaused = llm.requests.length;
    await page.waitForTimeout(800);
    expect(llm.requests.length).toBe(requestsWhilePaused);
    expect(await page.locator('[data-testid="batch-queue"] [data-status="waiting"]').count()).toBeGreaterThan(0);
    await page.getByTestId('batch-resume').click();
    await expect.poll(() => progress.getAttribute('data-status'), { timeout: 120_000 }).toBe('finished');
    expect(llm.maxActive).toBeLessThanOrEqual(8);

    // The first request was answered 503: that row failed, and Retry runs it again on the server.
    expect(await page.locator('[data-testid="batch-queue"] [data-status="failed"]').count()).toBe(1);
    await page.getByTestId('batch-retry').click();
    await expect.poll(() => progress.getAttribute('data-status'), { timeout: 60_000 }).toBe('finished');
    expect(await page.locator('[data-testid="batch-queue"] [data-status="failed"]').count()).toBe(0);
    const autoInserted = await insertOrder();

    const insertFlagged = page.getByTestId('batch-insert-flagged');
    if ((await insertFlagged.count()) > 0) await insertFlagged.click();
    await expect.poll(() => page.locator('[data-testid="batch-queue"] [data-inserted="true"]').count(), { timeout: 30_000 }).toBe(20);
    expect(await page.locator('[data-testid="doc-table"] [data-suggestion-group]').count()).toBe(20);
    await page.screenshot({ path: path.join(results, '23-company-server-batch.png'), fullPage: true });

    // One at a time and in row order, although the server finished rows out of order: the rows inserted as
    // they came (before and after the retry) each rise, and every row landed exactly once.
    const all = await insertOrder();
    const later = all.slice(autoInserted.length);
    const rising = (xs: number[]): boolean => xs.every((x, i) => i === 0 || x > (xs[i - 1] ?? 0));
    const retried = autoInserted.filter((r, i) => i > 0 && r < (autoInserted[i - 1] ?? 0));
    expect(retried.length).toBeLessThanOrEqual(1); // only the retried row may come after rows below it
    expect(rising(autoInserted.filter((r) => !retried.includes(r)))).toBe(true);
    expect(rising(later)).toBe(true);
    expect([...all].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect((await page.evaluate(() => window.liuhenPlayground?.readAudit()))?.length).toBe(20);
    expect(page.errors).toEqual([]);
    await page.close();
  }, 240_000);
});
