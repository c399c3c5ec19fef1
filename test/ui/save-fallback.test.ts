// @vitest-environment jsdom
/**
 * Word for Mac (office-js #2700): an export is shown to copy, never reported as a download that silently failed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { downloadsUnreliable, showFileFallback } from '../../addin/taskpane/save-fallback';

afterEach(() => document.body.replaceChildren());

describe('exports where blob downloads fail (Word for Mac)', () => {
  it('applies on Mac and iOS only', () => {
    expect(downloadsUnreliable('Mac')).toBe(true);
    expect(downloadsUnreliable('iOS')).toBe(true);
    for (const p of ['PC', 'OfficeOnline', 'Universal', undefined]) expect(downloadsUnreliable(p)).toBe(false);
  });

  it('shows the file content under its name, copies it, and closes', async () => {
    const copied: string[] = [];
    const csv = 'audit_id,event\nabc,inserted\n';
    await showFileFallback('liuhen-audit-2026-12-03.csv', csv, { writeClipboard: (t) => (copied.push(t), Promise.resolve()) });
    const dialog = document.querySelector('[role="dialog"]');
    expect(dialog?.textContent).toContain('Save liuhen-audit-2026-12-03.csv');
    expect(dialog?.textContent).toContain('Word for Mac cannot download files');
    expect(document.querySelector('textarea')?.value).toBe(csv);
    (document.querySelector('[data-testid="file-fallback-copy"]') as HTMLButtonElement).click();
    await new Promise((r) => setTimeout(r, 0));
    expect(copied).toEqual([csv]);
    expect(document.querySelector('[role="status"]')?.textContent).toContain('Copied');
    (document.querySelector('[data-testid="file-fallback-close"]') as HTMLButtonElement).click();
    expect(document.querySelector('[data-testid="file-fallback"]')).toBeNull();
  });

  it('when copying is blocked, says so in Chinese and selects the text for a manual copy', async () => {
    await showFileFallback('a.json', '{"x":1}', { language: 'zh-CN', writeClipboard: () => Promise.reject(new Error('denied')) });
    expect(document.querySelector('[role="dialog"]')?.textContent).toContain('Mac 版 Word 无法从加载项下载文件');
    (document.querySelector('[data-testid="file-fallback-copy"]') as HTMLButtonElement).click();
    await new Promise((r) => setTimeout(r, 0));
    expect(document.querySelector('[role="status"]')?.textContent).toContain('复制被阻止');
    const area = document.querySelector('textarea') as HTMLTextAreaElement;
    expect(document.activeElement).toBe(area);
    expect(area.selectionEnd - area.selectionStart).toBe('{"x":1}'.length);
  });
});
