// @vitest-environment jsdom
/**
 * Bounded inputs in the panel: a source over MAX_SOURCE_CHARS is refused up front with a message naming the
 * limit (Generate stays disabled, nothing reaches the engine), and a burst of selection changes (VS Code fires on
 * every cursor move) reads the selection once it rests instead of once per event.
 */
import { act, cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { exitFixtures } from '../../shared/output/test-fixtures';
import { MAX_SOURCE_CHARS } from '../../shared/source/limits';
import { MemoryHost } from './memory-host';
import { installJsdomShims } from './jsdom-shims';
import { renderPanel } from './render-panel';

class CountingHost extends MemoryHost {
  reads = 0;
  override readSelection(): ReturnType<MemoryHost['readSelection']> {
    this.reads += 1;
    return super.readSelection();
  }
}

beforeEach(installJsdomShims);
afterEach(() => cleanup());

function setup() {
  return renderPanel({ output: exitFixtures()[0]?.text ?? '', host: new CountingHost() });
}

const generateButton = (): HTMLButtonElement => screen.getByTestId('generate');

describe('panel: bounded inputs', { timeout: 40_000 }, () => {
  it('refuses a selection over the limit with a message naming it; one at the limit is accepted', async () => {
    const { host, engine } = setup();
    await screen.findByText('当前选中内容');
    const line = '员工：通勤时间太长，每天往返三个小时。\n';
    const big = line.repeat(Math.ceil((MAX_SOURCE_CHARS + 1000) / line.length));
    act(() => host.select(big));
    const bar = await screen.findByTestId('source-too-long');
    expect(bar.textContent).toContain(`最多处理 ${MAX_SOURCE_CHARS.toLocaleString('en-US')} 字`);
    expect(bar.textContent).toContain(Array.from(big).length.toLocaleString('en-US'));
    expect(generateButton().disabled).toBe(true);
    fireEvent.click(generateButton());
    expect(engine.requests).toHaveLength(0);

    act(() => host.select(big.slice(0, MAX_SOURCE_CHARS)));
    await waitFor(() => expect(screen.queryByTestId('source-too-long')).toBeNull());
    await waitFor(() => expect(generateButton().disabled).toBe(false));
  });

  it('a pasted source over the limit is refused the same way (in English when the pane is English)', async () => {
    setup();
    await screen.findByText('当前选中内容');
    fireEvent.change(screen.getByRole('combobox', { name: /语言|Language/ }), { target: { value: 'en' } });
    fireEvent.click(await screen.findByLabelText(/Paste/));
    const textarea = await screen.findByRole('textbox');
    fireEvent.change(textarea, { target: { value: 'x'.repeat(MAX_SOURCE_CHARS + 1) } });
    const bar = await screen.findByTestId('source-too-long');
    expect(bar.textContent).toContain(`The source has ${(MAX_SOURCE_CHARS + 1).toLocaleString('en-US')} characters`);
    expect(bar.textContent).toContain('MAX_SOURCE_CHARS');
    expect(generateButton().disabled).toBe(true);
  });

  it('reads the selection once after a burst of selection changes, not once per change', async () => {
    const { host } = setup();
    await screen.findByText('当前选中内容');
    await waitFor(() => expect(host.reads).toBeGreaterThan(0));
    const before = host.reads;
    act(() => {
      for (let i = 1; i <= 50; i++) host.select('员工：通勤太远。'.slice(0, 1 + (i % 8)));
    });
    await screen.findByText(/已选中 \d+ 个字符/);
    await new Promise((r) => setTimeout(r, 400));
    expect(host.reads - before).toBe(1);
  });
});
