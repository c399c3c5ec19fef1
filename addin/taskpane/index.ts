/**
 * The Word task pane: waits for Office.js (`Office.onReady`), then mounts the shared panel with WordHost (the
 * only code that touches `Word.*`) and the WebLLM engine (WebLLM itself loads in the engine worker's chunk,
 * after the pane has painted). Follows Office's theme and display language.
 */
import { WebLlmEngine } from '../../shared/engine/webllm-engine';
import { mountPanel } from '../../shared/ui';
import { WordHost } from '../word/word-host';
import { loadDeployment } from '../deployment';
import { officeThemeKind } from './theme';
import { downloadsUnreliable, showFileFallback } from './save-fallback';

function showFatal(root: HTMLElement, message: string): void {
  const p = document.createElement('p');
  p.setAttribute('role', 'alert');
  p.style.padding = '1rem';
  p.textContent = message;
  root.replaceChildren(p);
}

const root = document.getElementById('root');
if (!root) throw new Error('taskpane.html is missing #root');

if (typeof Office === 'undefined') {
  showFatal(root, 'Office.js did not load. Open Liuhen from Word (Home → Liuhen), and check the network can reach appsforoffice.microsoft.com. · Office.js 未加载：请在 Word 中打开留痕，并确认网络可以访问 appsforoffice.microsoft.com。');
} else {
  Office.onReady((info) => {
    if (info.host !== Office.HostType.Word) {
      showFatal(root, 'Liuhen runs in Microsoft Word. · 留痕需要在 Microsoft Word 中运行。');
      return;
    }
    const theme = officeThemeKind(Office.context.officeTheme);
    // Word has no theme-changed event (Office's is Outlook-only): the theme is read once, at start-up.
    // Test seam (as in the playground): an end-to-end test may define window.__LIUHEN_TEST__ before this script.
    // Test builds only: production bundles compile it out (webpack.config.ts, --env testSeams).
    const seam = (typeof __LIUHEN_TEST_SEAMS__ !== 'undefined' && __LIUHEN_TEST_SEAMS__ ? window.__LIUHEN_TEST__ : undefined) ?? {};
    // The company's models and templates: model-records.json and templates.json beside the task pane (the build
    // writes empty ones that the admin's deployment replaces; addin/deployment.ts).
    void loadDeployment().then(({ registry, modelPreference, registryProblems, templates, templateProblems }) => {
      mountPanel(root, {
        host: new WordHost(),
        createEngine: seam.createEngine ?? (() => new WebLlmEngine({ registry })),
        ...(seam.detectCapabilities ? { detectCapabilities: seam.detectCapabilities } : {}),
        registry,
        modelPreference,
        registryProblems,
        templates,
        templateProblems,
        ...(theme ? { theme } : {}),
        // Word for Mac drops blob downloads silently (office-js #2700): show the file to copy instead.
        ...(downloadsUnreliable(String(Office.context.platform))
          ? { saveFile: (name: string, _mime: string, content: string) => showFileFallback(name, content, { language: Office.context.displayLanguage }) }
          : {}),
      });
    }).catch((error: unknown) => showFatal(root, `Liuhen could not start: ${String(error)}`));
  }).catch((error: unknown) => showFatal(root, `Office did not start the add-in: ${String(error)}`));
}
