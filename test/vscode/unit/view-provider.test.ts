/**
 * The Liuhen webview view: the page it serves (strict CSP with only what WebLLM needs) and the typed protocol
 * between the page's MessageHost and the extension's VsCodeHost, end to end through a fake webview channel.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Endpoint } from '../../../shared/protocol/rpc';
import type { GpuCapabilities } from '../../../shared/engine/capabilities';

vi.mock('vscode', () => import('../vscode-double'));

const vscode = await import('../vscode-double');
const { VsCodeHost } = await import('../../../extension/src/vscode-host');
const { LiuhenViewProvider } = await import('../../../extension/src/view-provider');
const { MessageHost } = await import('../../../extension/webview/message-host');
const { connectSources, contentSecurityPolicy } = await import('../../../extension/src/webview-html');

const { __test } = vscode;

const GPU: GpuCapabilities = { webgpu: true, secureContext: true, adapter: true, shaderF16: false, features: [], isFallbackAdapter: true };

/** The page side of a fake webview: what the webview's script would use. */
function pageOf(view: InstanceType<typeof vscode.FakeWebviewView>): { host: InstanceType<typeof MessageHost>; endpoint: Endpoint } {
  const listeners = new Set<(e: MessageEvent) => void>();
  view.deliverToPage = (message) => {
    for (const l of listeners) l({ data: message } as MessageEvent);
  };
  const endpoint: Endpoint = {
    postMessage: (m) => view.fromPage(m),
    addEventListener: (_t, l) => listeners.add(l),
    removeEventListener: (_t, l) => listeners.delete(l),
  };
  return { host: new MessageHost(endpoint), endpoint };
}

function setup() {
  const host = new VsCodeHost();
  const provider = new LiuhenViewProvider(vscode.Uri.file('/ext') as never, host);
  const view = new vscode.FakeWebviewView();
  provider.resolveWebviewView(view as never);
  return { host, provider, view, page: pageOf(view) };
}

describe('Liuhen webview page', () => {
  beforeEach(() => __test.reset());

  it('serves a page with a strict CSP: no default sources, nonce scripts, wasm, blob workers, model hosts only', () => {
    __test.config.set('liuhen.modelHosts', ['https://models.example.com', 'http://evil.example.com']);
    const { view } = setup();
    const html = view.webview.html;
    const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1]?.replace(/&#39;|&quot;/g, "'") ?? '';
    expect(csp).toMatch(/^default-src 'none'/);
    const nonce = /script-src 'nonce-([0-9a-f]+)'/.exec(csp)?.[1];
    expect(nonce).toMatch(/^[0-9a-f]{36}$/);
    expect(csp).toContain("'wasm-unsafe-eval'");
    expect(csp).toContain('worker-src blob:');
    expect(csp).toMatch(/connect-src https:\/\/\*\.vscode-cdn\.net https:\/\/huggingface\.co .*https:\/\/models\.example\.com/);
    expect(csp).not.toContain('evil.example.com');
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    // Every script carries the nonce; the page loads only from the extension's dist folder.
    const scripts = html.match(/<script\b[^>]*>/g) ?? [];
    expect(scripts.length).toBe(2);
    for (const s of scripts) expect(s).toContain(`nonce="${nonce}"`);
    expect(html).toContain('src="https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview.js"');
    expect(view.webview.options.enableScripts).toBe(true);
    expect(view.webview.options.localResourceRoots?.map((u) => u.path)).toEqual(['/ext/dist']);
    // The writer is told about the rejected host instead of it silently joining the policy.
    expect(__test.messages.some((m) => m.severity === 'warning' && m.text.includes('http://evil.example.com'))).toBe(true);
  });

  it('lets the company models of liuhen.customModels through: their download host joins connect-src, the records reach the page', () => {
    const record = {
      model: 'https://models.acme.example/acme-exit-q4f32_1-MLC/resolve/3f2a9c1/',
      model_id: 'acme-exit-q4f32_1',
      model_lib: 'https://raw.githubusercontent.com/mlc-ai/binary-mlc-llm-libs/main/web-llm-models/v0_2_86/base/Qwen2-1.5B-Instruct-q4f32_1_cs1k-webgpu.wasm',
    };
    __test.config.set('liuhen.customModels', [record]);
    const { view } = setup();
    const html = view.webview.html;
    const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1] ?? '';
    expect(csp).toMatch(/connect-src [^;]*https:\/\/models\.acme\.example/);
    expect(html).toContain('acme-exit-q4f32_1');
  });

  it('embeds the config as inert JSON that cannot break out of its element', () => {
    __test.config.set('liuhen.model', '</script><script>alert(1)</script>');
    const { view } = setup();
    const json = /<script type="application\/json" id="liuhen-config"[^>]*>([^<]*)<\/script>/.exec(view.webview.html)?.[1];
    expect(json).toBeDefined();
    const config = JSON.parse(json as string);
    expect(config.settings.model).toBe('</script><script>alert(1)</script>');
    expect(config.engineWorkerUrl).toBe('https://file+.vscode-resource.vscode-cdn.net/ext/dist/engine-worker.js');
  });

  it('accepts only https (or local) model hosts', () => {
    expect(connectSources(['https://a.example.com/', 'https://*.cdn.example.com', 'http://localhost:8080', 'ftp://x', "https://x.com; script-src 'unsafe-inline'", 'https://*.com'])).toEqual({
      sources: ['https://a.example.com', 'https://*.cdn.example.com', 'http://localhost:8080'],
      rejected: ['ftp://x', "https://x.com; script-src 'unsafe-inline'", 'https://*.com'],
    });
    expect(contentSecurityPolicy('src', 'n', [])).toContain("style-src src 'unsafe-inline'");
  });
});

