/**
 * The pane's views over many inputs, collapsed until the writer opens them: summarising many answers or
 * records, and exit-reason analytics. Both load the model only when the writer asks for model work.
 */
import { Accordion, AccordionHeader, AccordionItem, AccordionPanel } from '@fluentui/react-components';
import { useCallback, type ReactElement } from 'react';
import type { LlmEngine } from '../engine/port';
import type { DocumentHost } from '../host/port';
import type { Template } from '../templates/schema';
import type { PanelLocale } from './deps';
import { STRINGS } from './i18n';
import { ExitAnalyticsView } from './ExitAnalyticsView';
import type { ModelController } from './model-controller';
import { SummaryView } from './SummaryView';


export interface ManyRecordsProps {
  host: DocumentHost;
  locale: PanelLocale;
  templates: readonly Template[];
  controller: ModelController;
  /** Bumped after insertions, so the analytics re-read the document's records. */
  version: number;
  onInserted: () => void;
}

export function ManyRecords({ host, locale, templates, controller, version, onInserted }: ManyRecordsProps): ReactElement {
  const t = STRINGS[locale].manyRecords;
  const getEngine = useCallback(
    async (signal: AbortSignal): Promise<LlmEngine> => {
      await controller.ensureLoaded(signal);
      return controller.engine();
    },
    [controller],
  );
  const lang = locale === 'zh-CN' ? 'zh-CN' : 'en';
  const exitTemplate = templates.find((x) => x.id === 'exit-interview' && x.language === lang) ?? templates.find((x) => x.id === 'exit-interview');
  return (
    <Accordion collapsible multiple data-testid="many-records">
      <AccordionItem value="summary">
        <AccordionHeader size="small">{t.summary}</AccordionHeader>
        <AccordionPanel>
          <SummaryView host={host} locale={locale} getEngine={getEngine} onInserted={onInserted} />
        </AccordionPanel>
      </AccordionItem>
      <AccordionItem value="analytics">
        <AccordionHeader size="small">{t.analytics}</AccordionHeader>
        <AccordionPanel>
          <ExitAnalyticsView host={host} locale={locale} template={exitTemplate} version={version} getEngine={getEngine} />
        </AccordionPanel>
      </AccordionItem>
    </Accordion>
  );
}
