// @vitest-environment jsdom
/**
 * A build whose built-in models are not pinned to commits (builtin-pins.json empty: built offline) says so, in
 * the task pane's model area and on the model-check page; a pinned build and company models say nothing.
 */
import { FluentProvider, webLightTheme } from '@fluentui/react-components';
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { renderPinNote } from '../../addin/model-check/look';
import type { ModelEntry, ModelRegistry } from '../../shared/engine/model-record';
import { BUILTIN_SOURCES, builtinModels, readBuiltinPins, WEBLLM_VERSION } from '../../shared/engine/registry';
import { STRINGS } from '../../shared/ui/i18n';
import type { ModelController } from '../../shared/ui/model-controller';
import { ModelStatus } from '../../shared/ui/ModelStatus';

// Synthetic commits (test data, never downloaded).
const PINNED = builtinModels(
  readBuiltinPins(
    {
      webllm_version: WEBLLM_VERSION,
      libs: { repo: 'mlc-ai/binary-mlc-llm-libs', commit: 'c0ffee'.padEnd(40, '3') },
      models: Object.fromEntries(BUILTIN_SOURCES.map((s) => [s.modelId, { repo: s.weightsRepo, revision: 'ba5e'.padEnd(40, '4') }])),
    },
    WEBLLM_VERSION,
  ),
);
const UNPINNED = builtinModels({ kind: 'unpinned', reason: 'no pins' });
const CUSTOM: ModelEntry = { ...PINNED[3]!, source: 'registry-file', pinned: undefined, record: { ...PINNED[3]!.record, model_id: 'Acme-1.5B-q4f32_1-MLC' } };

function status(entry: ModelEntry, locale: 'en' | 'zh-CN' = 'en'): HTMLElement | null {
  render(
    <FluentProvider theme={webLightTheme}>
      <ModelStatus state={{ phase: 'idle', entry, cached: false }} controller={{} as ModelController} strings={STRINGS[locale]} locale={locale} busy={false} />
    </FluentProvider>,
  );
  return screen.queryByTestId('model-unpinned');
}

afterEach(cleanup);

describe('unpinned built-in models', () => {
  it('the model area says the model is not pinned to a fixed version (en and zh-CN)', () => {
    expect(status(UNPINNED[2]!)?.textContent).toBe(STRINGS.en.modelUnpinned);
    cleanup();
    expect(status(UNPINNED[2]!, 'zh-CN')?.textContent).toBe('此版本未将模型固定到特定版本：以后下载时可能得到不同的文件。');
  });

  it('a pinned built-in and a company model get no note', () => {
    expect(status(PINNED[2]!)).toBeNull();
    cleanup();
    expect(status(CUSTOM)).toBeNull();
  });

  it('the model-check page names the state under its table, and how a release pins', () => {
    const el = document.createElement('p');
    const registry = (entries: ModelEntry[]): ModelRegistry => ({ entries, defaultFamily: 'Qwen2.5-1.5B-Instruct' });
    renderPinNote(registry([...UNPINNED, CUSTOM]), el);
    expect(el.dataset.state).toBe('unpinned');
    expect(el.dataset.tone).toBe('warn');
    expect(el.hidden).toBe(false);
    expect(el.textContent).toContain('npm run pin:models');
    expect(el.textContent).toContain('未固定版本');
    renderPinNote(registry([...PINNED, CUSTOM]), el);
    expect(el.dataset.state).toBe('pinned');
    expect(el.textContent).toContain('fixed commits');
  });
});
