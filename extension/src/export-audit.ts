/**
 * "Liuhen: Export Audit Log": the audit records kept beside the active document, saved as JSON or CSV where the
 * writer chooses. The file formats come from `formatAudit` (shared/pipeline/audit-export.ts once it lands; the
 * extension passes its formatter in, so this command does not care which).
 */
import * as vscode from 'vscode';
import type { AuditRecord } from '../../shared/host/port';
import type { VsCodeHost } from './vscode-host';

/** Export formats offered. */
export type AuditFormat = 'json' | 'csv';

/** Turns records into file text. */
export type AuditFormatter = (records: readonly AuditRecord[], format: AuditFormat) => string;

function csvCell(value: unknown): string {
  const text = value === undefined || value === null ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  // Cells that a spreadsheet would run as a formula are prefixed with an apostrophe (CSV injection).
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** JSON (the records as stored) or CSV (one row per record, flags joined with `;`, fields as JSON). */
export const formatAudit: AuditFormatter = (records, format) => {
  if (format === 'json') return `${JSON.stringify(records, null, 2)}\n`;
  const header = ['auditId', 'time', 'templateId', 'templateVersion', 'templateLanguage', 'modelId', 'sourceHash', 'redactionCount', 'rowIndex', 'flags', 'fields'];
  const rows = records.map((r) =>
    [r.auditId, r.time, r.templateId, r.templateVersion, r.templateLanguage, r.modelId, r.sourceHash, r.redactionCount, r.rowIndex, r.flags.map((f) => `${f.flag}@${f.where}`).join(';'), r.fields]
      .map(csvCell)
      .join(','),
  );
  // A BOM so that Excel opens Chinese text as UTF-8.
  return `\uFEFF${[header.join(','), ...rows].join('\r\n')}\r\n`;
};

/** Runs the command. Returns the file written, or undefined when there was nothing to export or the writer cancelled. */
export async function exportAuditLog(host: VsCodeHost, format: AuditFormatter = formatAudit): Promise<vscode.Uri | undefined> {
  let documentUri: vscode.Uri;
  try {
    documentUri = host.auditDocument();
  } catch (error) {
    void vscode.window.showErrorMessage(error instanceof Error ? error.message : String(error));
    return undefined;
  }
  let records: AuditRecord[];
  try {
    records = await host.readAuditOf(documentUri);
  } catch (error) {
    void vscode.window.showErrorMessage(error instanceof Error ? error.message : String(error));
    return undefined;
  }
  const name = documentUri.path.split('/').pop() ?? 'document';
  if (records.length === 0) {
    void vscode.window.showInformationMessage(`Liuhen has no audit records for ${name} yet: they are written when generated text is inserted.`);
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    [
      { label: 'CSV', description: 'one row per record, for spreadsheets', format: 'csv' as const },
      { label: 'JSON', description: 'the records as stored', format: 'json' as const },
    ],
    { title: `Export ${records.length} Liuhen audit record(s) of ${name}` },
  );
  if (!picked) return undefined;
  const base = documentUri.scheme === 'untitled' ? vscode.workspace.workspaceFolders?.[0]?.uri : documentUri.with({ path: documentUri.path.replace(/\/[^/]*$/, '') || '/' });
  const suggested = base ? vscode.Uri.joinPath(base, `${name}.liuhen-audit.${picked.format}`) : undefined;
  const target = await vscode.window.showSaveDialog({
    title: 'Export Liuhen audit log',
    filters: picked.format === 'csv' ? { CSV: ['csv'] } : { JSON: ['json'] },
    ...(suggested ? { defaultUri: suggested } : {}),
  });
  if (!target) return undefined;
  await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(format(records, picked.format)));
  void vscode.window.showInformationMessage(`Exported ${records.length} Liuhen audit record(s) to ${target.path.split('/').pop() ?? target.toString()}.`);
  return target;
}
