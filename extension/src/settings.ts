/**
 * The `liuhen.*` settings (contributed in extension/package.json) and the custom template folder they point to.
 */
import * as vscode from 'vscode';
import type { CustomTemplates, HostSettings } from '../../shared/protocol/host';
import { DEFAULT_MODEL_HOSTS } from './webview-html';

/** The configuration section. */
export const SECTION = 'liuhen';

/** The settings with what only the extension needs (folder path, model hosts). */
export interface ExtensionSettings extends HostSettings {
  /** The custom template folder as configured (absolute, or relative to the first workspace folder). */
  templateFolder: string;
  /** Origins the engine may download models from (CSP `connect-src`). */
  modelHosts: string[];
  /**
   * Restricted settings (full names) that the open workspace sets but that were ignored because the workspace is
   * not trusted; the view says so. Empty in a trusted workspace.
   */
  ignoredUntrusted: string[];
}

/**
 * Settings that choose code, download hosts or templates: a repository's `.vscode/settings.json` must not set
 * them unless the writer trusts the workspace (package.json `capabilities.untrustedWorkspaces` lists the same).
 */
export const RESTRICTED_SETTINGS = ['model', 'customModels', 'modelHosts', 'templateFolder', 'companyServer'] as const;

/**
 * A restricted setting's value: in an untrusted workspace only the writer's own (user) value or the default;
 * the workspace's values are ignored, and reported in `ignored`. VS Code also drops restricted workspace values
 * itself; reading `inspect()` here makes it hold whatever the host does and tells us what to say in the view.
 */
function restrictedValue<T>(c: vscode.WorkspaceConfiguration, key: (typeof RESTRICTED_SETTINGS)[number], fallback: T, ignored: string[]): T {
  if (vscode.workspace.isTrusted) return c.get<T>(key, fallback) ?? fallback;
  const i = c.inspect<T>(key);
  if (i?.workspaceValue !== undefined || i?.workspaceFolderValue !== undefined || i?.workspaceLanguageValue !== undefined || i?.workspaceFolderLanguageValue !== undefined) {
    ignored.push(`${SECTION}.${key}`);
  }
  return i?.globalValue ?? i?.defaultValue ?? fallback;
}

/**
 * Restricted settings the open workspace's own files set (`.vscode/settings.json` of each folder, the
 * `.code-workspace` file), found by reading them: VS Code itself drops those values before an extension can
 * `inspect()` them in an untrusted workspace, so this is how the view can still say what it ignores. Refreshed by
 * {@link scanWorkspaceSettings}; empty in a trusted workspace.
 */
let workspaceFileSettings: string[] = [];

/** Finds the restricted `liuhen.*` keys in a settings file's text (JSON with comments; a key named in a comment counts too). */
export function restrictedKeysIn(text: string): string[] {
  return RESTRICTED_SETTINGS.filter((k) => new RegExp(`"${SECTION}\\.${k}"\\s*:`).test(text)).map((k) => `${SECTION}.${k}`);
}

/**
 * Reads the workspace's settings files for restricted keys (untrusted workspaces only); returns whether the
 * result changed (then the view should be rendered again).
 */
export async function scanWorkspaceSettings(): Promise<boolean> {
  const found = new Set<string>();
  if (!vscode.workspace.isTrusted) {
    const files = [
      ...(vscode.workspace.workspaceFolders ?? []).map((f) => vscode.Uri.joinPath(f.uri, '.vscode', 'settings.json')),
      ...(vscode.workspace.workspaceFile && vscode.workspace.workspaceFile.scheme !== 'untitled' ? [vscode.workspace.workspaceFile] : []),
    ];
    for (const uri of files) {
      try {
        for (const k of restrictedKeysIn(new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)))) found.add(k);
      } catch {
        // No settings file there.
      }
    }
  }
  const next = [...found].sort();
  const changed = next.join() !== workspaceFileSettings.join();
  workspaceFileSettings = next;
  return changed;
}

