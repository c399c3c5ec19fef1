/**
 * The VS Code webview page: reads its start-up config, connects to the extension (MessageHost), probes WebGPU and
 * reports it, starts the engine worker from a blob, and mounts the shared panel. The panel and the pipeline are
 * the same as in Word; only the host (a message proxy) and the worker start-up are VS Code's.
 */
import { detectCapabilities } from '../../shared/engine/capabilities';
import { WebLlmEngine } from '../../shared/engine/webllm-engine';
import type { HostSettings } from '../../shared/protocol/host';
import { BUILTIN_TEMPLATES, formatProblem, parseTemplateText, templateKey } from '../../shared/templates/load';
import type { Template } from '../../shared/templates/schema';
import { mountPanel, type PanelDeps, type PanelHandle, type PanelLocale, type PanelTheme } from '../../shared/ui';
import { BUILTIN_REGISTRY } from '../../shared/engine/registry/builtin';
import { readRegistryFile } from '../../shared/engine/registry/file';
import { CONFIG_ELEMENT_ID, type WebviewConfig } from '../src/webview-config';
import { prepareBlobWorker } from './engine-worker';
import { MessageHost } from './message-host';
import { extensionEndpoint } from './vscode-api';

/** How long "Generate from Selection" waits for the panel's Generate button (model check, selection read). */
const GENERATE_WAIT_MS = 60_000;

function readConfig(doc: Document): WebviewConfig {
  const text = doc.getElementById(CONFIG_ELEMENT_ID)?.textContent;
  if (!text) throw new Error('The Liuhen webview started without its configuration.');
  return JSON.parse(text) as WebviewConfig;
}

/** The panel language from the `liuhen.uiLanguage` setting (`auto`: the panel follows VS Code's language). */
export function localeOf(settings: HostSettings): PanelLocale | undefined {
  if (settings.uiLanguage === 'zh-CN') return 'zh-CN';
  if (settings.uiLanguage === 'en-US') return 'en';
  return undefined;
}

/** VS Code marks the webview body with its theme kind. */
export function themeOf(body: HTMLElement): PanelTheme {
  return body.classList.contains('vscode-dark') || body.classList.contains('vscode-high-contrast') ? 'dark' : 'light';
}

/** Built-in templates plus the valid custom ones (a custom file with the same id and language replaces a built-in). */
export function mergeTemplates(files: Array<{ name: string; text: string }>): { templates: Template[]; problems: string[] } {
  const byKey = new Map<string, Template>(BUILTIN_TEMPLATES.map((t) => [templateKey(t), t]));
  const problems: string[] = [];
  for (const file of files) {
    const r = parseTemplateText(file.text, file.name);
    if (r.ok) byKey.set(templateKey(r.template), r.template);
    else problems.push(r.problems.map(formatProblem).join('; '));
  }
  return { templates: [...byKey.values()], problems };
}

/** Resolves when `predicate` holds, checking on every DOM change; rejects after `ms`. */
function waitFor<T>(root: Node, find: () => T | undefined, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const found = find();
    if (found !== undefined) {
      resolve(found);
      return;
    }
    const observer = new MutationObserver(() => {
      const value = find();
      if (value === undefined) return;
      observer.disconnect();
      clearTimeout(timer);
      resolve(value);
    });
    const timer = setTimeout(() => {
      observer.disconnect();
      reject(new Error('timeout'));
    }, ms);
    observer.observe(root, { subtree: true, childList: true, attributes: true, characterData: true });
  });
}

