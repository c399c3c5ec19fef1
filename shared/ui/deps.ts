/**
 * What the Liuhen panel needs from the page that hosts it. Every host (the Word task pane, the VS Code webview,
 * the playground) builds one {@link PanelDeps} and calls `mountPanel(root, deps)` (./index.ts). Only `host` and
 * `createEngine` are required; everything else has a default that suits a browser page.
 *
 * This interface is a contract between engineers working on different hosts: add optional fields, never
 * change or remove existing ones.
 */
import type { Theme } from '@fluentui/react-components';
import type { GpuCapabilities, ModelPreference } from '../engine/capabilities';
import type { ModelRegistry } from '../engine/model-record';
import type { LlmEngine } from '../engine/port';
import type { DocumentHost } from '../host/port';
import type { Generate } from '../pipeline/types';
import type { Template } from '../templates/schema';

/** UI languages of the panel. */
export type PanelLocale = 'zh-CN' | 'en';

/** Light or dark (Fluent's web themes), or a full Fluent theme (e.g. one derived from the host's colours). */
export type PanelTheme = 'light' | 'dark' | Theme;

/** Everything the panel depends on. */
export interface PanelDeps {
  /** The document the panel reads from and inserts into. */
  host: DocumentHost;
  /**
   * Creates the model engine. Called lazily, at most once per mounted panel, after the first paint (so the
   * engine worker and WebLLM never delay the panel). Hosts pass `() => new WebLlmEngine({ registry })`; tests
   * pass a test double. When the registry declares a company server (`registry.server`, from model-records.json),
   * the panel runs the model there with OpenAiCompatibleEngine instead and does not call this.
   */
  createEngine: () => LlmEngine;
  /**
   * UI language. When absent the panel follows `host.capabilities().displayLanguage` (`zh*` → zh-CN, else en);
   * the writer can switch in the pane either way.
   */
  locale?: PanelLocale;
  /** Templates offered in the picker (default: the built-in ones from shared/templates). */
  templates?: readonly Template[];
  /** Models the panel may choose from (default: shared/engine/registry BUILTIN_REGISTRY). */
  registry?: ModelRegistry;
  /**
   * Problems found in the company's model registry file (shared/engine/registry `loadRegistryFile`), shown in the
   * model area so an admin sees why a custom model is missing.
   */
  registryProblems?: readonly string[];
  /**
   * Problems found in the company's template files (shared/templates `loadTemplateFiles`: templates.json and the
   * files it lists), shown under the template picker so an admin sees why a company template is missing.
   */
  templateProblems?: readonly string[];
  /** The writer's or admin's model preference (a specific model id, family, low-power). */
  modelPreference?: ModelPreference;
  /**
   * Where model files are downloaded from, shown in the model status (e.g. `huggingface.co` or a company
   * mirror). Default: the host name of the chosen model's URL.
   */
  modelHost?: string;
  /** GPU detection (default: shared/engine `detectCapabilities()` on this page's `navigator.gpu`). */
  detectCapabilities?: () => Promise<GpuCapabilities>;
  /** Theme (default: light, or dark when the page prefers a dark colour scheme). */
  theme?: PanelTheme;
  /** The pipeline (default: shared/pipeline/generate). Tests and hosts may wrap it. */
  generate?: Generate;
  /** Copies text for hosts that cannot insert suggestions (default: `navigator.clipboard.writeText`). */
  copyText?: (text: string) => Promise<void>;
  /** Saves an exported file (audit, batch results). Default: a browser download via an object URL. */
  saveFile?: (name: string, mime: string, content: string) => Promise<void>;
}

/** What `mountPanel` returns. */
export interface PanelHandle {
  /** Unmounts the React tree and releases listeners (selection, engine callbacks). */
  unmount(): void;
  /** Switches the theme, e.g. when Office or VS Code changes its theme while the panel is open. */
  setTheme(theme: PanelTheme): void;
}
