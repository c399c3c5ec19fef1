/**
 * The webview page: a strict Content Security Policy (`default-src 'none'`, nonce scripts, resources only from the
 * webview's own source) plus exactly what WebLLM needs — `'wasm-unsafe-eval'` to compile its WebAssembly,
 * `worker-src blob:` for the engine worker (VS Code cannot start a worker from a webview resource URL, so the
 * page starts it from a blob), and `connect-src` for the model host(s) the weights and wasm come from.
 * Pure functions, no `vscode` import, so the policy is unit-tested as text.
 */
import { CONFIG_ELEMENT_ID, type WebviewConfig } from './webview-config';

/** Where built-in models come from: weights on Hugging Face (redirected to its CDNs), wasm on GitHub. */
export const DEFAULT_MODEL_HOSTS: readonly string[] = [
  'https://huggingface.co',
  'https://*.huggingface.co',
  'https://*.hf.co',
  'https://raw.githubusercontent.com',
];

/** A random nonce for the page's scripts (Web Crypto: available in desktop and web extension hosts). */
export function makeNonce(): string {
  const bytes = new Uint8Array(18);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * The CSP sources of configured model hosts. Only `https:` origins (optionally with a `*.` subdomain wildcard)
 * and `http://localhost`/`127.0.0.1` (a local mirror) are accepted; anything else is returned in `rejected` so
 * the writer is told instead of the policy silently growing.
 */
export function connectSources(hosts: readonly string[]): { sources: string[]; rejected: string[] } {
  const sources = new Set<string>();
  const rejected: string[] = [];
  for (const raw of hosts) {
    const host = raw.trim().replace(/\/+$/, '');
    // A wildcard needs at least two labels after it: `https://*.com` would open connect-src to a whole TLD.
    if (/^https:\/\/(\*\.[a-z0-9-]+\.[a-z0-9.-]+|[a-z0-9.-]+)(:\d+)?$/i.test(host) || /^http:\/\/(localhost|127\.0\.0\.1)(:\d+)?$/i.test(host)) {
      sources.add(host.toLowerCase());
    } else if (host !== '') {
      rejected.push(raw);
    }
  }
  return { sources: [...sources], rejected };
}

/** The page's Content-Security-Policy. */
export function contentSecurityPolicy(cspSource: string, nonce: string, modelSources: readonly string[]): string {
  return [
    "default-src 'none'",
    `img-src ${cspSource} data:`,
    // Fluent UI (Griffel) inserts <style> elements at runtime; scripts stay nonce-only.
    `style-src ${cspSource} 'unsafe-inline'`,
    `font-src ${cspSource}`,
    `script-src 'nonce-${nonce}' 'wasm-unsafe-eval'`,
    'worker-src blob:',
    // The page fetches the worker bundle from the webview's own source; the worker fetches model files.
    `connect-src ${[cspSource, ...modelSources].join(' ')}`,
  ].join('; ');
}

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

function escapeText(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** JSON that cannot close its `<script>` element or open a comment. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
}

/** Everything the page needs. */
export interface WebviewHtmlOptions {
  /** `webview.cspSource`. */
  cspSource: string;
  nonce: string;
  /** `asWebviewUri` of the page script. */
  scriptUri: string;
  /** CSP sources of the model hosts (see {@link connectSources}). */
  modelSources: readonly string[];
  config: WebviewConfig;
  /** `lang` of the page. */
  lang: string;
  /** A notice shown above the panel, as text (e.g. workspace settings ignored because the workspace is untrusted). */
  notice?: string;
}

/** The webview's HTML. */
export function webviewHtml(options: WebviewHtmlOptions): string {
  const csp = contentSecurityPolicy(options.cspSource, options.nonce, options.modelSources);
  const nonce = escapeAttribute(options.nonce);
  return `<!DOCTYPE html>
<html lang="${escapeAttribute(options.lang)}">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttribute(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Liuhen</title>
<script type="application/json" id="${CONFIG_ELEMENT_ID}" nonce="${nonce}">${jsonForScript(options.config)}</script>
</head>
<body>
${options.notice ? `<div role="status" data-testid="trust-notice" style="padding:6px 8px;margin:0 0 6px;border-left:3px solid var(--vscode-editorWarning-foreground);background:var(--vscode-inputValidation-warningBackground)">${escapeText(options.notice)}</div>\n` : ''}<div id="root"></div>
<script nonce="${nonce}" src="${escapeAttribute(options.scriptUri)}"></script>
</body>
</html>
`;
}
