/** Audit export: the trail (留痕) of every record inserted into this document, as JSON or CSV. */
import { Button, Caption1, makeStyles, Text, tokens } from '@fluentui/react-components';
import { useState, type ReactElement } from 'react';
import type { DocumentHost } from '../host/port';
import { auditToCsv, auditToJson } from '../pipeline/audit-export';
import type { Template } from '../templates/schema';
import { downloadFile } from './files';
import type { Strings } from './i18n';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', rowGap: tokens.spacingVerticalXS },
  row: { display: 'flex', columnGap: tokens.spacingHorizontalS, flexWrap: 'wrap', alignItems: 'center' },
});

export interface AuditExportProps {
  host: DocumentHost;
  strings: Strings;
  /** Changes after each insertion, so the count refreshes. */
  version: number;
  saveFile?: (name: string, mime: string, content: string) => Promise<void>;
  /** Templates, to label codes in the CSV (nine-box cell → label). */
  templates: readonly Template[];
}

export function AuditExport({ host, strings: t, version, templates, saveFile = downloadFile }: AuditExportProps): ReactElement {
  const s = useStyles();
  const [note, setNote] = useState<string | undefined>();
  const exportAs = async (kind: 'json' | 'csv'): Promise<void> => {
    try {
      const records = await host.readAudit();
      if (records.length === 0) {
        setNote(t.auditEmpty);
        return;
      }
      const stamp = new Date().toISOString().slice(0, 10);
      if (kind === 'json') await saveFile(`liuhen-audit-${stamp}.json`, 'application/json', auditToJson(records));
      else await saveFile(`liuhen-audit-${stamp}.csv`, 'text/csv;charset=utf-8', auditToCsv(records, templates));
      setNote(`${records.length} ✓`);
    } catch (error) {
      setNote(error instanceof Error ? error.message : String(error));
    }
  };
  return (
    <section className={s.root} aria-labelledby="liuhen-audit-title" data-version={version}>
      <Text id="liuhen-audit-title" weight="semibold">
        {t.auditTitle}
      </Text>
      <div className={s.row}>
        <Button size="small" onClick={() => void exportAs('json')} data-testid="audit-json">
          {t.exportJson}
        </Button>
        <Button size="small" onClick={() => void exportAs('csv')} data-testid="audit-csv">
          {t.exportCsv}
        </Button>
        {note && (
          <Caption1 role="status" data-testid="audit-note">
            {note}
          </Caption1>
        )}
      </div>
    </section>
  );
}
