// @vitest-environment jsdom
/**
 * The summary view (React + Fluent UI in jsdom): pasted answers or a table column are summarised into themes
 * with counts and quotes, then inserted into the document.
 */
import { FluentProvider, webLightTheme } from '@fluentui/react-components';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SummaryView } from '../../shared/ui/SummaryView';
import { FakeEngine } from '../doubles/fake-engine';
import { keywordTheme, surveyAnswers, surveyModel, SURVEY_THEMES } from '../fixtures/survey';
import { MemoryHost } from './memory-host';
import { installJsdomShims } from './jsdom-shims';

beforeEach(installJsdomShims);
afterEach(cleanup);

function mount(host: MemoryHost, engine: FakeEngine) {
  return render(
    <FluentProvider theme={webLightTheme}>
      <SummaryView host={host} locale="zh-CN" getEngine={() => Promise.resolve(engine)} />
    </FluentProvider>,
  );
}

describe('SummaryView', () => {
  it('pasted answers → themes with counts and quotes → inserted into the document', { timeout: 60_000 }, async () => {
    const host = new MemoryHost();
    const engine = new FakeEngine({ respond: (q) => surveyModel(q), chunkSize: 64 });
    const answers = surveyAnswers(100).filter((a) => !a.includes('性骚扰'));
    mount(host, engine);
    fireEvent.change(screen.getByTestId('summary-paste'), { target: { value: answers.join('\n') } });
    expect(screen.getByText(`共 ${answers.length} 条`)).toBeTruthy();
    fireEvent.click(screen.getByTestId('summary-run'));
    const result = await screen.findByTestId('summary-result', {}, { timeout: 30_000 });
    const codes = [...SURVEY_THEMES.map((x) => x.code), 'OTHER'];
    const expected = answers.filter((a) => !a.includes('产假') && keywordTheme(a, codes) === 'PAY').length;
    const pay = result.querySelector('li[data-code="PAY"]') as HTMLElement;
    expect(within(pay).getByText(/^薪酬福利 — /).textContent).toMatch(new RegExp(`^薪酬福利 — ${expected} 条`));
    fireEvent.click(screen.getByTestId('summary-insert'));
    await waitFor(() => expect(host.applied).toHaveLength(1));
    expect(host.applied[0]![0]!.blocks[0]!.heading).toBe('【调研汇总】');
  });

  it('a table column is read from the document', async () => {
    const host = new MemoryHost();
    host.table = { ok: true, table: { tableId: 't1', rows: [['工号', '意见'], ['E1', '调薪太慢'], ['E2', '加班太多,返工多']], selectedRows: [] } };
    mount(host, new FakeEngine());
    fireEvent.click(screen.getByRole('radio', { name: '表格中的一列' }));
    fireEvent.click(screen.getByRole('button', { name: '读取光标所在表格' }));
    await waitFor(() => expect((screen.getByTestId('summary-column') as HTMLSelectElement).value).toBe('意见'));
    expect(screen.getByText('共 2 条')).toBeTruthy();
  });
});
