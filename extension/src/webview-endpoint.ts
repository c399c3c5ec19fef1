/**
 * A VS Code `Webview` as an rpc {@link Endpoint}, so the extension answers the webview with the same RpcServer
 * the engine worker uses. `postMessage` is fire-and-forget: a message posted before the webview's script runs is
 * lost, which is why the extension emits events only after the webview said `webview/ready`.
 */
import type * as vscode from 'vscode';
import type { Endpoint } from '../../shared/protocol/rpc';

type Listener = (event: MessageEvent) => void;

/** Wraps a webview; dispose it with the view. */
export function webviewEndpoint(webview: vscode.Webview): Endpoint & vscode.Disposable {
  const subscriptions = new Map<Listener, vscode.Disposable>();
  return {
    postMessage(message: unknown): void {
      void webview.postMessage(message);
    },
    addEventListener(_type: 'message', listener: Listener): void {
      if (subscriptions.has(listener)) return;
      subscriptions.set(listener, webview.onDidReceiveMessage((data: unknown) => listener({ data } as MessageEvent)));
    },
    removeEventListener(_type: 'message', listener: Listener): void {
      subscriptions.get(listener)?.dispose();
      subscriptions.delete(listener);
    },
    dispose(): void {
      for (const s of subscriptions.values()) s.dispose();
      subscriptions.clear();
    },
  };
}
