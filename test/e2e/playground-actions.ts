/** What a writer does in the playground's document, shared by the end-to-end tests that drive it. */
import type { Page } from 'playwright-core';

/** Selects the document's paragraphs (not the table), as a writer dragging over the transcript would. */
export async function selectTranscript(page: Page): Promise<void> {
  await page.evaluate(() => {
    const ps = Array.from(document.querySelectorAll('[data-testid="doc"] p[data-block-id]'));
    const first = ps[1];
    const last = ps[ps.length - 1];
    if (!first || !last) throw new Error('no paragraphs');
    const range = document.createRange();
    range.setStartBefore(first.firstChild ?? first);
    range.setEndAfter(last.lastChild ?? last);
    window.getSelection()?.removeAllRanges();
    window.getSelection()?.addRange(range);
  });
}

/** Selects the table's data rows `from`..`to` (1-based), as a writer would before a batch. */
export async function selectTableRows(page: Page, from: number, to: number): Promise<void> {
  await page.evaluate(
    ([a, b]) => {
      const first = document.querySelector(`[data-testid="doc-table"] tr[data-row="${a}"]`);
      const last = document.querySelector(`[data-testid="doc-table"] tr[data-row="${b}"]`);
      if (!first || !last) throw new Error('table rows missing');
      const range = document.createRange();
      range.setStartBefore(first);
      range.setEndAfter(last);
      window.getSelection()?.removeAllRanges();
      window.getSelection()?.addRange(range);
    },
    [from, to] as const,
  );
}
