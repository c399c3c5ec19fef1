/**
 * "Liuhen: Export Audit Log" and the panel's exports, against the `vscode` double: what file the writer gets.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { AuditRecord } from '../../../shared/host/port';

vi.mock('vscode', () => import('../vscode-double'));

const vscode = await import('../vscode-double');
const { VsCodeHost } = await import('../../../extension/src/vscode-host');
const { exportAuditLog, saveExportedFile } = await import('../../../extension/src/export-audit');
const { __test } = vscode;

const record: AuditRecord = {
  auditId: 'x1',
  time: '2026-12-01T10:00:00.000Z',
  templateId: 'exit-interview',
  templateVersion: '1.0.0',
  templateLanguage: 'zh-CN',
  modelId: 'Qwen2.5-1.5B-Instruct-q4f32_1-MLC',
  sourceHash: 'cd'.repeat(32),
  redactionCount: 2,
  flags: [{ flag: 'ESCALATE:HARASSMENT', where: 'source' }],
  fields: { reasons: [{ code: 'COMP', role: 'primary', stated: true, confidence: 0.9, sources: ['T2'] }] },
};

// ignoreBOM: keep the BOM in the decoded text, to see that it is there.
const text = (uri: string): string => new TextDecoder('utf-8', { ignoreBOM: true }).decode(__test.files.get(uri));

describe('Export Audit Log', () => {
  beforeEach(() => __test.reset());

  it('saves the document\'s records as CSV for a spreadsheet, suggested beside the document', async () => {
    __test.open('/hr/zhang.md', 'markdown', '# 面谈');
    const host = new VsCodeHost();
    await host.saveAudit([record]);
    __test.pickLabel = 'CSV';
    __test.saveTarget = vscode.Uri.file('/exports/zhang.csv');
    const written = await exportAuditLog(host);
    expect(written?.path).toBe('/exports/zhang.csv');
    expect(__test.lastSaveDialog?.defaultUri?.path).toBe('/hr/zhang.md.liuhen-audit.csv');
    const csv = text('file:///exports/zhang.csv');
    expect(csv.startsWith('\uFEFF')).toBe(true); // Excel reads UTF-8 Chinese only with a BOM
    expect(csv).toContain('x1');
    expect(csv).toContain('COMP');
    // The escalation is counted; its category is not in the file beside the document nor in the export.
    expect(csv).not.toContain('HARASSMENT');
    expect(text('file:///hr/zhang.md.liuhen-audit.json')).not.toContain('HARASSMENT');
    const rows = csv.slice(1).trim().split('\r\n').map((l) => l.split(','));
    expect(rows[1]?.[rows[0]?.indexOf('escalate_flags') ?? -1]).toBe('1');
  });

  it('saves JSON that reads back as the same records', async () => {
    __test.open('/hr/zhang.md', 'markdown', '# 面谈');
    const host = new VsCodeHost();
    await host.saveAudit([record]);
    __test.pickLabel = 'JSON';
    __test.saveTarget = vscode.Uri.file('/exports/zhang.json');
    await exportAuditLog(host);
    const { flags: _flags, ...rest } = record;
    expect(JSON.parse(text('file:///exports/zhang.json'))).toMatchObject({ format: 'liuhen-audit', records: [{ ...rest, flags: [], flagCounts: { BLOCK: 0, WARN: 0, ESCALATE: 1 } }] });
    expect(text('file:///exports/zhang.json')).not.toContain('HARASSMENT');
  });

  it('tells the writer when there is nothing to export, and writes nothing', async () => {
    __test.open('/hr/empty.md', 'markdown', '# 面谈');
    await expect(exportAuditLog(new VsCodeHost())).resolves.toBeUndefined();
    expect(__test.messages[0]?.text).toMatch(/no audit records for empty\.md yet/);
    expect(__test.files.size).toBe(0);
  });

  it('writes nothing when the writer cancels the save dialog', async () => {
    __test.open('/hr/zhang.md', 'markdown', '# 面谈');
    const host = new VsCodeHost();
    await host.saveAudit([record]);
    const before = __test.files.size;
    __test.pickLabel = 'CSV';
    await expect(exportAuditLog(host)).resolves.toBeUndefined();
    expect(__test.files.size).toBe(before);
  });

  it('saves a file the panel exported where the writer chooses', async () => {
    __test.open('/hr/zhang.md', 'markdown', '# 面谈');
    const host = new VsCodeHost();
    __test.saveTarget = vscode.Uri.file('/hr/out.csv');
    const uri = await saveExportedFile(host, 'liuhen/audit.csv', 'a,b\r\n');
    expect(uri?.path).toBe('/hr/out.csv');
    expect(__test.lastSaveDialog?.defaultUri?.path).toBe('/hr/liuhen_audit.csv');
    expect(__test.lastSaveDialog?.filters).toEqual({ CSV: ['csv'] });
    expect(text('file:///hr/out.csv')).toBe('a,b\r\n');
  });
});
