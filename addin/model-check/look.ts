/**
 * The model-check page's look and its "before you download" table. The page stays plain DOM (its first-load
 * JS must stay small: it is what a support engineer opens on a machine that may not run the panel), but it
 * wears the panel's Fluent UI theme: the same tokens, set as the CSS variables Fluent's own components read
 * (`tokens.colorNeutralForeground1` is `var(--colorNeutralForeground1)`), which index.html's stylesheet uses.
 */
import { webDarkTheme, webLightTheme, type Theme } from '@fluentui/react-components';
import type { ModelRegistry } from '../../shared/engine/model-record';

/** Sets every Fluent token of `theme` as a CSS variable on the page (CSSOM: no inline style attribute). */
function setTokens(theme: Theme): void {
  const style = document.documentElement.style;
  for (const [name, value] of Object.entries(theme)) style.setProperty(`--${name}`, String(value));
}

/** Light or dark Fluent theme: `?theme=dark|light`, else the system's colour scheme (followed live). */
export function applyFluentTheme(): void {
  const param = new URLSearchParams(location.search).get('theme');
  if (param === 'dark' || param === 'light') {
    setTokens(param === 'dark' ? webDarkTheme : webLightTheme);
    document.documentElement.dataset.theme = param;
    return;
  }
  const dark = matchMedia('(prefers-color-scheme: dark)');
  const apply = (): void => {
    setTokens(dark.matches ? webDarkTheme : webLightTheme);
    document.documentElement.dataset.theme = dark.matches ? 'dark' : 'light';
  };
  apply();
  dark.addEventListener('change', apply);
}

const MB = 2 ** 20;
// The same units as the panel: download sizes as shared/ui's formatBytes, GPU memory as shared/engine's
// explanation ("about 1.1 GB of GPU memory" for vram_required_MB 1060).
const size = (bytes: number): string => (bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(1)} GB` : `${Math.round(bytes / MB)} MB`);
const gpuMemory = (mb: number): string => `${(mb / 1000).toFixed(1)} GB`;

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/**
 * One row per model the page could load: download size, GPU memory, and where the files come from — what a
 * writer should know before pressing "Download / load model". Sizes are the registry's own estimates.
 */
export function renderModelTable(registry: ModelRegistry, body: HTMLElement): void {
  body.replaceChildren(
    ...registry.entries.map((e) => {
      const tr = document.createElement('tr');
      tr.dataset.modelId = e.record.model_id;
      if (e.pinned !== undefined) tr.dataset.pinned = String(e.pinned);
      const cells = [
        `${e.displayName} ${e.quantization}`,
        e.downloadBytes !== undefined ? size(e.downloadBytes) : '?',
        e.record.vram_required_MB !== undefined ? gpuMemory(e.record.vram_required_MB) : '?',
        [...new Set([hostOf(e.record.model), hostOf(e.record.model_lib)])].join(', '),
      ];
      for (const text of cells) {
        const td = document.createElement('td');
        td.textContent = text;
        tr.append(td);
      }
      return tr;
    }),
  );
}

/**
 * Fills the "before you download" text (`data-fill="download-range"` / `"vram-range"`) from the built-in
 * models, so the page says what the registry says.
 */
export function fillRanges(registry: ModelRegistry): void {
  const builtIn = registry.entries.filter((e) => e.source === 'built-in');
  const range = (xs: number[], format: (x: number) => string): string | undefined =>
    xs.length ? `${format(Math.min(...xs))} – ${format(Math.max(...xs))}` : undefined;
  const download = range(builtIn.flatMap((e) => (e.downloadBytes !== undefined ? [e.downloadBytes] : [])), size);
  const vram = range(builtIn.flatMap((e) => (e.record.vram_required_MB !== undefined ? [e.record.vram_required_MB] : [])), gpuMemory);
  for (const el of document.querySelectorAll<HTMLElement>('[data-fill]')) {
    const text = el.dataset.fill === 'download-range' ? download : el.dataset.fill === 'vram-range' ? vram : undefined;
    if (text) el.textContent = text;
  }
}

/**
 * Says under the table whether the built-in models load from commits (`data-state="pinned"`) or from the
 * `main` branches (`"unpinned"`: builtin-pins.json was not written for this build), so an admin is not misled.
 */
export function renderPinNote(registry: ModelRegistry, el: HTMLElement): void {
  const builtIn = registry.entries.filter((e) => e.source === 'built-in');
  const unpinned = builtIn.some((e) => e.pinned !== true);
  el.hidden = builtIn.length === 0;
  el.dataset.state = unpinned ? 'unpinned' : 'pinned';
  el.dataset.tone = unpinned ? 'warn' : '';
  el.textContent = unpinned
    ? 'The built-in models of this build are not pinned: their weights and model library come from the main branches of ' +
      "mlc-ai's repositories, which can change. A release pins them with npm run pin:models. · " +
      '此版本的内置模型未固定版本：权重和模型库取自 mlc-ai 仓库的 main 分支，内容可能变化。发布时用 npm run pin:models 固定。'
    : 'The built-in models load from fixed commits (weights and model library). · 内置模型从固定的提交下载（权重和模型库）。';
}
