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
    expect(connectSources(['https://a.example.com/', 'https://*.cdn.example.com', 'http://localhost:8080', 'ftp://x', "https://x.com; script-src 'unsafe-inline'"])).toEqual({
      sources: ['https://a.example.com', 'https://*.cdn.example.com', 'http://localhost:8080'],
      rejected: ['ftp://x', "https://x.com; script-src 'unsafe-inline'"],
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
