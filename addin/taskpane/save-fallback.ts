/**
 * Exported files (audit JSON/CSV, batch results, escalations) in Word for Mac: its add-in webview (WKWebView)
 * ignores `<a download>` of a blob (office-js #2700), silently, so the pane would report an export that never
 * reached the disk. There the pane does not pretend: it shows the file's content with "Copy to clipboard", and
 * the writer saves it with a text editor under the name shown. Plain DOM over the pane (the panel's React tree
 * stays untouched); no Office.js here, the caller decides where it applies.
 */

/** Office platforms where a blob download from the task pane fails silently. */
const UNRELIABLE_PLATFORMS: ReadonlySet<string> = new Set(['Mac', 'iOS']);

/** Whether the pane must not rely on a browser download (`Office.context.platform`, e.g. `Mac`). */
export function downloadsUnreliable(platform: string | undefined): boolean {
  return platform !== undefined && UNRELIABLE_PLATFORMS.has(platform);
}

const TEXT = {
  en: {
    title: (name: string) => `Save ${name}`,
    why: 'Word for Mac cannot download files from add-ins. Copy the content below and save it with a text editor under this name.',
    copy: 'Copy to clipboard',
    copied: 'Copied. Paste it into a new file and save it.',
    copyFailed: 'Copying was blocked: select the text below and copy it (⌘C).',
    close: 'Close',
  },
  'zh-CN': {
    title: (name: string) => `保存 ${name}`,
    why: 'Mac 版 Word 无法从加载项下载文件。请复制下面的内容，用文本编辑器以此文件名保存。',
    copy: '复制到剪贴板',
    copied: '已复制。请粘贴到新文件中并保存。',
    copyFailed: '复制被阻止：请选中下面的文字并复制（⌘C）。',
    close: '关闭',
  },
} as const;

function el<K extends keyof HTMLElementTagNameMap>(doc: Document, tag: K, style: string, text?: string): HTMLElementTagNameMap[K] {
  const e = doc.createElement(tag);
  e.setAttribute('style', style);
  if (text !== undefined) e.textContent = text;
  return e;
}

/**
 * Shows `content` for the writer to copy and save as `name`; resolves when the dialog is shown (the caller's
 * "done" then means "shown", which is true). `writeClipboard` defaults to the async Clipboard API.
 */
export function showFileFallback(
  name: string,
  content: string,
  options: { doc?: Document; language?: string; writeClipboard?: (text: string) => Promise<void> } = {},
): Promise<void> {
  const doc = options.doc ?? document;
  const t = options.language?.toLowerCase().startsWith('zh') ? TEXT['zh-CN'] : TEXT.en;
  const write = options.writeClipboard ?? ((text: string) => navigator.clipboard.writeText(text));
  doc.querySelector('[data-testid="file-fallback"]')?.remove();

  const overlay = el(doc, 'div', 'position:fixed;inset:0;background:rgba(0,0,0,.4);display:flex;align-items:center;justify-content:center;z-index:1000');
  overlay.dataset.testid = 'file-fallback';
  const dialog = el(doc, 'div', 'background:Canvas;color:CanvasText;padding:12px;max-width:95%;width:420px;border-radius:6px;display:flex;flex-direction:column;gap:8px;font:inherit');
  dialog.setAttribute('role', 'dialog');
  dialog.setAttribute('aria-modal', 'true');
  const title = el(doc, 'h2', 'font-size:1rem;margin:0', t.title(name));
  title.id = 'liuhen-file-fallback-title';
  dialog.setAttribute('aria-labelledby', title.id);
  const why = el(doc, 'p', 'margin:0', t.why);
  const area = el(doc, 'textarea', 'width:100%;box-sizing:border-box;height:12rem;font-family:monospace;font-size:12px');
  area.readOnly = true;
  area.value = content;
  area.setAttribute('aria-label', name);
  const status = el(doc, 'p', 'margin:0');
  status.setAttribute('role', 'status');
  status.setAttribute('aria-live', 'polite');
  const row = el(doc, 'div', 'display:flex;gap:8px;justify-content:flex-end');
  const copy = el(doc, 'button', '', t.copy);
  copy.type = 'button';
  copy.dataset.testid = 'file-fallback-copy';
  const close = el(doc, 'button', '', t.close);
  close.type = 'button';
  close.dataset.testid = 'file-fallback-close';
  copy.addEventListener('click', () => {
    write(content).then(
      () => {
        status.textContent = t.copied;
      },
      () => {
        status.textContent = t.copyFailed;
        area.focus();
        area.select();
      },
    );
  });
  const dismiss = (): void => overlay.remove();
  close.addEventListener('click', dismiss);
  overlay.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') dismiss();
  });
  row.append(copy, close);
  dialog.append(title, why, area, status, row);
  overlay.append(dialog);
  doc.body.append(overlay);
  copy.focus();
  return Promise.resolve();
}
