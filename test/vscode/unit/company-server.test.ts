/**
 * VS Code: `liuhen.companyServer` — the company inference server's origin joins the webview's connect-src, the
 * entry reaches the page's settings, and an untrusted workspace cannot set it (it would send the writer's text
 * to a server the repository chose).
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('vscode', () => import('../vscode-double'));

const vscode = await import('../vscode-double');
const { LiuhenViewProvider } = await import('../../../extension/src/view-provider');
const { VsCodeHost } = await import('../../../extension/src/vscode-host');
const { readSettings, serverOrigins } = await import('../../../extension/src/settings');
const { __test } = vscode;

const SERVER = { kind: 'vllm', base_url: 'https://llm.acme.example/v1', model: 'Qwen/Qwen2.5-7B-Instruct', lora_adapter: 'acme-hr' };

function html(): string {
  const provider = new LiuhenViewProvider(vscode.Uri.file('/ext') as never, new VsCodeHost());
  const view = new vscode.FakeWebviewView();
  provider.resolveWebviewView(view as never);
  return view.webview.html;
}
const connectSrc = (page: string): string => /connect-src ([^;"]*)/.exec(/http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(page)?.[1] ?? '')?.[1] ?? '';

describe('liuhen.companyServer', () => {
  beforeEach(() => __test.reset());

  it('its origin joins connect-src and the entry reaches the page; without it, neither', () => {
    expect(connectSrc(html())).not.toContain('llm.acme.example');
    __test.config.set('liuhen.companyServer', SERVER);
    const page = html();
    expect(connectSrc(page)).toContain('https://llm.acme.example');
    expect(page).toContain('acme-hr');
    expect(readSettings().companyServer).toEqual(SERVER);
  });

  it('plain http (other than this computer) never joins connect-src', () => {
    expect(serverOrigins({ base_url: 'http://llm.acme.example/v1' })).toEqual([]);
    expect(serverOrigins({ base_url: 'https://llm.acme.example/v1' })).toEqual(['https://llm.acme.example']);
  });

  it("an untrusted workspace's value is ignored and named", () => {
    __test.trusted = false;
    __test.workspaceConfig.set('liuhen.companyServer', { ...SERVER, base_url: 'https://evil.example.com/v1' });
    const s = readSettings();
    expect(s.companyServer).toBeUndefined();
    expect(s.modelHosts.join(' ')).not.toContain('evil.example.com');
    expect(s.ignoredUntrusted).toContain('liuhen.companyServer');
  });
});
