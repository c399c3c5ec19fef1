// @vitest-environment jsdom
/**
 * The panel's Check wording section over the playground host: suggestions listed (category, before → after,
 * reason) with nothing written, then the ticked ones written as word-level tracked suggestions on Apply, and an
 * audit record per check with counts by category and no text.
 */
import { FluentProvider, webLightTheme } from '@fluentui/react-components';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PlaygroundHost } from '../../addin/playground/playground-host';
import { WordingCheck } from '../../shared/ui/WordingCheck';
import { installJsdomShims } from './jsdom-shims';

beforeEach(installJsdomShims);
afterEach(cleanup);

const DRAFT = ['人才盘点评语', '李四年纪偏大,冲劲不足,总是在最后一天才交付。', '优势:客户续约率92%。'];

describe('Check wording in the panel', () => {
  it('lists suggestions first, writes the ticked ones on Apply, and records counts only', async () => {
    const host = new PlaygroundHost();
    host.load(DRAFT);
    render(
      <FluentProvider theme={webLightTheme}>
        <WordingCheck host={host} locale="zh-CN" />
      </FluentProvider>,
    );
    fireEvent.click(screen.getByTestId('wording-check'));
    const items = await screen.findAllByTestId('wording-item');
    expect(items.map((i) => i.dataset.category)).toEqual(['AGE', 'NON_ACTIONABLE', 'EXAGGERATION']);
    expect(within(items[2]!).getByText('总是')).toBeTruthy();
    expect(within(items[2]!).getByText('多次')).toBeTruthy();
    expect(host.pendingEdits()).toEqual([]);

    // The writer unticks the age deletion, then applies the rest.
    fireEvent.click(within(items[0]!).getByRole('checkbox'));
    fireEvent.click(screen.getByTestId('wording-apply'));
    await screen.findByTestId('wording-applied');
    expect(host.pendingEdits().map((e) => [e.before, e.after])).toEqual([
      ['冲劲不足', '在[具体任务]上主动性低于预期(写明事例)'],
      ['总是', '多次'],
    ]);
    expect(host.pendingEdits()[1]!.comment).toContain('【绝对化表述】');

    host.acceptAll();
    expect(host.text().split('\n')[1]).toBe('李四年纪偏大,在[具体任务]上主动性低于预期(写明事例),多次在最后一天才交付。');

    await waitFor(async () => expect((await host.readAudit()).filter((r) => r.event === 'checked')).toHaveLength(2));
    const records = (await host.readAudit()).filter((r) => r.event === 'checked');
    expect(records[0]!.wordingCounts).toEqual({ NON_ACTIONABLE: 1, EXAGGERATION: 1 });
    expect(records[0]!.flagCounts).toEqual({ BLOCK: 1, WARN: 2, ESCALATE: 0 });
    expect(records[1]!.wordingApplied).toBe(2);
    expect(JSON.stringify(records)).not.toMatch(/年纪|冲劲|总是|AGE/);
  });
});
