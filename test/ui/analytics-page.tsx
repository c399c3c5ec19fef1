/**
 * Test support only: a page that mounts the exit-analytics view over the 60 synthetic exit records of
 * test/fixtures/exit-records (in an in-memory document), for screenshots and browser checks. Bundle with
 * esbuild (test/e2e/bundle.ts) and load into an empty page with a `#root`.
 */
import { FluentProvider, webLightTheme } from '@fluentui/react-components';
import { createRoot } from 'react-dom/client';
import { exitZh } from '../../shared/output/test-fixtures';
import { ExitAnalyticsView } from '../../shared/ui/ExitAnalyticsView';
import { FakeEngine } from '../doubles/fake-engine';
import { exitAuditRecords } from '../fixtures/exit-records';
import { MemoryHost } from './memory-host';

const host = new MemoryHost();
host.audit.push(...exitAuditRecords(60));
const engine = new FakeEngine({ outputs: ['COMP|建议建立年度调薪机制并公开调薪标准。\nCAREER|建议晋升答辩后给出书面反馈。\n'] });
const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <FluentProvider theme={webLightTheme} style={{ padding: 12 }}>
      <ExitAnalyticsView host={host} locale="zh-CN" template={exitZh} getEngine={() => Promise.resolve(engine)} />
    </FluentProvider>,
  );
}