describe('webview <-> extension protocol', () => {
  beforeEach(() => __test.reset());

  it('answers the page\'s DocumentHost calls from the editor', async () => {
    const text = '# 面谈\n\n员工:通勤太远。\n';
    __test.open('/hr/a.md', 'markdown', text, [text.indexOf('员工'), text.length - 1]);
    const { page } = setup();
    await expect(page.host.capabilities()).resolves.toMatchObject({ name: 'VS Code', suggestions: true, tables: true, displayLanguage: 'zh-cn' });
    const snap = await page.host.readSelection();
    expect(snap.text).toBe('员工:通勤太远。');
    const result = await page.host.apply([{ auditId: 'p1', target: { kind: 'after-anchor', anchor: snap.anchor }, blocks: [{ heading: '【离职原因】', headingStyle: 'Heading3', paragraphs: ['通勤。'], comments: [] }] }]);
    expect(result.inserted).toEqual(['p1']);
    expect(__test.edits[0]?.entries[0]?.metadata?.needsConfirmation).toBe(true);
  });

  it('delivers the extension\'s error messages to the page, worded for the writer', async () => {
    const { page } = setup();
    await expect(page.host.readSelection()).rejects.toThrow('Open a Markdown or text document in an editor and select the text Liuhen should use.');
  });

  it('"Generate from Selection" reveals the view, waits for the page, then asks it to generate', async () => {
    const { provider, view, page } = setup();
    const client = page.host.client;
    const commands: unknown[] = [];
    client.on('command/generate', (c) => commands.push(c));
    const done = provider.generate();
    await new Promise((r) => setTimeout(r, 10));
    expect(view.shown).toBe(1);
    expect(commands).toEqual([]); // not before the page said it is ready
    await client.request('webview/ready', { gpu: GPU, engine: 'webllm', userAgent: 'test' });
    await done;
    await new Promise((r) => setTimeout(r, 10));
    expect(commands).toEqual([{}]);
    expect(provider.webviewReport?.gpu.adapter).toBe(true);
  });

  it('forwards selection changes once the page is ready', async () => {
    const editor = __test.open('/hr/a.md', 'markdown', 'abc\ndef');
    const { page } = setup();
    let changes = 0;
    page.host.onSelectionChanged(() => {
      changes += 1;
    });
    __test.select(editor, 0, 1);
    await page.host.client.request('webview/ready', { gpu: GPU, engine: 'webllm', userAgent: 'test' });
    __test.select(editor, 0, 2);
    await new Promise((r) => setTimeout(r, 10));
    expect(changes).toBe(1);
  });

  it('renders the page again with the new settings when they change, and waits for it to be ready again', async () => {
    const { provider, view, page } = setup();
    await page.host.client.request('webview/ready', { gpu: GPU, engine: 'webllm', userAgent: 'test' });
    const before = view.webview.html;
    __test.config.set('liuhen.model', 'Qwen2.5-0.5B-Instruct-q4f32_1-MLC');
    provider.settingsChanged();
    expect(view.webview.html).not.toBe(before);
    expect(view.webview.html).toContain('"model":"Qwen2.5-0.5B-Instruct-q4f32_1-MLC"');
    expect(provider.webviewReport).toBeUndefined();
    // The new page reports again over the same channel.
    await page.host.client.request('webview/ready', { gpu: GPU, engine: 'webllm', userAgent: 'test' });
    expect(provider.webviewReport).toBeDefined();
  });

  it('shows the page\'s notifications in VS Code', async () => {
    const { page } = setup();
    await page.host.client.request('webview/notify', { severity: 'warning', message: 'custom template skipped — acme.json: id: bad' });
    expect(__test.messages).toContainEqual({ severity: 'warning', text: 'Liuhen: custom template skipped — acme.json: id: bad' });
  });
});

