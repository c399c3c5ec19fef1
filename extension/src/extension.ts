/**
 * The Liuhen VS Code extension: the only code that imports `vscode` (with the modules beside it). Contributes the
 * Liuhen view hosting the shared panel, the commands, and the `liuhen.*` settings; every disposable goes into
 * `context.subscriptions`. The same source is bundled as the desktop (`main`, node) and web (`browser`,
 * webworker) entry.
 */
import * as vscode from 'vscode';
import type { PanelStatus, WebviewReport } from '../../shared/protocol/host';
import { exportAuditLog } from './export-audit';
import { scanWorkspaceSettings, SECTION } from './settings';
import { LiuhenViewProvider, VIEW_ID } from './view-provider';
import { VsCodeHost } from './vscode-host';

/** Command ids (package.json `contributes.commands`). */
export const COMMANDS = {
  generate: 'liuhen.generateFromSelection',
  openPanel: 'liuhen.openPanel',
  exportAudit: 'liuhen.exportAuditLog',
} as const;

/**
 * What the extension exports to other extensions (`vscode.extensions.getExtension('liuhen.liuhen').exports`):
 * the webview's start-up report and its status, for diagnostics and end-to-end tests.
 */
export interface LiuhenApi {
  /** Resolves once the panel's webview started and probed WebGPU. */
  whenWebviewReady(): Promise<WebviewReport>;
  /** The panel's last reported status. */
  status(): PanelStatus;
  onDidChangeStatus: vscode.Event<PanelStatus>;
}

export function activate(context: vscode.ExtensionContext): LiuhenApi {
  const host = new VsCodeHost();
  const provider = new LiuhenViewProvider(context.extensionUri, host);
  const statusItem = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Right, 100);
  statusItem.name = 'Liuhen';
  statusItem.command = COMMANDS.openPanel;
  context.subscriptions.push(
    host,
    provider,
    statusItem,
    // Keep the webview (and the model loaded on the GPU) alive while the view is hidden: reloading costs seconds.
    vscode.window.registerWebviewViewProvider(VIEW_ID, provider, { webviewOptions: { retainContextWhenHidden: true } }),
    vscode.commands.registerCommand(COMMANDS.generate, () => {
      const editor = vscode.window.activeTextEditor;
      if (editor && editor.selection.isEmpty) {
        // Say it now rather than after the panel waited for a selection.
        void vscode.window.showInformationMessage('Liuhen: select the transcript or notes to use first, then run "Generate from Selection" again.');
        return provider.reveal();
      }
      return provider.generate();
    }),
    vscode.commands.registerCommand(COMMANDS.openPanel, () => provider.reveal()),
    vscode.commands.registerCommand(COMMANDS.exportAudit, () => exportAuditLog(host)),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration(SECTION)) void scanWorkspaceSettings().finally(() => provider.settingsChanged());
    }),
    // Trusting the workspace makes its restricted liuhen.* settings apply.
    vscode.workspace.onDidGrantWorkspaceTrust(() => void scanWorkspaceSettings().finally(() => provider.settingsChanged())),
    provider.onDidChangeStatus((status) => {
      if (status.kind === 'loading-model') {
        statusItem.text = `$(sync~spin) Liuhen ${Math.round(status.fraction * 100)}%`;
        statusItem.show();
      } else if (status.kind === 'generating') {
        statusItem.text = '$(sync~spin) Liuhen';
        statusItem.show();
      } else {
        statusItem.hide();
      }
    }),
  );
  // In an untrusted workspace: which restricted settings its files set, so the view can say it ignores them.
  void scanWorkspaceSettings().then((changed) => {
    if (changed) provider.settingsChanged();
  });
  return {
    whenWebviewReady: () => provider.whenReady(),
    status: () => provider.status,
    onDidChangeStatus: provider.onDidChangeStatus,
  };
}

export function deactivate(): void {
  // Everything is in context.subscriptions.
}
