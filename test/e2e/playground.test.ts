/**
 * End to end on the built playground (webpack production build, served by scripts/serve.mjs's handler, Debian's
 * Chromium): a writer selects the transcript, generates with the test-double engine, watches the sections stream
 * in, sees the guard flags for a transcript with health / family-planning / harassment content before anything
 * touches the document, inserts, accepts the suggestion, and the document holds the record.
 * Screenshots are saved under test-results/e2e/.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exitFixtures } from '../../shared/output/test-fixtures';
import { selectTableRows, selectTranscript } from './playground-actions';
import { bundleForBrowser, bundleTestEngine, buildPages, chromiumAvailable, ensureResults, launchChromium, serve } from './setup';

const E3 = exitFixtures().find((f) => f.id === 'E3');

let browser: Browser | undefined;
let server: { origin: string; close: () => Promise<void> } | undefined;
let engineScript = '';
let results = '';
let dist = '';

describe.skipIf(!chromiumAvailable())('playground end to end', () => {
  beforeAll(async () => {
    dist = buildPages(['playground', 'taskpane']);
    engineScript = await bundleTestEngine();
    server = await serve(dist);
    browser = await launchChromium();
    results = ensureResults();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function open(query: string, config: Record<string, unknown> = {}): Promise<Page> {
    if (!browser || !server) throw new Error('not set up');
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    (page as Page & { errors?: string[] }).errors = errors;
    await page.addInitScript(`window.__LIUHEN_E2E__ = ${JSON.stringify(config)};`);
    await page.addInitScript(engineScript);
    await page.goto(`${server.origin}/playground.html?${query}`);
    await page.getByTestId('liuhen-panel').waitFor();
    return page;
  }

  it('select, generate (streaming), flags before insert, insert, accept: the document holds the record', async () => {
    if (!E3) throw new Error('fixture E3 missing');
    const page = await open('lang=zh-CN&sample=exit-sensitive', { tokenDelayMs: 25 });
    await expect.poll(() => page.getByTestId('model-status').getAttribute('data-phase')).toBe('idle');
    const generate = page.getByTestId('generate');
    expect(await generate.isDisabled()).toBe(true); // nothing selected yet
    await page.screenshot({ path: path.join(results, '01-playground-start.png') });

    await selectTranscript(page);
    await expect.poll(() => page.getByTestId('selection-length').textContent()).toMatch(/已选中 \d+ 个字符/);
    await expect.poll(() => generate.isEnabled()).toBe(true);
    await generate.click();

    // Sections stream in before the result is final.
    const streaming = page.getByTestId('preview-streaming');
    await streaming.locator('[data-section]').first().waitFor();
    expect(await page.getByTestId('preview-final').count()).toBe(0);
    expect(await page.getByTestId('cancel').isVisible()).toBe(true);
    await page.screenshot({ path: path.join(results, '02-streaming.png') });

    // Final record and the flags, before anything touched the document.
    await page.getByTestId('preview-final').waitFor({ timeout: 30_000 });
    const flags = page.getByTestId('flags');
    for (const f of ['BLOCK:HEALTH', 'BLOCK:FAMILY_PLANNING', 'ESCALATE:GENDER_MARITAL_ALLEGATION']) {
      expect(await flags.locator(`[data-flag="${f}"]`).count(), f).toBeGreaterThan(0);
    }
    expect(await page.getByTestId('review-needed').isVisible()).toBe(true);
    expect(await page.evaluate(() => window.liuhenPlayground?.getSuggestions().length)).toBe(0);
    const insert = page.getByTestId('insert');
    expect(await insert.isDisabled()).toBe(true); // the writer must acknowledge the flags first
    await page.screenshot({ path: path.join(results, '03-flags.png'), fullPage: true });

    await page.getByTestId('ack').check();
    await insert.click();
    await page.getByTestId('insert-done').waitFor();
    const group = page.locator('[data-testid="doc"] [data-suggestion-group]');
    expect(await group.count()).toBe(1);
    await page.screenshot({ path: path.join(results, '04-inserted-suggestion.png'), fullPage: true });

    await group.getByRole('button', { name: /^Accept/ }).click();
    expect(await page.locator('[data-testid="doc"] [data-suggestion-group]').count()).toBe(0);
    const text = (await page.evaluate(() => window.liuhenPlayground?.text())) ?? '';
    expect(text).toContain('【离职原因】');
    for (const body of Object.values(E3.sections)) expect(text).toContain(body.split('\n')[0]);
    // The audit trail holds the insertion, without the source text.
    const audit = await page.evaluate(() => window.liuhenPlayground?.readAudit());
    expect(audit).toHaveLength(1);
    expect(JSON.stringify(audit)).not.toContain('心理医生');
    await page.screenshot({ path: path.join(results, '05-accepted.png'), fullPage: true });
    // Audit export: a JSON file with the record.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('audit-json').click()]);
    expect(download.suggestedFilename()).toMatch(/^liuhen-audit-\d{4}-\d{2}-\d{2}\.json$/);
    const exported = JSON.parse(readFileSync(await download.path(), 'utf8')) as { format: string; records: Array<{ auditId: string }> };
    expect(exported.format).toBe('liuhen-audit');
    expect(exported.records.map((r) => r.auditId)).toEqual(audit?.map((r) => r.auditId));
    expect((page as Page & { errors?: string[] }).errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('cancel keeps the source and inserts nothing; without suggestions the pane offers copy instead', async () => {
    const page = await open('lang=en&sample=exit-reasons&suggestions=0', { tokenDelayMs: 60 });
    await expect.poll(() => page.getByTestId('model-status').getAttribute('data-phase')).toBe('idle');
    // English UI follows the host's display language.
    expect(await page.getByTestId('generate').textContent()).toBe('Generate');
    await selectTranscript(page);
    await expect.poll(() => page.getByTestId('generate').isEnabled()).toBe(true);
    // Keyboard only: Tab from the template picker reaches Generate, Enter presses it.
    await page.getByTestId('template').focus();
    for (let i = 0; i < 10 && (await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))) !== 'generate'; i++) await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('generate');
    await page.keyboard.press('Enter');
    await page.getByTestId('preview-streaming').locator('[data-section]').first().waitFor();
    await page.getByTestId('cancel').click();
    await page.getByText(/Cancelled\. Nothing was inserted/).waitFor();
    expect(await page.evaluate(() => window.liuhenPlayground?.getSuggestions().length)).toBe(0);

    await page.getByTestId('regenerate').click();
    await page.getByTestId('preview-final').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('no-suggestions').isVisible()).toBe(true);
    expect(await page.getByTestId('insert').count()).toBe(0);
    expect(await page.getByTestId('copy').isVisible()).toBe(true);
    // The phone number in the transcript was redacted: the pane says what kind, never the value.
    const redactions = page.getByTestId('redactions');
    expect(await redactions.locator('[data-redaction="CN_MOBILE"]').count()).toBe(1);
    expect(await page.getByTestId('liuhen-panel').textContent()).not.toContain('138 0013 8000');
    await page.screenshot({ path: path.join(results, '06-no-suggestions-copy.png'), fullPage: true });
    await page.close();
  }, 120_000);

  it('batch: 20 table rows confirmed, run, paused, resumed, an injected failure retried, records inserted as suggestions', async () => {
    const page = await open('lang=zh-CN&sample=exit-reasons', { tokenDelayMs: 5 });
    await expect.poll(() => page.getByTestId('model-status').getAttribute('data-phase')).toBe('idle');
    await page.getByTestId('template').selectOption('talent-review@zh-CN');
    await page.getByLabel('表格行（批量）').check();
    // The writer selects the 20 data rows of the table.
    await selectTableRows(page, 1, 20);
    await page.getByTestId('batch-read').click();
    const rows = page.getByTestId('batch-rows').getByRole('checkbox');
    await expect.poll(() => rows.count()).toBe(20);
    expect(await page.getByText('已选 20 / 20 行').count()).toBe(1);
    // The comment column of the same row is proposed as the destination.
    expect(await page.getByTestId('batch-column').inputValue()).toBe('评语');
    await page.screenshot({ path: path.join(results, '07-batch-confirm.png'), fullPage: true });

    // One row's generation fails (the first one run).
    await page.evaluate(() => (window as unknown as { __liuhenFake: { failNext(): void } }).__liuhenFake.failNext());
    await page.getByTestId('batch-start').click();
    const progress = page.getByTestId('batch-progress');
    await expect.poll(async () => page.locator('[data-testid="batch-queue"] [data-status="done"], [data-testid="batch-queue"] [data-status="flagged"]').count(), { timeout: 30_000 }).toBeGreaterThan(2);
    await page.getByTestId('batch-pause').click();
    await expect.poll(() => progress.getAttribute('data-status')).toBe('paused');
    // While paused the rest waits (the row being written when pause was clicked may still finish).
    await page.waitForTimeout(500);
    const waitingWhilePaused = await page.locator('[data-testid="batch-queue"] [data-status="waiting"]').count();
    expect(waitingWhilePaused).toBeGreaterThan(0);
    await page.screenshot({ path: path.join(results, '08-batch-paused.png'), fullPage: true });
    await page.getByTestId('batch-resume').click();
    await expect.poll(() => progress.getAttribute('data-status'), { timeout: 60_000 }).toBe('finished');
    expect(await page.locator('[data-testid="batch-queue"] [data-status="failed"]').count()).toBe(1);

    await page.getByTestId('batch-retry').click();
    // The failed row (the first one run) is generated a second time and now succeeds.
    const retried = page.locator('[data-testid="batch-queue"] [data-row="1"]');
    await expect.poll(async () => `${await retried.getAttribute('data-status')} ${await retried.textContent()}`, { timeout: 30_000 }).toMatch(/^(done|flagged) .*×2/);
    await expect.poll(() => progress.getAttribute('data-status'), { timeout: 30_000 }).toBe('finished');
    expect(await page.locator('[data-testid="batch-queue"] [data-status="failed"]').count()).toBe(0);

    // Rows with flags wait for the writer; insert them too.
    const insertFlagged = page.getByTestId('batch-insert-flagged');
    if ((await insertFlagged.count()) > 0) await insertFlagged.click();
    await expect.poll(() => page.locator('[data-testid="batch-queue"] [data-inserted="true"]').count(), { timeout: 30_000 }).toBe(20);
    const cellSuggestions = page.locator('[data-testid="doc-table"] [data-suggestion-group]');
    expect(await cellSuggestions.count()).toBe(20);
    await page.screenshot({ path: path.join(results, '09-batch-inserted.png'), fullPage: true });

    await page.getByTestId('accept-all').click();
    expect(await cellSuggestions.count()).toBe(0);
    const text = (await page.evaluate(() => window.liuhenPlayground?.text())) ?? '';
    expect(text).toContain('【九宫格定位】');
    expect((await page.evaluate(() => window.liuhenPlayground?.readAudit()))?.length).toBe(20);
    expect((page as Page & { errors?: string[] }).errors).toEqual([]);
    await page.close();
  }, 180_000);

  it('follows a dark theme: panel and document use the dark Fluent palette', async () => {
    const page = await open('lang=en&theme=dark&sample=exit-en');
    await expect.poll(() => page.getByTestId('model-status').getAttribute('data-phase')).toBe('idle');
    const luminance = (selector: string): Promise<number> =>
      page.evaluate((sel) => {
        const el = document.querySelector(sel);
        if (!el) throw new Error(`${sel} missing`);
        const m = getComputedStyle(el).backgroundColor.match(/\d+(\.\d+)?/g)?.map(Number) ?? [255, 255, 255];
        const [r = 255, g = 255, b = 255] = m;
        return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
      }, selector);
    expect(await luminance('[data-testid="liuhen-panel"]')).toBeLessThan(0.3);
    expect(await luminance('[data-testid="doc"]')).toBeLessThan(0.3);
    await page.screenshot({ path: path.join(results, '10-dark-theme.png'), fullPage: true });
    await page.close();
  }, 60_000);

  it('Word task pane: boots on Office.onReady with WordHost, reads the Word selection, inserts as tracked changes', async () => {
    if (!browser || !server) throw new Error('not set up');
    const officeStub = await bundleForBrowser('test/e2e/office-stub.ts');
    const page = await browser.newPage({ viewport: { width: 400, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    // office.js comes from Microsoft's CDN; here the Word double answers in its place.
    await page.route('https://appsforoffice.microsoft.com/lib/1/hosted/office.js', (route) => route.fulfill({ status: 200, contentType: 'text/javascript', body: officeStub }));
    await page.addInitScript('window.__LIUHEN_E2E__ = { tokenDelayMs: 5 };');
    await page.addInitScript(engineScript);
    await page.goto(`${server.origin}/taskpane.html`);
    await page.getByTestId('liuhen-panel').waitFor();
    // Office's display language (zh-CN) and the Word selection (4 paragraphs) reach the panel.
    await expect.poll(() => page.getByTestId('selection-length').textContent()).toMatch(/已选中 \d+ 个字符/);
    await expect.poll(() => page.getByTestId('generate').isEnabled()).toBe(true);
    await page.getByTestId('generate').click();
    await page.getByTestId('preview-final').waitFor({ timeout: 30_000 });
    await page.getByTestId('insert').click();
    await page.getByTestId('insert-done').waitFor();
    await page.screenshot({ path: path.join(results, '11-word-taskpane-inserted.png'), fullPage: true });
    const doc = await page.evaluate(() => {
      const mock = (window as unknown as { __wordMock: { outline(): string[]; inserted(): Array<{ text: string; insertedUnder?: string }>; trackingMode: string } }).__wordMock;
      return { outline: mock.outline(), inserted: mock.inserted().map((p) => [p.text, p.insertedUnder]), mode: mock.trackingMode };
    });
    // Inserted after the selection, under TrackAll, and the writer's own mode (Off) restored.
    expect(doc.outline.slice(5, 7)).toEqual(['【离职原因】', expect.stringContaining('薪酬')]);
    expect(doc.inserted.length).toBeGreaterThanOrEqual(6);
    expect(doc.inserted.every(([, mode]) => mode === 'TrackAll')).toBe(true);
    expect(doc.mode).toBe('Off');
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('English Word, Chinese document, nothing selected: the pane speaks English, the template is the Chinese one', async () => {
    if (!browser || !server) throw new Error('not set up');
    const officeStub = await bundleForBrowser('test/e2e/office-stub.ts');
    const page = await browser.newPage({ viewport: { width: 400, height: 900 } });
    await page.route('https://appsforoffice.microsoft.com/lib/1/hosted/office.js', (route) => route.fulfill({ status: 200, contentType: 'text/javascript', body: officeStub }));
    await page.addInitScript("window.__LIUHEN_WORD__ = { displayLanguage: 'en-US', cursor: true };");
    await page.addInitScript(engineScript);
    await page.goto(`${server.origin}/taskpane.html`);
    await page.getByText('Nothing selected. Select the transcript in the document.').waitFor();
    await expect.poll(() => page.getByTestId('template').inputValue()).toBe('exit-interview@zh-CN');
    await page.close();
  }, 60_000);

  it('Word without WordApi 1.4: the pane says so before generating and offers copy, never untracked text', async () => {
    if (!browser || !server) throw new Error('not set up');
    const officeStub = await bundleForBrowser('test/e2e/office-stub.ts');
    const page = await browser.newPage({ viewport: { width: 400, height: 900 } });
    await page.route('https://appsforoffice.microsoft.com/lib/1/hosted/office.js', (route) => route.fulfill({ status: 200, contentType: 'text/javascript', body: officeStub }));
    await page.addInitScript("window.__LIUHEN_WORD__ = { wordApi: '1.3' }; window.__LIUHEN_E2E__ = { tokenDelayMs: 2 };");
    await page.addInitScript(engineScript);
    await page.goto(`${server.origin}/taskpane.html`);
    await page.getByTestId('no-suggestions').waitFor();
    await expect.poll(() => page.getByTestId('generate').isEnabled()).toBe(true);
    await page.getByTestId('generate').click();
    await page.getByTestId('preview-final').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('insert').count()).toBe(0);
    expect(await page.getByTestId('copy').isEnabled()).toBe(true);
    expect(await page.evaluate(() => (window as unknown as { __wordMock: { inserted(): unknown[] } }).__wordMock.inserted().length)).toBe(0);
    await page.screenshot({ path: path.join(results, '12-word-1.3-copy.png'), fullPage: true });
    await page.close();
  }, 120_000);
});
