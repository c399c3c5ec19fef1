/**
 * Entry of the Liuhen panel, shared by every host: `mountPanel(root, deps)` renders the panel into `root` and
 * returns a handle to unmount it or switch its theme. See ./deps.ts for what a host passes.
 *
 * ```ts
 * import { mountPanel } from '../../shared/ui';
 * const panel = mountPanel(document.getElementById('root')!, { host, createEngine: () => new WebLlmEngine({ registry }) });
 * ```
 */
import { FluentProvider, webDarkTheme, webLightTheme, type Theme } from '@fluentui/react-components';
import { createElement, StrictMode, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { BUILTIN_REGISTRY } from '../engine/registry/builtin';
import { OpenAiCompatibleEngine } from '../engine/openai-engine';
import { BUILTIN_TEMPLATES } from '../templates/load';
import type { PanelDeps, PanelHandle, PanelTheme } from './deps';
import { ModelController } from './model-controller';
import { Panel } from './Panel';
import { defaultPipeline } from './default-pipeline';
import type { PipelineFns } from './pipeline-fns';

export type { PanelDeps, PanelHandle, PanelLocale, PanelTheme } from './deps';
export { STRINGS, localeFromDisplayLanguage } from './i18n';

/** The Fluent theme for a {@link PanelTheme}; default follows `prefers-color-scheme`. */
export function resolveTheme(theme: PanelTheme | undefined): Theme {
  if (theme === 'dark') return webDarkTheme;
  if (theme === 'light') return webLightTheme;
  if (theme) return theme;
  const dark = typeof matchMedia === 'function' && matchMedia('(prefers-color-scheme: dark)').matches;
  return dark ? webDarkTheme : webLightTheme;
}

interface RootProps {
  deps: PanelDeps;
  controller: ModelController;
  pipeline: PipelineFns;
  themeSource: { theme: PanelTheme | undefined; listeners: Set<(t: PanelTheme) => void> };
}

function Root({ deps, controller, pipeline, themeSource }: RootProps) {
  const [theme, setTheme] = useState<PanelTheme | undefined>(themeSource.theme);
  useEffect(() => {
    themeSource.listeners.add(setTheme);
    return () => {
      themeSource.listeners.delete(setTheme);
    };
  }, [themeSource]);
  return createElement(
    FluentProvider,
    { theme: resolveTheme(theme), style: { minHeight: '100%' } },
    createElement(Panel, { deps, controller, pipeline }),
  );
}

/**
 * Renders the panel into `root`. Nothing heavy happens before the first paint: the engine is created and the
 * GPU probed afterwards (see ModelController).
 */
export function mountPanel(root: HTMLElement, deps: PanelDeps, pipeline: PipelineFns = defaultPipeline): PanelHandle {
  const full: PanelDeps = { ...deps, templates: deps.templates ?? BUILTIN_TEMPLATES };
  const registry = deps.registry ?? BUILTIN_REGISTRY;
  const server = registry.server;
  const controller = new ModelController({
    // A company server declared in the deployment runs the model (the same LlmEngine port); else the host's engine.
    createEngine: server ? () => new OpenAiCompatibleEngine({ server }) : deps.createEngine,
    registry,
    ...(deps.modelPreference ? { preference: deps.modelPreference } : {}),
    ...(deps.detectCapabilities ? { detectCapabilities: deps.detectCapabilities } : {}),
  });
  const fns: PipelineFns = deps.generate ? { ...pipeline, generate: deps.generate } : pipeline;
  const themeSource = { theme: deps.theme, listeners: new Set<(t: PanelTheme) => void>() };
  const reactRoot = createRoot(root);
  reactRoot.render(createElement(StrictMode, null, createElement(Root, { deps: full, controller, pipeline: fns, themeSource })));
  return {
    unmount: () => {
      controller.cancelLoad();
      reactRoot.unmount();
    },
    setTheme: (theme) => {
      themeSource.theme = theme;
      for (const l of themeSource.listeners) l(theme);
    },
  };
}
