/**
 * "Liuhen: Export Audit Log": the audit records kept beside the active document, saved as JSON or CSV where the
 * writer chooses, in the formats of shared/pipeline/audit-export.ts (the same files the panel exports in Word).
 */
import * as vscode from 'vscode';
import type { AuditRecord } from '../../shared/host/port';
import { auditToCsv, auditToJson } from '../../shared/pipeline/audit-export';
import { BUILTIN_TEMPLATES, parseTemplateText } from '../../shared/templates/load';
import type { Template } from '../../shared/templates/schema';
import { readCustomTemplates, readSettings } from './settings';
import type { VsCodeHost } from './vscode-host';

/** Export formats offered. */
export type AuditFormat = 'json' | 'csv';

/** Turns records into file text. */
export type AuditFormatter = (records: readonly AuditRecord[], format: AuditFormat) => string;

/** JSON (the records as stored) or CSV for spreadsheets (shared/pipeline/audit-export.ts), labels from `templates`. */
export function auditFormatter(templates: readonly Template[] = BUILTIN_TEMPLATES): AuditFormatter {
  return (records, format) => (format === 'json' ? auditToJson(records) : auditToCsv(records, templates));
}

/** The built-in templates plus the valid ones of the custom template folder (for taxonomy labels in the CSV). */
export async function exportTemplates(folder: string): Promise<Template[]> {
  const custom = await readCustomTemplates(folder);
  const templates = [...BUILTIN_TEMPLATES];
  for (const file of custom.files) {
    const r = parseTemplateText(file.text, file.name);
    if (r.ok) templates.unshift(r.template);
  }
  return templates;
}

/** Runs the command. Returns the file written, or undefined when there was nothing to export or the writer cancelled. */
export async function exportAuditLog(host: VsCodeHost, format?: AuditFormatter): Promise<vscode.Uri | undefined> {
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
  const formatter = format ?? auditFormatter(await exportTemplates(readSettings().templateFolder));
  await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(formatter(records, picked.format)));
  void vscode.window.showInformationMessage(`Exported ${records.length} Liuhen audit record(s) to ${target.path.split('/').pop() ?? target.toString()}.`);
  return target;
}

/** Saves a file the panel exported, through VS Code's save dialog (beside the document by default). */
export async function saveExportedFile(host: VsCodeHost, name: string, content: string): Promise<vscode.Uri | undefined> {
  let folder: vscode.Uri | undefined;
  try {
    const doc = host.auditDocument();
    folder = doc.scheme === 'untitled' ? undefined : doc.with({ path: doc.path.replace(/\/[^/]*$/, '') || '/' });
  } catch {
    folder = undefined;
  }
  folder ??= vscode.workspace.workspaceFolders?.[0]?.uri;
  const safeName = name.replace(/[\\/:*?"<>|]/g, '_') || 'liuhen-export';
  const ext = /\.([a-z0-9]+)$/i.exec(safeName)?.[1]?.toLowerCase();
  const target = await vscode.window.showSaveDialog({
    title: `Save ${safeName}`,
    ...(folder ? { defaultUri: vscode.Uri.joinPath(folder, safeName) } : {}),
    ...(ext ? { filters: { [ext.toUpperCase()]: [ext] } } : {}),
  });
  if (!target) return undefined;
  await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(content));
  return target;
}