/** Starts the page. */
export async function startWebview(doc: Document = document): Promise<PanelHandle> {
  const config = readConfig(doc);
  const host = new MessageHost(extensionEndpoint(acquireVsCodeApi()));
  const client = host.client;
  const notify = (severity: 'info' | 'warning' | 'error', message: string): void => {
    void client.request('webview/notify', { severity, message }).catch(() => undefined);
  };

  // The worker bundle and GPU probe in parallel; neither blocks the other.
  const [worker, gpu, custom] = await Promise.all([
    prepareBlobWorker(config.engineWorkerUrl),
    detectCapabilities(),
    config.settings.customTemplateFolder ? client.request('templates/custom', undefined) : Promise.resolve({ files: [], unreadable: [] }),
  ]);
  const { templates, problems } = mergeTemplates(custom.files);
  for (const p of [...custom.unreadable.map((u) => `${u.name}: ${u.message}`), ...problems]) notify('warning', `custom template skipped — ${p}`);

  const root = doc.getElementById('root');
  if (!root) throw new Error('The Liuhen webview has no root element.');
  // The company's merged models from `liuhen.customModels`, validated like a registry file.
  // With `liuhen.companyServer`, the model runs on that server (shared/engine/server.ts) and the panel says so.
  const models =
    config.settings.customModels || config.settings.companyServer !== undefined
      ? readRegistryFile(
          { models: config.settings.customModels ?? [], ...(config.settings.companyServer !== undefined ? { server: config.settings.companyServer } : {}) },
          config.settings.companyServer !== undefined ? 'liuhen.customModels / liuhen.companyServer' : 'liuhen.customModels',
        )
      : { registry: BUILTIN_REGISTRY, problems: [] as string[] };
  const registry = models.registry;
  const deps: PanelDeps = {
    host,
    createEngine: () => new WebLlmEngine({ registry, createWorker: worker.createWorker }),
    templates,
    registry,
    registryProblems: models.problems,
    theme: themeOf(doc.body),
    detectCapabilities: () => Promise.resolve(gpu),
    // Exports from the panel go through VS Code's save dialog (a webview cannot download files).
    saveFile: async (name, mime, content) => {
      await client.request('file/save', { name, mime, content });
    },
  };
  const locale = localeOf(config.settings);
  if (locale) deps.locale = locale;
  if (config.settings.model) deps.modelPreference = { modelId: config.settings.model };
  const panel = mountPanel(root, deps);

  // Follow VS Code's theme.
  new MutationObserver(() => panel.setTheme(themeOf(doc.body))).observe(doc.body, { attributes: true, attributeFilter: ['class'] });

  // Report outcomes the extension shows (status bar) and tests wait on.
  const status = (s: Parameters<typeof client.request<'webview/status'>>[1]): void => {
    void client.request('webview/status', s).catch(() => undefined);
  };
  // Busy while a Cancel button shows (one record or a batch): the extension keeps the page (and the work) until
  // the run ends instead of re-rendering it for a settings change.
  let busy = false;
  new MutationObserver(() => {
    const running = root.querySelector('[data-testid="cancel"], [data-testid="batch-cancel"]') !== null;
    if (running !== busy) {
      busy = running;
      status(running ? { kind: 'generating', templateId: '' } : { kind: 'idle' });
    }
    const error = root.querySelector('[data-testid="run-error"], [data-testid="insert-error"]');
    if (error?.textContent) status({ kind: 'error', message: error.textContent });
    else if (root.querySelector('[data-testid="insert-done"]')) status({ kind: 'inserted', auditIds: [] });
  }).observe(root, { subtree: true, childList: true });

  // "Liuhen: Generate from Selection": press the panel's own Generate button once it can be pressed.
  client.on('command/generate', () => {
    const button = (): HTMLButtonElement | undefined => {
      const b = root.querySelector<HTMLButtonElement>('[data-testid="generate"]');
      return b && !b.disabled && b.getAttribute('aria-disabled') !== 'true' ? b : undefined;
    };
    waitFor(root, button, GENERATE_WAIT_MS).then(
      (b) => {
        status({ kind: 'generating', templateId: '' });
        b.click();
      },
      () => notify('warning', 'select the text to use in a Markdown or text editor, then run "Generate from Selection" again.'),
    );
  });

  await client.request('webview/ready', { gpu, engine: 'webllm', userAgent: navigator.userAgent });
  return panel;
}
