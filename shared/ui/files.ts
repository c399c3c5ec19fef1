/** Saving exported files from the panel: a browser download unless the host provides its own saver. */

/** Downloads `content` as a file through an object URL (works in task panes, webviews and pages). */
export function downloadFile(name: string, mime: string, content: string): Promise<void> {
  const blob = new Blob([content], { type: mime });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  // Revoke later: the download starts asynchronously.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return Promise.resolve();
}
