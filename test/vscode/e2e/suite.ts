/**
 * TEST BUILD ONLY: the e2e suite, run inside VS Code for the Web's extension host by @vscode/test-web
 * (`extensionTestsPath`). It plays the writer's part that lives in VS Code: open the Markdown file, select the
 * transcript, run "Liuhen: Generate from Selection", check the WebGPU report, and finally the document and
 * its audit file. The runner (./run.ts) clicks what the writer clicks: Insert in the panel, then each section's
 * checkbox and Apply in VS Code's refactor preview (entries that need confirmation start unchecked).
 */
import * as vscode from 'vscode';
import type { LiuhenApi } from '../../../extension/src/extension';
import { assert, until } from './suite-support';

const log = (message: string): void => console.log(`[e2e] ${message}`);

export async function run(): Promise<void> {
  const t0 = Date.now();
  const mark = (what: string): void => log(`${what} at +${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert(folder, 'a workspace folder is open');
  const docUri = vscode.Uri.joinPath(folder.uri, 'exit-E1.md');
  const doc = await vscode.workspace.openTextDocument(docUri);
  const editor = await vscode.window.showTextDocument(doc);
  assert(doc.languageId === 'markdown' || doc.languageId === 'plaintext', `document language ${doc.languageId}`);
  log(`opened ${docUri.toString()} (${doc.languageId})`);

  // Select the transcript: the lines T1 … Tn.
  const lines = doc.getText().split('\n');
  const first = lines.findIndex((l) => /^T\d+ /.test(l));
  let last = first;
  while (last + 1 < lines.length && /^T\d+ /.test(lines[last + 1] ?? '')) last += 1;
  assert(first >= 0, 'the document has a transcript');
  editor.selection = new vscode.Selection(first, 0, last, (lines[last] ?? '').length);

  const extension = vscode.extensions.getExtension<LiuhenApi>('liuhen.liuhen');
  assert(extension, 'the Liuhen extension is installed');
  // The command resolves once the panel was asked to generate, which needs the webview running.
  const command = Promise.resolve(vscode.commands.executeCommand('liuhen.generateFromSelection'));
  const api = await extension.activate();
  const timeout = (s: number, what: string) => new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} within ${s} s`)), s * 1000));
  api.onDidChangeStatus((status) => log(`panel status: ${JSON.stringify(status)}`));
  const report = await Promise.race([api.whenWebviewReady(), timeout(120, 'the Liuhen webview did not start')]);
  await Promise.race([command, timeout(30, '"Generate from Selection" did not finish')]);
  mark('webview ready');
  log(`webview GPU: ${JSON.stringify({ webgpu: report.gpu.webgpu, adapter: report.gpu.adapter, fallback: report.gpu.isFallbackAdapter, info: report.gpu.adapterInfo, shaderF16: report.gpu.shaderF16, error: report.gpu.adapterError })}`);
  assert(report.gpu.webgpu, 'the webview has navigator.gpu');
  assert(report.gpu.adapter, 'the webview gets a WebGPU adapter');

  // The runner clicks Insert in the panel, ticks each section in the refactor preview and applies it.
  const before = doc.getText();
  await until('the proposed edit to be applied', () => (doc.getText() !== before ? true : undefined), 180_000, 250);
  mark('refactor preview applied');
  const text = doc.getText();
  for (const heading of ['### 【离职原因】', '### 【在职体验】', '### 【意见建议】']) assert(text.includes(heading), `the record has ${heading}`);
  const transcriptEnd = text.indexOf(lines[last] ?? '\u0000') + (lines[last] ?? '').length;
  assert(text.indexOf('### 【离职原因】') > transcriptEnd, 'the record is inserted after the selected transcript');
  assert(!text.includes('13800138000') || before.includes('13800138000'), 'no new personal data');

  // The audit trail beside the document.
  const auditUri = docUri.with({ path: `${docUri.path}.liuhen-audit.json` });
  const audit = await until(
    'the audit file',
    async () => {
      try {
        return JSON.parse(new TextDecoder().decode(await vscode.workspace.fs.readFile(auditUri))) as { format: string; records: Array<{ templateId: string; sourceHash: string; modelId: string }> };
      } catch (error) {
        log(`audit file not readable yet: ${error instanceof Error ? error.message : String(error)}`);
        return undefined;
      }
    },
    30_000,
    2_000,
  );
  assert(audit.format === 'liuhen-audit/2', 'audit file format');
  assert(audit.records.length === 1, `one audit record (got ${audit.records.length})`);
  assert(audit.records[0]?.templateId === 'exit-interview', 'audit template');
  assert(/^[0-9a-f]{64}$/.test(audit.records[0]?.sourceHash ?? ''), 'audit source hash');
  mark(`audit record written (model ${audit.records[0]?.modelId})`);
  log('PASS');
}
