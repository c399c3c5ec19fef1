/**
 * The playground page: the Liuhen panel beside an in-browser document (PlaygroundHost), so anyone can try it
 * without Word. Uses the real WebLLM engine by default.
 *
 * Query parameters: `theme=dark|light`, `lang=zh-CN|en` (the "display language" the host reports),
 * `suggestions=0` (simulate a host without tracked changes), `sample=<id>`.
 *
 * Test seam: a test may define `window.__LIUHEN_TEST__ = { createEngine, detectCapabilities }` before the
 * page's scripts run (Playwright `addInitScript`); the test double itself lives in test code. The seam and
 * `?registry=<url>` exist only in test builds (`--env testSeams`) and development builds: production bundles
 * compile them out, so a link cannot choose the engine or the model.
 */
import { FluentProvider } from '@fluentui/react-components';
import { createElement } from 'react';
import { createRoot } from 'react-dom/client';
import { loadDeployment } from '../deployment';
import type { GpuCapabilities } from '../../shared/engine/capabilities';
import type { LlmEngine } from '../../shared/engine/port';
import { WebLlmEngine } from '../../shared/engine/webllm-engine';
import { mountPanel, resolveTheme } from '../../shared/ui';
import { PlaygroundDocument } from './PlaygroundDocument';
import { PlaygroundHost } from './playground-host';
import { SAMPLES, TALENT_HEADER, talentRows } from './samples';

interface TestSeam {
  createEngine?: () => LlmEngine;
  detectCapabilities?: () => Promise<GpuCapabilities>;
}

declare global {
  interface Window {
    __LIUHEN_TEST__?: TestSeam;
    /** The playground's host, for tests and the curious (read `liuhenPlayground.text()` in the console). */
    liuhenPlayground?: PlaygroundHost;
  }
}

const params = new URLSearchParams(location.search);
const themeParam = params.get('theme');
const theme = themeParam === 'dark' ? 'dark' : themeParam === 'light' ? 'light' : undefined;
const lang = params.get('lang');
const host = new PlaygroundHost({
  suggestions: params.get('suggestions') !== '0',
  ...(lang ? { displayLanguage: lang } : {}),
});
window.liuhenPlayground = host;
const sample = SAMPLES.find((x) => x.id === params.get('sample')) ?? SAMPLES[0];
if (sample) host.load(sample.paragraphs, { header: TALENT_HEADER, rows: talentRows() });

const testBuild = typeof __LIUHEN_TEST_SEAMS__ !== 'undefined' && __LIUHEN_TEST_SEAMS__;
const seam: TestSeam = (testBuild ? window.__LIUHEN_TEST__ : undefined) ?? {};
const fluentTheme = resolveTheme(theme);
document.body.style.backgroundColor = fluentTheme.colorNeutralBackground3;

const docRoot = document.getElementById('document');
const panelRoot = document.getElementById('panel');
if (!docRoot || !panelRoot) throw new Error('playground.html is missing #document or #panel');

createRoot(docRoot).render(
  createElement(FluentProvider, { theme: fluentTheme, style: { minHeight: '100%', backgroundColor: 'transparent' } }, createElement(PlaygroundDocument, { host, ...(sample ? { initialSample: sample.id } : {}) })),
);

// The company's models and templates: model-records.json and templates.json beside the page, as in the task pane
// (?registry=<url> in test builds only).
const registryUrl = (testBuild ? params.get('registry') : null) ?? './model-records.json';
void loadDeployment({ models: registryUrl }).then(({ registry, modelPreference, registryProblems, templates, templateProblems }) => {
  mountPanel(panelRoot, {
    host,
    createEngine: seam.createEngine ?? (() => new WebLlmEngine({ registry })),
    registry,
    modelPreference,
    registryProblems,
    templates,
    templateProblems,
    ...(theme ? { theme } : {}),
    ...(seam.detectCapabilities ? { detectCapabilities: seam.detectCapabilities } : {}),
  });
});
