/**
 * `npm run bench:addin`: numbers for the Word add-in, printed (no assertions).
 *  1. `context.sync()` calls per insertion of 3 and 12 sections: WordHost over the Word double
 *     (test/doubles/office-mock.ts on office-addin-mock), reading the selection then applying one plan.
 *  2. First-load JavaScript of the task pane, gzip (zlib level 9): the page's own scripts, and the same plus the
 *     engine worker and its WebLLM chunk (which load after first paint, in the worker).
 *  3. Time to interactive of the panel in headless Chromium: navigation start → the panel's Generate button is
 *     enabled (text already selected), median of RUNS runs, on the playground page (the same panel; the task
 *     pane itself needs Office.js from Microsoft's CDN, which is not reachable offline).
 *
 * Environment: RUNS (default 5), LIUHEN_E2E_DIST (reuse a build folder).
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { InsertionPlan, PlanBlock } from '../shared/host/port';
import { buildPages, launchChromium, serve } from '../test/e2e/setup';
import { WordMock } from '../test/doubles/office-mock';
import { WordHost } from '../addin/word/word-host';

const RUNS = Number(process.env.RUNS ?? 5);

function blocks(n: number): PlanBlock[] {
  return Array.from({ length: n }, (_, i) => ({
    heading: `【第${i + 1}节】`,
    headingStyle: 'Heading3' as const,
    paragraphs: [`第${i + 1}节第一段。`, `第${i + 1}节第二段。`],
    // Every section explained with a comment, as talent reviews are: the worst case for round trips.
    comments: [{ anchorText: `第${i + 1}节第一段。`, text: '置信度 0.8 · 依据: T2' }],
  }));
}

async function syncsPerInsertion(sections: number): Promise<{ read: number; apply: number; reported: number }> {
  const mock = new WordMock({ body: ['面谈记录', 'T1 HR:今天想了解离职原因。', 'T2 员工:主要还是钱。'], selection: { paragraphs: [1, 2] } }).install();
  try {
    const host = new WordHost();
    const s0 = mock.syncs;
    const sel = await host.readSelection();
    const s1 = mock.syncs;
    const plan: InsertionPlan = {
      auditId: `bench-${sections}`,
      target: { kind: 'after-anchor', anchor: sel.anchor },
      blocks: blocks(sections),
      audit: {
        auditId: `bench-${sections}`,
        time: new Date().toISOString(),
        templateId: 'exit-interview',
        templateVersion: '1.0.0',
        templateLanguage: 'zh-CN',
        modelId: 'bench',
        sourceHash: '00'.repeat(32),
        redactionCount: 0,
        flags: [],
      },
    };
    const r = await host.apply([plan]);
    if (r.failed.length > 0) throw new Error(r.failed.map((f) => f.message).join('; '));
    return { read: s1 - s0, apply: mock.syncs - s1, reported: r.roundTrips };
  } finally {
    mock.uninstall();
  }
}

function gz(file: string): number {
  return gzipSync(readFileSync(file), { level: 9 }).length;
}

function kb(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

function initialScripts(dist: string, html: string): string[] {
  const text = readFileSync(path.join(dist, html), 'utf8');
  return [...text.matchAll(/<script[^>]*\ssrc="?([^"\s>]+)"?/g)].map((m) => m[1] ?? '').filter((s) => s && !/^https?:/.test(s));
}

/** Selects the transcript as soon as it is rendered and notes when Generate first becomes enabled. */
const TTI_PROBE = `
(() => {
  const w = window;
  function check() {
    const doc = document.querySelector('[data-testid="doc"]');
    const sel = window.getSelection();
    if (doc && sel && sel.isCollapsed) {
      const ps = doc.querySelectorAll('p[data-block-id]');
      const first = ps[1];
      const last = ps[ps.length - 1];
      if (first && last) {
        const range = document.createRange();
        range.setStartBefore(first);
        range.setEndAfter(last);
        sel.removeAllRanges();
        sel.addRange(range);
      }
    }
    const status = document.querySelector('[data-testid="model-status"]');
    w.__phase = status ? status.getAttribute('data-phase') : '';
    const button = document.querySelector('[data-testid="generate"]');
    if (button && !button.disabled && w.__tti === undefined) w.__tti = performance.now();
    if (w.__tti === undefined) requestAnimationFrame(check);
  }
  requestAnimationFrame(check);
})();
`;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] ?? NaN) : ((s[m - 1] ?? NaN) + (s[m] ?? NaN)) / 2;
}

