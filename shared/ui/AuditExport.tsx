/** Audit export: the trail (留痕) of every record inserted into this document, as JSON or CSV. */
import { Button, Caption1, makeStyles, Text, tokens } from '@fluentui/react-components';
import { useState, type ReactElement } from 'react';
import type { AuditRecord, DocumentHost } from '../host/port';
import { downloadFile, toCsv } from './files';
import type { Strings } from './i18n';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', rowGap: tokens.spacingVerticalXS },
  row: { display: 'flex', columnGap: tokens.spacingHorizontalS, flexWrap: 'wrap', alignItems: 'center' },
});

const COLUMNS: Array<keyof AuditRecord> = ['auditId', 'time', 'templateId', 'templateVersion', 'templateLanguage', 'modelId', 'sourceHash', 'redactionCount', 'rowIndex', 'flags', 'fields'];

export function auditToCsv(records: readonly AuditRecord[]): string {
  return toCsv([
    COLUMNS,
    ...records.map((r) => COLUMNS.map((c) => (c === 'flags' ? r.flags.map((f) => f.flag).join(' ') : r[c]))),
  ]);
}

export interface AuditExportProps {
  host: DocumentHost;
  strings: Strings;
  /** Changes after each insertion, so the count refreshes. */
  version: number;
  saveFile?: (name: string, mime: string, content: string) => Promise<void>;
}

export function AuditExport({ host, strings: t, version, saveFile = downloadFile }: AuditExportProps): ReactElement {
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
      if (kind === 'json') await saveFile(`liuhen-audit-${stamp}.json`, 'application/json', JSON.stringify(records, null, 2));
      else await saveFile(`liuhen-audit-${stamp}.csv`, 'text/csv;charset=utf-8', auditToCsv(records));
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
