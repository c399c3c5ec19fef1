/**
 * Company template files that could not be added (templates.json beside the page), shown under the template
 * picker the way model-record problems are shown in the model area: one line per problem, naming the file.
 */
import { MessageBar, MessageBarBody } from '@fluentui/react-components';
import type { ReactElement } from 'react';
import type { PanelLocale } from './deps';

const TITLE: Record<PanelLocale, string> = {
  en: 'Some company templates could not be added (templates.json):',
  'zh-CN': '部分公司模板未能加入(templates.json):',
};

export function TemplateProblems({ problems, locale }: { problems: readonly string[] | undefined; locale: PanelLocale }): ReactElement | null {
  if (!problems || problems.length === 0) return null;
  return (
    <MessageBar intent="warning" data-testid="template-problems">
      <MessageBarBody>
        {TITLE[locale]}
        <ul>
          {problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      </MessageBarBody>
    </MessageBar>
  );
}
