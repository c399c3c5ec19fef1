// @vitest-environment jsdom
/**
 * The public entry every host uses: mountPanel(root, deps) renders the panel with only `host` and `createEngine`,
 * creates the engine after the first paint rather than during mounting, follows setTheme, and unmounts cleanly.
 */
import { webDarkTheme, webLightTheme } from '@fluentui/react-components';
import { act, waitFor } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';
import type { GpuCapabilities } from '../../shared/engine/capabilities';
import { mountPanel } from '../../shared/ui';
import { FakeEngine } from '../doubles/fake-engine';
import { MemoryHost } from './memory-host';

const GPU: GpuCapabilities = { webgpu: true, secureContext: true, adapter: true, shaderF16: false, features: [], limits: { maxBufferSize: 2 ** 31, maxStorageBufferBindingSize: 2 ** 30 }, isFallbackAdapter: false };

beforeEach(() => {
  window.matchMedia ??= ((query: string) => ({ matches: false, media: query, addEventListener: () => undefined, removeEventListener: () => undefined, addListener: () => undefined, removeListener: () => undefined, onchange: null, dispatchEvent: () => false })) as typeof window.matchMedia;
  globalThis.ResizeObserver ??= class {
    observe(): void {}
    unobserve(): void {}
    disconnect(): void {}
  };
  (globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;
});

describe('mountPanel', () => {
  it('renders with the minimal deps, creates the engine lazily, switches theme, unmounts', async () => {
    const root = document.createElement('div');
    document.body.append(root);
    const host = new MemoryHost({ name: 'Test', suggestions: true, comments: false, tables: false, displayLanguage: 'en-US' });
    let created = 0;
    let handle: ReturnType<typeof mountPanel> | undefined;
    act(() => {
      handle = mountPanel(root, {
        host,
        createEngine: () => {
          created += 1;
          return new FakeEngine();
        },
        detectCapabilities: () => Promise.resolve(GPU),
      });
    });
    expect(root.querySelector('[data-testid="liuhen-panel"]')).not.toBeNull();
    expect(created).toBe(0); // painted without the engine
    // Follows the host's display language; the built-in templates are offered.
    await waitFor(() => expect(root.textContent).toContain('Current selection'));
    const options = Array.from(root.querySelectorAll('[data-testid="template"] option')).map((o) => o.getAttribute('value'));
    expect(options).toEqual(expect.arrayContaining(['exit-interview@zh-CN', 'exit-interview@en', 'talent-review@zh-CN', 'talent-review@en']));
    // The engine is created once, after paint (for the cache check), never twice.
    await waitFor(() => expect(root.querySelector('[data-testid="model-status"]')?.getAttribute('data-phase')).toBe('idle'));
    await waitFor(() => expect(created).toBe(1));

    // FluentProvider writes the theme's tokens as CSS variables into a style tag.
    const themeCss = (): string =>
      Array.from(document.styleSheets)
        .flatMap((sheet) => Array.from(sheet.cssRules).map((r) => r.cssText))
        .join('\n');
    expect(themeCss()).toContain(`--colorNeutralBackground1: ${webLightTheme.colorNeutralBackground1};`);
    act(() => handle?.setTheme('dark'));
    await waitFor(() => expect(themeCss()).toContain(`--colorNeutralBackground1: ${webDarkTheme.colorNeutralBackground1};`));

    act(() => handle?.unmount());
    expect(root.childElementCount).toBe(0);
  });
});