/** Reads the settings now (restricted ones only from the user's own settings in an untrusted workspace). */
export function readSettings(): ExtensionSettings {
  const c = vscode.workspace.getConfiguration(SECTION);
  const ignoredUntrusted: string[] = [];
  const uiLanguage = c.get<string>('uiLanguage', 'auto');
  const templateFolder = (restrictedValue<string>(c, 'templateFolder', '', ignoredUntrusted) ?? '').trim();
  const extraHosts = restrictedValue<string[]>(c, 'modelHosts', [], ignoredUntrusted) ?? [];
  const customModels = restrictedValue<unknown[]>(c, 'customModels', [], ignoredUntrusted) ?? [];
  const model = (restrictedValue<string>(c, 'model', '', ignoredUntrusted) ?? '').trim();
  // A company inference server: writers' text goes there (by the admin's choice); its origin joins connect-src.
  const companyServer = restrictedValue<unknown>(c, 'companyServer', undefined, ignoredUntrusted) ?? undefined;
  return {
    ...(companyServer !== undefined && companyServer !== null ? { companyServer } : {}),
    ignoredUntrusted: vscode.workspace.isTrusted ? [] : [...new Set([...ignoredUntrusted, ...workspaceFileSettings])].sort(),
    customModels,
    model,
    uiLanguage: uiLanguage === 'zh-CN' || uiLanguage === 'en-US' ? uiLanguage : 'auto',
    customTemplateFolder: templateFolder !== '',
    displayLanguage: vscode.env.language,
    templateFolder,
    // The company's model files are downloaded from where its records say: those origins join the CSP.
    modelHosts: [...new Set([...DEFAULT_MODEL_HOSTS, ...extraHosts, ...recordOrigins(customModels), ...serverOrigins(companyServer)])],
  };
}

/** The https origins of the `model` and `model_lib` URLs of custom records (malformed ones are left to validation). */
export function recordOrigins(records: readonly unknown[]): string[] {
  const origins: string[] = [];
  for (const r of records) {
    for (const key of ['model', 'model_lib']) {
      const value = (r as Record<string, unknown> | null)?.[key];
      if (typeof value !== 'string') continue;
      try {
        const url = new URL(value);
        if (url.protocol === 'https:') origins.push(url.origin);
      } catch {
        // Not a URL: the webview's validation names the field.
      }
    }
  }
  return origins;
}

/** The https origin of a company server's `base_url` (malformed ones are left to validation in the webview). */
export function serverOrigins(server: unknown): string[] {
  const url = (server as { base_url?: unknown } | null | undefined)?.base_url;
  if (typeof url !== 'string') return [];
  try {
    const u = new URL(url);
    return u.protocol === 'https:' ? [u.origin] : [];
  } catch {
    return [];
  }
}

/** The settings as the webview sees them. */
export function hostSettings(s: ExtensionSettings): HostSettings {
  return {
    model: s.model,
    uiLanguage: s.uiLanguage,
    customTemplateFolder: s.customTemplateFolder,
    displayLanguage: s.displayLanguage,
    ...(s.customModels && s.customModels.length > 0 ? { customModels: s.customModels } : {}),
    ...(s.companyServer !== undefined ? { companyServer: s.companyServer } : {}),
  };
}

/** The folder URI of a configured path: absolute paths as files, relative ones inside the first workspace folder. */
export function templateFolderUri(folder: string): vscode.Uri | undefined {
  if (folder === '') return undefined;
  if (/^[a-z][a-z0-9+.-]+:\/\//i.test(folder)) return vscode.Uri.parse(folder);
  if (folder.startsWith('/') || /^[a-zA-Z]:[\\/]/.test(folder)) return vscode.Uri.file(folder);
  const root = vscode.workspace.workspaceFolders?.[0]?.uri;
  return root ? vscode.Uri.joinPath(root, ...folder.split(/[\\/]+/).filter(Boolean)) : undefined;
}

/** The `*.json` files of the custom template folder (validation is the webview's job, with shared/templates). */
export async function readCustomTemplates(folder: string): Promise<CustomTemplates> {
  const result: CustomTemplates = { files: [], unreadable: [] };
  const uri = templateFolderUri(folder);
  if (!uri) {
    if (folder !== '') result.unreadable.push({ name: folder, message: 'A relative template folder needs an open workspace folder.' });
    return result;
  }
  let entries: [string, vscode.FileType][];
  try {
    entries = await vscode.workspace.fs.readDirectory(uri);
  } catch (error) {
    result.unreadable.push({ name: folder, message: `The template folder cannot be read: ${error instanceof Error ? error.message : String(error)}` });
    return result;
  }
  const files = entries.filter(([name, type]) => type === vscode.FileType.File && name.toLowerCase().endsWith('.json')).map(([name]) => name).sort();
  for (const name of files) {
    try {
      const bytes = await vscode.workspace.fs.readFile(vscode.Uri.joinPath(uri, name));
      result.files.push({ name, text: new TextDecoder().decode(bytes) });
    } catch (error) {
      result.unreadable.push({ name, message: error instanceof Error ? error.message : String(error) });
    }
  }
  return result;
}
