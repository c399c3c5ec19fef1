/**
 * The Liuhen view (a webview view in the activity bar) hosting the shared panel. It answers the webview's
 * DocumentHost requests with {@link VsCodeHost} over the typed protocol of shared/protocol/host.ts, and forwards
 * selection changes, setting changes and the "Generate from Selection" command as events.
 */
import * as vscode from 'vscode';
import type { GenerateCommand, HostProtocol, PanelStatus, WebviewReport } from '../../shared/protocol/host';
import { RpcServer } from '../../shared/protocol/rpc';
import { saveExportedFile } from './export-audit';
import { hostSettings, readCustomTemplates, readSettings, type ExtensionSettings } from './settings';
import type { VsCodeHost } from './vscode-host';
import { webviewEndpoint } from './webview-endpoint';
import { connectSources, makeNonce, webviewHtml } from './webview-html';

/** The view's id (package.json `contributes.views`). VS Code adds the command `liuhen.panel.focus`. */
export const VIEW_ID = 'liuhen.panel';

/** Files of the extension the webview loads (paths inside the extension, under `dist/`). */
export const WEBVIEW_FILES = { script: ['dist', 'webview.js'], worker: ['dist', 'engine-worker.js'] } as const;

/** Provides the webview view; one instance for the extension's lifetime. */
export class LiuhenViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  private view: vscode.WebviewView | undefined;
  private server: RpcServer<HostProtocol> | undefined;
  private viewDisposables: vscode.Disposable[] = [];
  private report: WebviewReport | undefined;
  private readyWaiters: Array<(report: WebviewReport) => void> = [];
  private statusValue: PanelStatus = { kind: 'idle' };
  /** {@link renderKey} of the page as rendered; a settings change that keeps it keeps the page. */
  private renderedKey: string | undefined;
  /** Settings changed while the panel was busy: render once it reports it is done. */
  private pendingRender = false;
  private readonly statusEmitter = new vscode.EventEmitter<PanelStatus>();
  /** The panel's status as it reports it (status bar, tests). */
  readonly onDidChangeStatus = this.statusEmitter.event;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly host: VsCodeHost,
    private readonly settings: () => ExtensionSettings = readSettings,
  ) {}

  dispose(): void {
    this.disposeView();
    this.statusEmitter.dispose();
  }

  /** What the webview reported when it started (WebGPU adapter), once it has. */
  get webviewReport(): WebviewReport | undefined {
    return this.report;
  }

  get status(): PanelStatus {
    return this.statusValue;
  }

  /** Resolves when the webview has started and reported (revealing the view first if needed). */
  whenReady(): Promise<WebviewReport> {
    if (this.report) return Promise.resolve(this.report);
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.disposeView();
    this.view = view;
    const webview = view.webview;
    this.render(webview);
    const endpoint = webviewEndpoint(webview);
    const host = this.host;
    const server = new RpcServer<HostProtocol>(endpoint)
      .handle('host/capabilities', () => host.capabilities())
      .handle('selection/read', () => host.readSelection())
      .handle('table/read', () => host.readTable())
      .handle('document/apply', ({ plans }) => host.apply(plans))
      .handle('audit/save', ({ records }) => host.saveAudit(records))
      .handle('audit/read', () => host.readAudit())
      .handle('audit/trail', () => host.readAuditTrail())
      .handle('audit/review', ({ records }) => host.readReview(records))
      .handle('wording/read', ({ scope }) => host.readWording(scope))
      .handle('wording/apply', (request) => host.applyWording(request))
      .handle('settings/read', () => hostSettings(this.settings()))
      .handle('templates/custom', () => readCustomTemplates(this.settings().templateFolder))
      .handle('webview/ready', (report) => {
        this.report = report;
        for (const w of this.readyWaiters.splice(0)) w(report);
      })
      .handle('file/save', async ({ name, content }) => {
        const uri = await saveExportedFile(host, name, content);
        return uri ? { saved: true, uri: uri.toString() } : { saved: false };
      })
      .handle('webview/notify', ({ severity, message }) => {
        const show = severity === 'error' ? vscode.window.showErrorMessage : severity === 'warning' ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
        void show(`Liuhen: ${message}`);
      })
      .handle('webview/status', (status) => {
        this.statusValue = status;
        this.statusEmitter.fire(status);
        if (this.pendingRender && !this.busy()) this.settingsChanged();
      });
    this.server = server;
    const unsubscribeSelection = host.onSelectionChanged(() => {
      if (this.report) server.emit('selection/changed', undefined);
    });
    this.viewDisposables = [
      endpoint,
      { dispose: () => server.dispose() },
      { dispose: unsubscribeSelection },
      view.onDidDispose(() => this.disposeView()),
    ];
  }

  /**
   * Settings (or workspace trust) changed. Model, language, templates and CSP model hosts are start-up decisions
   * of the page, so it is rendered again — but only when something it was started with differs (any other
   * `liuhen.*` change, or a value set back, keeps the page and the writer's work), and never while it generates
   * or loads a model: then the new settings wait until the panel reports it is done. The page announces itself
   * again with `webview/ready`.
   */
  settingsChanged(): void {
    if (!this.view) return;
    const settings = this.settings();
    if (this.renderKey(settings) === this.renderedKey) {
      this.pendingRender = false;
      return;
    }
    if (this.busy()) {
      if (!this.pendingRender) void vscode.window.showInformationMessage('Liuhen: the new settings apply when the current run finishes.');
      this.pendingRender = true;
      return;
    }
    this.pendingRender = false;
    if (this.report) this.server?.emit('settings/changed', hostSettings(settings));
    this.report = undefined;
    this.render(this.view.webview, settings);
  }

  /** Whether the panel is generating (one record or a batch) or loading a model, as it last reported. */
  private busy(): boolean {
    return this.statusValue.kind === 'generating' || this.statusValue.kind === 'loading-model';
  }

  /** Everything the rendered page depends on. */
  private renderKey(settings: ExtensionSettings): string {
    return JSON.stringify([hostSettings(settings), settings.templateFolder, settings.modelHosts, settings.ignoredUntrusted, settings.uiLanguage]);
  }

  /** Sets the page's HTML (a fresh nonce each time) and its resource roots. */
  private render(webview: vscode.Webview, settings: ExtensionSettings = this.settings()): void {
    this.renderedKey = this.renderKey(settings);
    const dist = vscode.Uri.joinPath(this.extensionUri, 'dist');
    webview.options = { enableScripts: true, localResourceRoots: [dist] };
    const { sources, rejected } = connectSources(settings.modelHosts);
    if (rejected.length > 0) {
      void vscode.window.showWarningMessage(`Liuhen ignores these model hosts (use https:// origins): ${rejected.join(', ')}`);
    }
    const nonce = makeNonce();
    const ignored = settings.ignoredUntrusted;
    webview.html = webviewHtml({
      cspSource: webview.cspSource,
      nonce,
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, ...WEBVIEW_FILES.script)).toString(),
      modelSources: sources,
      lang: settings.uiLanguage === 'auto' ? settings.displayLanguage : settings.uiLanguage,
      config: {
        engineWorkerUrl: webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, ...WEBVIEW_FILES.worker)).toString(),
        settings: hostSettings(settings),
      },
      ...(ignored.length > 0
        ? {
            notice:
              `This workspace is not trusted, so Liuhen ignores its ${ignored.join(', ')} (they choose models, download hosts or templates) and uses your own settings. ` +
              `Trust the workspace to use them. · 此工作区未受信任，留痕忽略其中的 ${ignored.join('、')} 设置（它们决定模型、下载地址或模板），改用您自己的设置。`,
          }
        : {}),
    });
  }

  /** Reveals the view (VS Code resolves it on first reveal). */
  async reveal(): Promise<void> {
    if (this.view) {
      this.view.show(true);
      return;
    }
    await vscode.commands.executeCommand(`${VIEW_ID}.focus`);
  }

  /** "Liuhen: Generate from Selection": reveal the panel, wait for it, ask it to generate. */
  async generate(command: GenerateCommand = {}): Promise<void> {
    await this.reveal();
    await this.whenReady();
    this.server?.emit('command/generate', command);
  }

  private disposeView(): void {
    for (const d of this.viewDisposables.splice(0)) d.dispose();
    this.view = undefined;
    this.server = undefined;
    this.report = undefined;
  }
}