async function main(): Promise<void> {
  console.log('Liuhen add-in benchmark\n');

  console.log('1. context.sync() per insertion (WordHost over the Word double; readSelection + apply of one plan)');
  for (const n of [3, 12]) {
    const r = await syncsPerInsertion(n);
    console.log(`   ${String(n).padStart(2)} sections: readSelection ${r.read} sync(s), apply ${r.apply} sync(s) (ApplyResult.roundTrips ${r.reported})`);
  }

  const t0 = Date.now();
  const dist = buildPages(['taskpane', 'playground']);
  console.log(`\n2. Task pane first-load JavaScript (production build${process.env.LIUHEN_E2E_DIST ? " reused" : ` in ${((Date.now() - t0) / 1000).toFixed(0)} s`}, gzip -9)`);
  const initial = initialScripts(dist, 'taskpane.html');
  const initialBytes = initial.reduce((sum, f) => sum + gz(path.join(dist, f)), 0);
  const rawBytes = initial.reduce((sum, f) => sum + statSync(path.join(dist, f)).size, 0);
  const js = readdirSync(dist).filter((f) => f.endsWith('.js'));
  const worker = js.filter((f) => f.startsWith('liuhen-engine') || f.startsWith('webllm'));
  const workerBytes = worker.reduce((sum, f) => sum + gz(path.join(dist, f)), 0);
  const webllmInPage = initial.some((f) => readFileSync(path.join(dist, f), 'utf8').includes('CreateWebWorkerMLCEngine'));
  console.log(`   page scripts (${initial.join(', ')}): ${kb(initialBytes)} gzip (${kb(rawBytes)} minified)`);
  console.log(`   + engine worker and WebLLM chunk (${worker.join(', ')}): ${kb(initialBytes + workerBytes)} gzip (worker part ${kb(workerBytes)})`);
  console.log(`   WebLLM in the page bundle: ${webllmInPage ? 'YES (should not be)' : 'no'}`);

  console.log(`\n3. Time to interactive, playground panel (headless Chromium, median of ${RUNS})`);
  const server = await serve(dist);
  const browser = await launchChromium();
  try {
    const times: number[] = [];
    let outcome = '';
    for (let i = 0; i < RUNS; i++) {
      const context = await browser.newContext();
      const page = await context.newPage();
      // Select the transcript as soon as it is rendered, and note when Generate first becomes enabled.
      // A string, not a function: tsx (esbuild) would wrap named functions in a `__name` helper the page lacks.
      await page.addInitScript(TTI_PROBE);
      await page.goto(`${server.origin}/playground.html?lang=zh-CN`);
      try {
        await page.waitForFunction(() => (window as unknown as { __tti?: number }).__tti !== undefined, undefined, { timeout: 30_000 });
        times.push(await page.evaluate(() => (window as unknown as { __tti: number }).__tti));
      } catch {
        outcome = `Generate never enabled (model area: ${await page.evaluate(() => (window as unknown as { __phase?: string }).__phase)})`;
      }
      await context.close();
    }
    if (times.length > 0) console.log(`   navigation → Generate enabled: median ${median(times).toFixed(0)} ms (runs: ${times.map((t) => t.toFixed(0)).join(', ')} ms)`);
    if (outcome) console.log(`   ${outcome}`);
  } finally {
    await browser.close();
    await server.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