describe('untrusted workspaces and settings changes', () => {
  beforeEach(() => __test.reset());

  const evilRecord = {
    model: 'https://evil.example.com/x-q4f32_1-MLC/resolve/0123456789abcdef0123456789abcdef01234567/',
    model_id: 'evil-q4f32_1',
    model_lib: 'https://evil.example.com/lib.wasm',
  };

  /** The config the page was started with (the inert JSON element). */
  const pageConfig = (html: string): { settings: Record<string, unknown> } =>
    JSON.parse(/<script type="application\/json" id="liuhen-config"[^>]*>([^<]*)<\/script>/.exec(html)?.[1] ?? '{}');

  it("ignores a repository's model, custom models, model hosts and template folder until the workspace is trusted, and says so", async () => {
    __test.trusted = false;
    __test.config.set('liuhen.model', 'Qwen2.5-0.5B-Instruct-q4f32_1-MLC'); // the writer's own choice stays
    __test.workspaceConfig.set('liuhen.model', 'evil-q4f32_1');
    __test.workspaceConfig.set('liuhen.customModels', [evilRecord]);
    __test.workspaceConfig.set('liuhen.modelHosts', ['https://*.com']);
    __test.workspaceConfig.set('liuhen.templateFolder', 'evil-templates');
    __test.workspaceConfig.set('liuhen.uiLanguage', 'en-US'); // not restricted: applies
    __test.files.set('file:///evil-templates/x.json', new TextEncoder().encode('{}'));
    const { provider, view, page } = setup();
    const html = view.webview.html;
    const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1] ?? '';
    expect(csp).not.toContain('evil.example.com');
    expect(csp).not.toContain('https://*.com');
    const config = pageConfig(html);
    expect(config.settings.model).toBe('Qwen2.5-0.5B-Instruct-q4f32_1-MLC');
    expect(config.settings.customModels).toBeUndefined();
    expect(config.settings.customTemplateFolder).toBe(false);
    expect(html).toContain('lang="en-US"');
    const notice = /<div role="status" data-testid="trust-notice"[^>]*>([^<]*)<\/div>/.exec(html)?.[1] ?? '';
    expect(notice).toContain('This workspace is not trusted');
    for (const name of ['liuhen.model', 'liuhen.customModels', 'liuhen.modelHosts', 'liuhen.templateFolder']) expect(notice).toContain(name);
    expect(notice).not.toContain('liuhen.uiLanguage');
    await expect(page.host.client.request('templates/custom', undefined)).resolves.toEqual({ files: [], unreadable: [] });

    // Trusting the workspace applies them (and the notice goes): extension.ts calls settingsChanged on the grant.
    __test.grantTrust();
    provider.settingsChanged();
    const trusted = pageConfig(view.webview.html);
    expect(trusted.settings.model).toBe('evil-q4f32_1');
    expect(view.webview.html).toContain('evil.example.com');
    expect(view.webview.html).not.toContain('trust-notice');
  });

  it("where VS Code already dropped the workspace's restricted values, the view still names them, read from .vscode/settings.json", async () => {
    const { scanWorkspaceSettings, restrictedKeysIn } = await import('../../../extension/src/settings');
    __test.trusted = false;
    vscode.workspace.workspaceFolders = [{ uri: vscode.Uri.file('/repo') }];
    // JSON with comments, as VS Code writes it; liuhen.modelHosts is not liuhen.model.
    const text = '{\n  // company models\n  "liuhen.customModels": [{"model": "https://evil.example.com/x"}],\n  "liuhen.modelHosts": ["https://*.com"],\n  "editor.tabSize": 2,\n}\n';
    __test.files.set(vscode.Uri.file('/repo/.vscode/settings.json').toString(), new TextEncoder().encode(text));
    expect(restrictedKeysIn(text)).toEqual(['liuhen.customModels', 'liuhen.modelHosts']);
    const { provider, view } = setup();
    expect(view.webview.html).not.toContain('trust-notice');
    expect(await scanWorkspaceSettings()).toBe(true);
    provider.settingsChanged();
    const notice = /<div role="status" data-testid="trust-notice"[^>]*>([^<]*)<\/div>/.exec(view.webview.html)?.[1] ?? '';
    expect(notice).toContain('liuhen.customModels, liuhen.modelHosts');
    expect(notice).not.toContain('liuhen.model,');
    // Trusted: nothing is ignored, and the scan clears.
    __test.trusted = true;
    expect(await scanWorkspaceSettings()).toBe(true);
    provider.settingsChanged();
    expect(view.webview.html).not.toContain('trust-notice');
  });

  it('a trusted workspace shows no notice', () => {
    __test.workspaceConfig.set('liuhen.customModels', [evilRecord]);
    const { view } = setup();
    expect(view.webview.html).not.toContain('trust-notice');
    expect(view.webview.html).toContain('evil.example.com');
  });

  it('declares the same restricted settings in package.json', async () => {
    const { RESTRICTED_SETTINGS } = await import('../../../extension/src/settings');
    const { readFileSync } = await import('node:fs');
    const pkg = JSON.parse(readFileSync(new URL('../../../extension/package.json', import.meta.url), 'utf8'));
    expect(pkg.capabilities.untrustedWorkspaces.supported).toBe('limited');
    expect([...pkg.capabilities.untrustedWorkspaces.restrictedConfigurations].sort()).toEqual(RESTRICTED_SETTINGS.map((k) => `liuhen.${k}`).sort());
  });

  it('a liuhen.* change that does not alter the page keeps it (and the work in it)', async () => {
    __test.config.set('liuhen.model', 'Qwen2.5-0.5B-Instruct-q4f32_1-MLC');
    const { provider, view, page } = setup();
    await page.host.client.request('webview/ready', { gpu: GPU, engine: 'webllm', userAgent: 'test' });
    const before = view.webview.html;
    __test.config.set('liuhen.model', 'Qwen2.5-0.5B-Instruct-q4f32_1-MLC'); // same value written again
    provider.settingsChanged();
    __test.config.set('liuhen.unrelated', 1);
    provider.settingsChanged();
    expect(view.webview.html).toBe(before);
    expect(provider.webviewReport).toBeDefined();
  });

  it('never re-renders mid-run: a change while the panel generates waits until it reports it is done', async () => {
    const { provider, view, page } = setup();
    const client = page.host.client;
    await client.request('webview/ready', { gpu: GPU, engine: 'webllm', userAgent: 'test' });
    await client.request('webview/status', { kind: 'generating', templateId: 'exit-interview' });
    const before = view.webview.html;
    provider.settingsChanged(); // nothing changed yet
    __test.config.set('liuhen.model', 'Qwen2.5-0.5B-Instruct-q4f32_1-MLC');
    provider.settingsChanged();
    __test.config.set('liuhen.uiLanguage', 'en-US');
    provider.settingsChanged();
    expect(view.webview.html).toBe(before); // the batch keeps running in the same page
    expect(provider.webviewReport).toBeDefined();
    expect(__test.messages.filter((m) => m.text.includes('apply when the current run finishes'))).toHaveLength(1);
    await client.request('webview/status', { kind: 'idle' });
    expect(view.webview.html).not.toBe(before);
    expect(pageConfig(view.webview.html).settings.model).toBe('Qwen2.5-0.5B-Instruct-q4f32_1-MLC');
    expect(view.webview.html).toContain('lang="en-US"');
  });
});
