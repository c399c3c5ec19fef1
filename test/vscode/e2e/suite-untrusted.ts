/**
 * TEST BUILD ONLY: the untrusted-workspace e2e suite, run inside VS Code for the Web's extension host by
 * @vscode/test-web (`extensionTestsPath`) on a second workbench page whose folder is NOT trusted (see ./run.ts:
 * workspace trust enabled, folder on the `vscode-vfs` scheme, which VS Code does not trust automatically).
 *
 * The folder's `.vscode/settings.json` sets restricted `liuhen.*` settings (models, download hosts, templates)
 * and one unrestricted one (`liuhen.uiLanguage`). The suite checks that VS Code reports the workspace untrusted,
 * that Liuhen still activates (limited support) and its view starts, and that extension/src/settings.ts, running
 * against this real VS Code's configuration, ignores the restricted values and names them. The runner meanwhile
 * reads the view itself (notice, CSP, page config); the suite keeps the view open until the runner says it has.
 */
import * as vscode from 'vscode';
import type { LiuhenApi } from '../../../extension/src/extension';
import { assert, until } from './suite-support';
import { readSettings, RESTRICTED_SETTINGS, scanWorkspaceSettings, SECTION } from '../../../extension/src/settings';

/** The file the runner writes into the staged extension (served beside it) once it has read the view (run.ts: same name). */
const RUNNER_CHECKED_FILE = 'e2e-untrusted-checked.json';

const log = (message: string): void => console.log(`[e2e untrusted] ${message}`);

export async function run(): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert(folder, 'a workspace folder is open');
  log(`folder ${folder.uri.toString()}, isTrusted ${vscode.workspace.isTrusted}`);
  assert(vscode.workspace.isTrusted === false, 'VS Code reports the workspace as untrusted');

  // What the workspace sets (read from its file, so the runner's workspace is the single source of the values).
  const file = vscode.Uri.joinPath(folder.uri, '.vscode', 'settings.json');
  const workspaceSettings = JSON.parse(new TextDecoder().decode(await vscode.workspace.fs.readFile(file))) as Record<string, unknown>;
  const restrictedSet = RESTRICTED_SETTINGS.map((k) => `${SECTION}.${k}`).filter((k) => k in workspaceSettings);
  assert(restrictedSet.length >= 3, `the workspace sets restricted settings (${restrictedSet.join(', ')})`);
  const config = vscode.workspace.getConfiguration(SECTION);
  for (const key of restrictedSet) {
    const i = config.inspect(key.slice(SECTION.length + 1));
    log(`VS Code's own view of ${key}: workspace ${JSON.stringify(i?.workspaceValue)}, folder ${JSON.stringify(i?.workspaceFolderValue)}, effective ${JSON.stringify(config.get(key.slice(SECTION.length + 1)))}`);
  }

  // Liuhen activates in the untrusted workspace (capabilities.untrustedWorkspaces.supported: "limited").
  const extension = vscode.extensions.getExtension<LiuhenApi>('liuhen.liuhen');
  assert(extension, 'the Liuhen extension is installed');
  await vscode.commands.executeCommand('liuhen.openPanel');
  assert(extension.isActive, 'the Liuhen extension is active in the untrusted workspace');
  const api = extension.exports;
  const timeout = (s: number, what: string) => new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} within ${s} s`)), s * 1000));
  await Promise.race([api.whenWebviewReady(), timeout(120, 'the Liuhen webview did not start')]);
  log('the Liuhen view started');

  // extension/src/settings.ts against this VS Code (the suite's own copy of the module, reading the same configuration).
  await scanWorkspaceSettings();
  const s = readSettings();
  log(`readSettings(): ${JSON.stringify({ ignoredUntrusted: s.ignoredUntrusted, model: s.model, templateFolder: s.templateFolder, modelHosts: s.modelHosts, uiLanguage: s.uiLanguage })}`);
  for (const key of restrictedSet) assert(s.ignoredUntrusted.includes(key), `settings.ts names ${key} as ignored`);
  const untrustedModel = workspaceSettings[`${SECTION}.model`];
  assert(typeof untrustedModel === 'string' && s.model !== untrustedModel, "the workspace's liuhen.model is not used");
  const untrustedHosts = workspaceSettings[`${SECTION}.modelHosts`] as string[];
  for (const host of untrustedHosts) assert(!s.modelHosts.includes(host), `the workspace's model host ${host} is not used`);
  assert(s.templateFolder === '' && !s.customTemplateFolder, "the workspace's liuhen.templateFolder is not used");
  assert(s.uiLanguage === workspaceSettings[`${SECTION}.uiLanguage`], 'the unrestricted liuhen.uiLanguage still applies');

  // Keep the view (and this extension host) alive until the runner has read the view.
  const marker = vscode.Uri.joinPath(extension.extensionUri, RUNNER_CHECKED_FILE).toString(true);
  await until(
    'the runner to read the Liuhen view',
    async () => {
      const response = await fetch(marker, { cache: 'no-store' }).catch(() => undefined);
      return response?.ok ? true : undefined;
    },
    90_000,
    500,
  );
  log('PASS');
}
