/**
 * The Content-Security-Policy of every built page, computed once at build time (webpack.config.ts writes it into
 * each page as a `<meta http-equiv>` and into `csp.json`, which scripts/serve.mjs sends as headers).
 *
 * Why both: a `<meta>` policy cannot carry `frame-ancestors`, and it does not reach a same-origin dedicated
 * worker (a worker's policy comes from its script's response headers; measured in Chromium), yet WebLLM's
 * downloads run in the engine worker. So the server must send {@link workerPolicy} on the scripts it serves and
 * the page policy (with `frame-ancestors`) on the pages. Any other web server must do the same: csp.json says
 * exactly what to send.
 *
 * `connect-src` is `'self'` plus the model hosts: WebLLM's built-in models ({@link BUILTIN_MODEL_SOURCES}) and
 * the deployment's own, given at build time with `--env modelHosts=https://models.example.com,...`.
 * Build-time only (Node); nothing here runs in a page.
 */

/** Where the built-in models come from: weights on Hugging Face (which redirects to its CDNs), wasm on GitHub. */
export const BUILTIN_MODEL_SOURCES: readonly string[] = [
  'https://huggingface.co/mlc-ai/',
  // Hugging Face answers file requests with redirects to its CDN hosts (cdn-lfs.huggingface.co,
  // cdn-lfs-us-1.hf.co, cas-bridge.xethub.hf.co); CSP checks every redirect hop's host.
  'https://*.huggingface.co',
  'https://*.hf.co',
  'https://raw.githubusercontent.com/mlc-ai/binary-mlc-llm-libs/',
];

/** office.js (and the scripts it loads itself) come from Microsoft's CDN; add-ins may not bundle it. */
export const OFFICE_SCRIPT_SOURCES: readonly string[] = ['https://appsforoffice.microsoft.com'];

/**
 * Who may frame the Word pages: Word on the web shows the task pane in an iframe of Office's own sites (the
 * hosts below are those office-js issues #3342 / office-js-docs-pr #4911 report); desktop Word shows it
 * top-level in a webview, where frame-ancestors does not apply.
 */
export const OFFICE_FRAME_ANCESTORS: readonly string[] = [
  "'self'",
  'https://*.officeapps.live.com',
  'https://*.sharepoint.com',
  'https://*.office.com',
  'https://*.office365.com',
  'https://*.cloud.microsoft',
  'https://*.microsoft365.com',
  'https://onedrive.live.com',
];

/** What a page needs. */
export interface PagePolicyOptions {
  /** The page loads office.js (task pane, commands). */
  office?: boolean;
  /** Extra `connect-src` sources: the deployment's model hosts (validated with {@link parseModelHosts}). */
  modelHosts?: readonly string[];
}

function connectSources(modelHosts: readonly string[] = []): string[] {
  return ["'self'", ...BUILTIN_MODEL_SOURCES, ...modelHosts];
}

function serialise(directives: Array<[string, readonly string[]]>): string {
  return directives.map(([name, values]) => [name, ...values].join(' ')).join('; ');
}

/**
 * The policy of one page, as written into its `<meta>` tag (no `frame-ancestors`: browsers ignore it there).
 * - scripts from the page's own origin only (+ office.js's CDN), `'wasm-unsafe-eval'` for WebLLM's wasm (no
 *   `'unsafe-eval'`, no inline script);
 * - `style-src 'unsafe-inline'`: Fluent UI (griffel) and office.js insert `<style>` elements at run time, and a
 *   nonce baked into a static page would protect nothing;
 * - the engine worker from the same origin.
 */
export function pagePolicy(options: PagePolicyOptions = {}): string {
  const scripts = ["'self'", "'wasm-unsafe-eval'", ...(options.office ? OFFICE_SCRIPT_SOURCES : [])];
  return serialise([
    ['default-src', ["'none'"]],
    ['script-src', scripts],
    ['worker-src', ["'self'"]],
    ['connect-src', connectSources(options.modelHosts)],
    ['style-src', ["'self'", "'unsafe-inline'"]],
    ['img-src', ["'self'", 'data:']],
    ['font-src', ["'self'", 'data:']],
    ['object-src', ["'none'"]],
    ['base-uri', ["'none'"]],
    ['form-action', ["'none'"]],
  ]);
}

