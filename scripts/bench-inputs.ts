/**
 * `npm run bench:inputs`: what a very large source costs the pane (issue 15, "inputs freeze the pane").
 *
 * 1. Node, on a 5 MB Chinese transcript: counting characters and telling the language the old way (Array.from,
 *    the whole text) and the new way (countChars, the first 4,000 characters); preparation (redaction,
 *    normalisation: prepareEvidence) at 10,000 characters and at MAX_SOURCE_CHARS, the most it can now block.
 * 2. Headless Chromium, the panel in the playground (test build, test-double engine), the pane's side only: the
 *    host reports a 5 MB selection and then 20 more selection changes 30 ms apart (VS Code fires on every cursor
 *    move); measured: time until the pane shows the size limit, time to interactive (the end of the last task
 *    over 50 ms), the longest task, and the delay of a click on "Paste" made 100 ms after the first change.
 *    (Selecting 5 MB in the playground's own document costs Chromium ~0.5 s of layout and paint per change;
 *    that is the page's document, not the pane, and Word or VS Code draw their own selections.)
 *
 * Prints numbers; asserts nothing.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { detectLanguage } from '../shared/guard/language';
import { prepareEvidence, prepareEvidenceSliced } from '../shared/pipeline/evidence';
import { generate } from '../shared/pipeline/generate';
import { FakeEngine } from '../test/doubles/fake-engine';
import { countChars, languageSample, MAX_SOURCE_CHARS } from '../shared/source/limits';
import { BUILTIN_TEMPLATES } from '../shared/templates/load';
import { ROOT } from '../test/browser/harness';
import { buildPages, bundleTestEngine, launchChromium, serve } from '../test/e2e/setup';

const MB5 = 5 * 2 ** 20;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

function time(fn: () => unknown, runs = 5): number {
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    ms.push(performance.now() - t0);
  }
  return median(ms);
}

function transcript(chars: number): string {
  const fixtures = JSON.parse(readFileSync(path.resolve(ROOT, '../shared/fixtures/exit-interviews.json'), 'utf8')) as { cases: Array<{ source: string }> };
  const unit = `${fixtures.cases[0]?.source ?? '员工：通勤太远。'}\n`;
  return unit.repeat(Math.ceil(chars / unit.length)).slice(0, chars);
}

// A string, evaluated through the DevTools protocol (the page's CSP forbids inline scripts, rightly).
const PROBE = `
(async () => {
  const host = window.liuhenPlayground;
  const big = window.__bigText;
  // The pane's side only, as in Word or VS Code where the selection lives in the host: the host answers
  // readSelection with the 5 MB text and fires its selection-changed listeners, like VS Code on every cursor move.
  host.readSelection = () => Promise.resolve({ text: big, anchor: 'end' });
  const fire = () => { for (const l of host.selectionListeners) l(); };
  const longTasks = [];
  new PerformanceObserver((list) => { for (const e of list.getEntries()) longTasks.push({ start: e.startTime, ms: e.duration }); }).observe({ type: 'longtask', buffered: false });
  const radio = (v) => Array.from(document.querySelectorAll('input[type="radio"]')).find((r) => r.value === v);
  const t0 = performance.now();
  fire();
  let clickDelay;
  setTimeout(() => {
    const clickAt = performance.now();
    radio('paste').click();
    const seen = () => { if (radio('paste').checked) clickDelay = performance.now() - clickAt; else requestAnimationFrame(seen); };
    requestAnimationFrame(seen);
    setTimeout(() => radio('selection').click(), 50);
  }, 100);
  for (let i = 0; i < 20; i++) {
    await new Promise((r) => setTimeout(r, 30));
    fire();
  }
  // Shown: the size limit (or, in a pane without one, the selection's character count).
  let limitShown;
  await new Promise((resolve) => {
    const shown = () => document.querySelector('[data-testid="source-too-long"]') || /\\d{7}/.test((document.querySelector('[data-testid="selection-length"]')?.textContent ?? '').replace(/[, ]/g, ''));
    const check = () => { if (shown()) { limitShown = performance.now() - t0; resolve(); } else requestAnimationFrame(check); };
    check();
  });
  // Time to interactive: when the last long task (over 50 ms) ended, once 300 ms passed without one.
  for (;;) {
    await new Promise((r) => setTimeout(r, 50));
    const lastEnd = longTasks.length ? Math.max(...longTasks.map((t) => t.start + t.ms)) : t0;
    if (performance.now() - lastEnd >= 300) break;
  }
  const lastEnd = longTasks.length ? Math.max(...longTasks.map((t) => t.start + t.ms)) : t0;
  return {
    limitShownMs: Math.round(limitShown),
    ttiMs: Math.round(Math.max(lastEnd, t0) - t0),
    longestTaskMs: Math.round(longTasks.reduce((m, t) => Math.max(m, t.ms), 0)),
    longTasks: longTasks.length,
    clickDelayMs: clickDelay === undefined ? null : Math.round(clickDelay),
    generateDisabled: document.querySelector('[data-testid="generate"]').disabled,
    message: (document.querySelector('[data-testid="source-too-long"]') ?? document.querySelector('[data-testid="selection-length"]'))?.textContent,
  };
})()
`;

async function main(): Promise<void> {
  console.log('Liuhen input-size benchmark\n');
  const big = transcript(MB5);
  console.log(`1. Node, a ${countChars(big).toLocaleString('en-US')}-character transcript (median of 5)`);
  console.log(`   count characters: Array.from ${time(() => Array.from(big).length).toFixed(1)} ms -> countChars ${time(() => countChars(big)).toFixed(1)} ms`);
  console.log(`   tell the language: whole text ${time(() => detectLanguage(big)).toFixed(1)} ms -> first 4,000 characters ${time(() => detectLanguage(languageSample(big))).toFixed(2)} ms`);
  const template = BUILTIN_TEMPLATES.find((t) => t.id === 'exit-interview' && t.language.startsWith('zh'));
  if (!template) throw new Error('no exit-interview template');
  for (const n of [10_000, MAX_SOURCE_CHARS]) {
    const text = transcript(n);
    prepareEvidence(template, { kind: 'transcript', text }); // warm-up
    console.log(`   prepareEvidence, ${n.toLocaleString('en-US')} characters${n === MAX_SOURCE_CHARS ? ' (MAX_SOURCE_CHARS)' : ''}: ${time(() => prepareEvidence(template, { kind: 'transcript', text }), 3).toFixed(0)} ms`);
  }
  // The longest task while a source at the limit is prepared: the longest gap between two turns of the event loop
  // (a setImmediate ticker runs alongside), for the synchronous form, the sliced form, and generate() up to its
  // first model request (what the pane runs).
  const text = transcript(MAX_SOURCE_CHARS);
  const source = { kind: 'transcript' as const, text };
  const gaps = async (work: () => Promise<unknown>): Promise<{ total: number; longest: number }> => {
    const rounds: Array<{ total: number; longest: number }> = [];
    for (let i = 0; i < 3; i++) {
      let last = performance.now();
      let longest = 0;
      let live = true;
      const tick = (): void => {
        const now = performance.now();
        longest = Math.max(longest, now - last);
        last = now;
        if (live) setImmediate(tick);
      };
      setImmediate(tick);
      const t0 = performance.now();
      await work();
      const total = performance.now() - t0;
      live = false;
      await new Promise((r) => setImmediate(r));
      rounds.push({ total, longest });
    }
    return { total: median(rounds.map((r) => r.total)), longest: median(rounds.map((r) => r.longest)) };
  };
  const sync = await gaps(async () => prepareEvidence(template, source));
  const sliced = await gaps(() => prepareEvidenceSliced(template, source));
  let firstRequest = 0;
  const untilRequest = await gaps(async () => {
    const abort = new AbortController();
    const t0 = performance.now();
    const engine = new FakeEngine({ respond: () => {
      firstRequest = performance.now() - t0;
      abort.abort();
      return '';
    } });
    await generate({ template, source, engine, modelId: 'bench', signal: abort.signal });
  });
  console.log(`   longest task preparing ${MAX_SOURCE_CHARS.toLocaleString('en-US')} characters (median of 3): synchronous ${sync.longest.toFixed(0)} ms (of ${sync.total.toFixed(0)} ms) -> sliced ${sliced.longest.toFixed(1)} ms (of ${sliced.total.toFixed(0)} ms)`);
  console.log(`   generate() up to its first model request: longest task ${untilRequest.longest.toFixed(1)} ms, first request after ${firstRequest.toFixed(0)} ms`);

  console.log('\n2. The pane in headless Chromium: the host reports a 5 MB selection, then 20 more selection changes 30 ms apart');
  const dist = buildPages(['playground']);
  const engine = await bundleTestEngine();
  const server = await serve(dist);
  const browser = await launchChromium();
  try {
    const runs: Array<Record<string, unknown>> = [];
    for (let run = 0; run < 3; run++) {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      await page.addInitScript(engine);
      await page.goto(`${server.origin}/playground.html`);
      await page.getByTestId('liuhen-panel').waitFor();
      await page.evaluate((text) => {
        (window as unknown as { __bigText: string }).__bigText = text;
      }, big);
      await page.waitForTimeout(300);
      runs.push((await page.evaluate(PROBE)) as Record<string, unknown>);
      await page.close();
    }
    for (const [i, r] of runs.entries()) {
      console.log(
        `   run ${i + 1}: limit shown after ${r.limitShownMs} ms, time to interactive ${r.ttiMs} ms, longest task ${r.longestTaskMs} ms (${r.longTasks} over 50 ms), click on "Paste" handled after ${r.clickDelayMs} ms, Generate disabled: ${r.generateDisabled}`,
      );
    }
    const pick = (k: string): number => median(runs.map((r) => Number(r[k])));
    console.log(`   median: limit shown ${pick('limitShownMs')} ms, TTI ${pick('ttiMs')} ms, longest task ${pick('longestTaskMs')} ms, click delay ${pick('clickDelayMs')} ms`);
    console.log(`   the pane says: ${String(runs[0]?.message ?? '')}`);
  } finally {
    await browser.close();
    await server.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
