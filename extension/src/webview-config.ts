/**
 * What the extension hands the webview page at start-up, embedded in its HTML as a JSON data block (not a
 * script: nothing in it executes). Shared type-only by extension/src/webview-html.ts and extension/webview/.
 */
import type { HostSettings } from '../../shared/protocol/host';

/** The id of the `<script type="application/json">` element that carries the config. */
export const CONFIG_ELEMENT_ID = 'liuhen-config';

/** The webview's start-up configuration. */
export interface WebviewConfig {
  /** `asWebviewUri` of the engine worker bundle; the page fetches its text and starts it from a `blob:` URL. */
  engineWorkerUrl: string;
  settings: HostSettings;
}