/** The header form of a page's policy: the meta policy plus `frame-ancestors`. */
export function pageHeaderPolicy(options: PagePolicyOptions = {}): string {
  const ancestors = options.office ? OFFICE_FRAME_ANCESTORS : ["'none'"];
  return `${pagePolicy(options)}; ${serialise([['frame-ancestors', ancestors]])}`;
}

/**
 * The policy the server sends with every script: it becomes the engine worker's own policy (the only thing
 * limiting where WebLLM downloads from), and is inert on scripts loaded by a page.
 */
export function workerPolicy(modelHosts: readonly string[] = []): string {
  return serialise([
    ['default-src', ["'none'"]],
    ['script-src', ["'self'", "'wasm-unsafe-eval'"]],
    ['connect-src', connectSources(modelHosts)],
    ['object-src', ["'none'"]],
    ['base-uri', ["'none'"]],
  ]);
}

/**
 * Parses `--env modelHosts=...` (comma- or space-separated). Each must be an https origin, optionally with a
 * path (`https://huggingface.co/acme/`) or a leading `*.` on a name of at least two labels
 * (`https://*.models.example.com`). Anything broader (`*`, `https:`, `https://*.com`) or not https throws a
 * RangeError naming it: a build must not silently open connect-src.
 */
export function parseModelHosts(value: string | undefined): string[] {
  if (!value) return [];
  const hosts: string[] = [];
  for (const raw of value.split(/[\s,]+/).filter(Boolean)) {
    const m = /^https:\/\/(\*\.)?([a-z0-9-]+(?:\.[a-z0-9-]+)*)(:\d{1,5})?(\/[^\s;,'"]*)?$/i.exec(raw);
    const name = m?.[2] ?? '';
    const labels = name.split('.');
    if (!m || (m[1] !== undefined && labels.length < 2) || (labels.length < 2 && name.toLowerCase() !== 'localhost')) {
      throw new RangeError(
        `modelHosts: "${raw}" is not an allowed model host; give https origins such as https://models.example.com ` +
          'or https://huggingface.co/acme/ (a leading "*." needs at least two more labels, e.g. https://*.models.example.com)',
      );
    }
    hosts.push(raw);
  }
  return hosts;
}

/**
 * The connect-src sources a registry file (`deploy/model-records.json`, a list or `{ models: [...] }`) needs:
 * the https origin of each record's `model` and `model_lib` (on huggingface.co the organisation's folder, on
 * raw.githubusercontent.com the repository's), so
 * a deployment built with its registry in deploy/ needs no `--env modelHosts`. Malformed entries are skipped
 * (the pane reports them when it loads the file).
 */
export function registryHosts(json: unknown): string[] {
  const list = Array.isArray(json) ? json : (json as { models?: unknown } | null)?.models;
  const hosts = new Set<string>();
  // The company inference server (`server.base_url`, shared/engine/server.ts): the pane talks to it directly, so
  // its origin joins connect-src — only when a deployment declares one. https, or http on this computer only.
  const server = Array.isArray(json) ? undefined : (json as { server?: { base_url?: unknown } } | null)?.server;
  if (server && typeof server.base_url === 'string') {
    try {
      const url = new URL(server.base_url);
      if (url.protocol === 'https:' || (url.protocol === 'http:' && /^(localhost|127\.\d+\.\d+\.\d+)$/.test(url.hostname))) hosts.add(url.origin);
    } catch {
      // reported by the pane when it reads the file
    }
  }
  if (!Array.isArray(list)) return [...hosts];
  for (const record of list) {
    for (const key of ['model', 'model_lib']) {
      const value = (record as Record<string, unknown> | null)?.[key];
      if (typeof value !== 'string') continue;
      let url: URL;
      try {
        url = new URL(value);
      } catch {
        continue;
      }
      if (url.protocol !== 'https:') continue;
      // Shared hosts are narrowed to the organisation (Hugging Face) or repository (GitHub) the record names.
      const [, org, repo] = url.pathname.split('/');
      if (url.hostname === 'huggingface.co' && org) hosts.add(`${url.origin}/${org}/`);
      else if (url.hostname === 'raw.githubusercontent.com' && org && repo) hosts.add(`${url.origin}/${org}/${repo}/`);
      else hosts.add(url.origin);
    }
  }
  return [...hosts];
}

/** One page of csp.json. */
export interface CspManifest {
  /** Header policy per HTML file name. */
  pages: Record<string, string>;
  /** Header policy for every `.js` response (the engine worker's policy). */
  scripts: string;
  /** The extra model hosts the build was given. */
  modelHosts: string[];
}
