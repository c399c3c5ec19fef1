/** Saving exported files from the panel: a browser download unless the host provides its own saver. */

/** Downloads `content` as a file through an object URL (works in task panes, webviews and pages). */
export function downloadFile(name: string, mime: string, content: string): Promise<void> {
  // A BOM so Excel opens UTF-8 CSV with Chinese text correctly.
  const blob = new Blob([mime.startsWith('text/csv') ? '\uFEFF' : '', content], { type: mime });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return Promise.resolve();
}

/** One CSV cell (RFC 4180 quoting). */
export function csvCell(value: unknown): string {
  const text = value === undefined || value === null ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Rows to CSV text. */
export function toCsv(rows: readonly (readonly unknown[])[]): string {
  return rows.map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}
