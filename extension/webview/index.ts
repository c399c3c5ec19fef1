/** Entry of the webview bundle (dist/webview.js). */
import { startWebview } from './main';

startWebview().catch((error: unknown) => {
  const root = document.getElementById('root');
  // Text only: the message may contain anything.
  if (root) root.textContent = `Liuhen could not start: ${error instanceof Error ? error.message : String(error)}`;
});
