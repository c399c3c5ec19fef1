// @vitest-environment jsdom
/**
 * The exit-reason analytics view (React + Fluent UI in jsdom): reads the document's exit records, shows the
 * distribution as a chart and as an accessible table, hides small counts in the department and quarter
 * breakdowns, imports CSV exports, and inserts improvement suggestions into the document.
 */
import { FluentProvider, webLightTheme } from '@fluentui/react-components';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { auditToCsv } from '../../shared/pipeline/audit-export';
import { exitZh } from '../../shared/output/test-fixtures';
import { ExitAnalyticsView } from '../../shared/ui/ExitAnalyticsView';
import { FakeEngine } from '../doubles/fake-engine';
import { exitAuditRecords } from '../fixtures/exit-records';
import { MemoryHost } from './memory-host';
import { installJsdomShims } from './jsdom-shims';

beforeEach(installJsdomShims);
afterEach(cleanup);

function mount(host: MemoryHost, engine?: FakeEngine) {
  return render(
    <FluentProvider theme={webLightTheme}>
      <ExitAnalyticsView host={host} locale="zh-CN" template={exitZh} {...(engine ? { getEngine: () => Promise.resolve(engine) } : {})} />
    </FluentProvider>,
  );
}

describe('ExitAnalyticsView', () => {
  it('shows the records of the document as a chart and as a table with the same numbers', async () => {
    const host = new MemoryHost();
    host.audit.push(...exitAuditRecords(60));
    mount(host);
    await waitFor(() => expect(screen.getByTestId('exit-analytics-count').textContent).toBe('共 60 份离职记录(文档中 60 份,导入 0 份)'));
    expect(screen.getByTestId('exit-analytics-chart').getAttribute('aria-label')).toContain('60');
    fireEvent.click(screen.getByRole('tab', { name: '表格' }));
    const table = screen.getByTestId('exit-analytics-table');
    const comp = within(table).getByText('薪酬福利').closest('tr')!;
    const cells = within(comp).getAllByRole('cell').map((c) => c.textContent);
    const records = exitAuditRecords(60).filter((r) => (r.fields as { reasons: Array<{ code: string }> }).reasons.some((x) => x.code === 'COMP'));
    expect(cells[3]).toBe(String(records.length));
  });

  it('by department: a department of fewer than 5 shows "<5" only, never its counts', async () => {
    const host = new MemoryHost();
    host.audit.push(...exitAuditRecords(60));
    mount(host);
    await waitFor(() => screen.getByRole('tab', { name: '按部门' }));
    fireEvent.click(screen.getByRole('tab', { name: '按部门' }));
    const table = screen.getByTestId('exit-analytics-department');
    for (const dept of ['客服中心', '财务部']) {
      const row = table.querySelector(`tr[data-group="${dept}"]`)!;
      const values = within(row as HTMLElement).getAllByRole('cell').slice(1).map((c) => c.textContent);
      expect(values.every((v) => v === '<5'), dept).toBe(true);
    }
    for (const cell of within(table).getAllByRole('cell')) {
      const n = Number(cell.textContent);
      if (Number.isFinite(n) && cell.textContent !== '') expect(n).toBeGreaterThanOrEqual(5);
    }
    expect(table.querySelector('caption')?.textContent).toContain('少于 5 的计数显示为“<5”');
  });

  it('imports a CSV export of other documents and counts each record once', async () => {
    const host = new MemoryHost();
    const all = exitAuditRecords(60);
    host.audit.push(...all.slice(0, 30));
    mount(host);
    await waitFor(() => expect(screen.getByTestId('exit-analytics-count').textContent).toContain('文档中 30 份'));
    const file = new File([auditToCsv(all.slice(20), [exitZh])], 'export.csv', { type: 'text/csv' });
    fireEvent.change(screen.getByTestId('exit-analytics-import'), { target: { files: [file] } });
    await waitFor(() => expect(screen.getByTestId('exit-analytics-count').textContent).toBe('共 60 份离职记录(文档中 30 份,导入 30 份)'));
  });

  it('inserts organisational improvement suggestions into the document', { timeout: 30_000 }, async () => {
    const host = new MemoryHost();
    host.audit.push(...exitAuditRecords(60));
    const engine = new FakeEngine({ outputs: ['COMP|建议建立年度调薪机制并公开调薪标准。\nCAREER|建议晋升答辩后给出书面反馈。\n'] });
    mount(host, engine);
    await waitFor(() => screen.getByTestId('exit-analytics-suggest'));
    fireEvent.click(screen.getByTestId('exit-analytics-suggest'));
    await waitFor(() => expect(screen.getByText('已插入 2 条组织改进建议(修订模式,请审阅)。')).toBeTruthy(), { timeout: 15_000 });
    const plan = host.applied[0]![0]!;
    expect(plan.blocks[0]?.heading).toBe('【组织改进建议】');
    expect(plan.blocks[0]?.paragraphs[1]).toMatch(/^建议建立年度调薪机制并公开调薪标准。\(对应原因:薪酬福利,\d+份\)$/);
  });
});
