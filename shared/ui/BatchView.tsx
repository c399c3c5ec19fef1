/** Talent-review batch over table rows (filled in once shared/pipeline/batch.ts lands). */
import { Caption1 } from '@fluentui/react-components';
import type { ReactElement } from 'react';
import type { Template } from '../templates/schema';
import type { PanelDeps, PanelLocale } from './deps';
import type { Strings } from './i18n';
import type { ModelController } from './model-controller';
import type { PipelineFns } from './pipeline-fns';

export interface BatchViewProps {
  deps: PanelDeps;
  controller: ModelController;
  pipeline: PipelineFns;
  template: Template;
  strings: Strings;
  locale: PanelLocale;
  onInserted: () => void;
}

export function BatchView({ strings: t }: BatchViewProps): ReactElement {
  return <Caption1>{t.batchTitle}</Caption1>;
}
