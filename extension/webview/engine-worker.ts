/**
 * Starting the engine worker inside a VS Code webview. VS Code serves extension files from a
 * `vscode-resource` origin that is not the page's own, and a Worker cannot be constructed from such a URL
 * (same-origin rule), so the page fetches the worker bundle's text (it may: `connect-src` includes the webview
 * source) and starts the worker from a `blob:` URL (CSP `worker-src blob:`). The bundle is one classic script
 * with no further chunks, so nothing inside it needs the original URL.
 */
import type { WorkerLike } from '../../shared/engine/webllm-engine';

/** Fetches the worker bundle once; returns a factory that starts a worker from it (synchronously, as the engine needs). */
export async function prepareBlobWorker(
  url: string,
  fetchText: (url: string) => Promise<string> = async (u) => {
    const response = await fetch(u);
    if (!response.ok) throw new Error(`The engine worker could not be loaded (${response.status} ${response.statusText}).`);
    return response.text();
  },
): Promise<{ createWorker: () => WorkerLike; blobUrl: string; bytes: number }> {
  const text = await fetchText(url);
  const blobUrl = URL.createObjectURL(new Blob([text], { type: 'text/javascript' }));
  return {
    blobUrl,
    bytes: text.length,
    // A fresh worker from the same blob each time: the engine recreates a crashed worker.
    createWorker: () => new Worker(blobUrl, { name: 'liuhen-engine' }) as WorkerLike,
  };
}
