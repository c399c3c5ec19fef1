/**
 * The webview side of the channel to the extension: VS Code's `acquireVsCodeApi()` for sending and the
 * window's `message` events for receiving, as an rpc {@link Endpoint}.
 */
import type { Endpoint } from '../../shared/protocol/rpc';

/** What `acquireVsCodeApi()` returns (the part Liuhen uses). */
export interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare global {
  /** Injected by VS Code into every webview; callable once per page. */
  function acquireVsCodeApi(): VsCodeApi;
}

/** Window-like source of message events (the page's `window`). */
export interface MessageSource {
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  removeEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
}

/** The channel to the extension. */
export function extensionEndpoint(api: VsCodeApi, source: MessageSource = window): Endpoint {
  return {
    postMessage: (message) => api.postMessage(message),
    addEventListener: (type, listener) => source.addEventListener(type, listener),
    removeEventListener: (type, listener) => source.removeEventListener(type, listener),
  };
}
