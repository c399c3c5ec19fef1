/**
 * Summaries of many inputs in the pane: the writer pastes answers (one per line, or blocks separated by blank
 * lines) or picks a column of the table at the cursor; Liuhen labels each item with a theme in passes that fit
 * the model's context window and counts the labels itself; the themes with counts and redacted quotes are
 * shown, then inserted as tracked changes like any record.
 */
import { Button, Caption1, Field, makeStyles, MessageBar, MessageBarBody, Radio, RadioGroup, Select, Text, Textarea, tokens } from '@fluentui/react-components';
import { useCallback, useRef, useState, type ReactElement } from 'react';
import type { LlmEngine } from '../engine/port';
import type { DocumentHost } from '../host/port';
import { summarise, type SummaryProgress, type SummaryResult } from '../pipeline/summary';
import { buildSummaryPlan, columnItems, splitPastedItems } from '../pipeline/summary-plan';
import { tableToRecords, type TableRecord } from '../source';
import type { PanelLocale } from './deps';
import { STRINGS } from './i18n';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', rowGap: tokens.spacingVerticalS },
  row: { display: 'flex', columnGap: tokens.spacingHorizontalS, flexWrap: 'wrap', alignItems: 'center' },
  theme: { display: 'flex', flexDirection: 'column', rowGap: tokens.spacingVerticalXXS },
  quote: { color: tokens.colorNeutralForeground2, overflowWrap: 'anywhere' },
  list: { margin: 0, paddingLeft: tokens.spacingHorizontalL, display: 'flex', flexDirection: 'column', rowGap: tokens.spacingVerticalS },
});


export interface SummaryViewProps {
  host: DocumentHost;
  locale: PanelLocale;
  /** The loaded engine (loads the model when needed). */
  getEngine: (signal: AbortSignal) => Promise<LlmEngine>;
  /** Called after an insertion (the audit view re-reads the document). */
  onInserted?: () => void;
}

type Status = { kind: 'idle' } | { kind: 'running'; progress?: SummaryProgress } | { kind: 'done'; result: SummaryResult } | { kind: 'error'; message: string };

/** The summary view; see the module comment. */
export function SummaryView({ host, locale, getEngine, onInserted }: SummaryViewProps): ReactElement {
  const s = useStyles();
  const t = STRINGS[locale].summaryView;
  const [source, setSource] = useState<'paste' | 'column'>('paste');
  const [pasted, setPasted] = useState('');
  const [table, setTable] = useState<{ header: string[]; records: TableRecord[] } | undefined>();
  const [column, setColumn] = useState('');
  const [status, setStatus] = useState<Status>({ kind: 'idle' });
  const [inserted, setInserted] = useState<string | undefined>();
  const abortRef = useRef<AbortController | undefined>(undefined);

  const items = source === 'paste' ? splitPastedItems(pasted) : table && column ? columnItems(table.records, column) : [];

  const readTable = useCallback(async () => {
    const read = await host.readTable();
    if (!read.ok) {
      setStatus({ kind: 'error', message: read.message });
      return;
    }
    const r = tableToRecords(read.table.rows);
    if (!r.ok) {
      setStatus({ kind: 'error', message: r.message });
      return;
    }
    setTable({ header: r.header, records: r.records });
    // The widest text column is most likely the open answers.
    const widest = [...r.header].sort((a, b) => columnItems(r.records, b).join('').length - columnItems(r.records, a).join('').length)[0] ?? '';
    setColumn(widest);
    setStatus({ kind: 'idle' });
  }, [host]);

  const run = useCallback(async () => {
    const abort = new AbortController();
    abortRef.current = abort;
    setInserted(undefined);
    setStatus({ kind: 'running' });
    try {
      const engine = await getEngine(abort.signal);
      const result = await summarise({
        items,
        engine,
        language: locale,
        signal: abort.signal,
        onProgress: (progress) => setStatus({ kind: 'running', progress }),
      });
      setStatus(result.aborted ? { kind: 'idle' } : { kind: 'done', result });
    } catch (e) {
      setStatus(abort.signal.aborted ? { kind: 'idle' } : { kind: 'error', message: e instanceof Error ? e.message : String(e) });
    }
  }, [getEngine, items, locale]);

  const insert = useCallback(async () => {
    if (status.kind !== 'done') return;
    const plan = buildSummaryPlan(status.result, { kind: 'after-anchor', anchor: (await host.readSelection()).anchor });
    const applied = await host.apply([plan]);
    setInserted(applied.failed[0]?.message ?? t.inserted);
    onInserted?.();
  }, [status, host, t, onInserted]);

  return (
    <section className={s.root} data-testid="summary-view">
      <RadioGroup layout="horizontal" value={source} onChange={(_, d) => setSource(d.value as 'paste' | 'column')}>
        <Radio value="paste" label={t.paste} />
        <Radio value="column" label={t.column} />
      </RadioGroup>
      {source === 'paste' ? (
        <Field label={t.pasteLabel}>
          <Textarea value={pasted} onChange={(_, d) => setPasted(d.value)} resize="vertical" rows={5} data-testid="summary-paste" />
        </Field>
      ) : (
        <div className={s.row}>
          <Button size="small" onClick={() => void readTable()}>
            {t.readTable}
          </Button>
          {table && (
            <Field label={t.columnLabel}>
              <Select value={column} onChange={(_, d) => setColumn(d.value)} data-testid="summary-column">
                {table.header.map((h) => (
                  <option key={h} value={h}>
                    {h}
                  </option>
                ))}
              </Select>
            </Field>
          )}
        </div>
      )}
      <div className={s.row}>
        <Caption1>{t.items(items.length)}</Caption1>
        {status.kind === 'running' ? (
          <Button size="small" onClick={() => abortRef.current?.abort()}>
            {t.cancel}
          </Button>
        ) : (
          <Button size="small" appearance="primary" disabled={items.length === 0} onClick={() => void run()} data-testid="summary-run">
            {t.run}
          </Button>
        )}
      </div>
      <div aria-live="polite">
        {status.kind === 'running' && status.progress && <Caption1>{t.progress(status.progress)}</Caption1>}
        {status.kind === 'error' && (
          <MessageBar intent="error">
            <MessageBarBody>{status.message}</MessageBarBody>
          </MessageBar>
        )}
        {status.kind === 'done' && (
          <div className={s.root} data-testid="summary-result">
            <Caption1>{t.result(status.result)}</Caption1>
            <ul className={s.list}>
              {status.result.themes.map((th) => (
                <li key={th.code} className={s.theme} data-code={th.code}>
                  <Text weight="semibold">
                    {th.label} — {t.count(th.count, th.share)}
                  </Text>
                  {th.quotes.map((q) => (
                    <Text key={q} className={s.quote}>
                      “{q}”
                    </Text>
                  ))}
                </li>
              ))}
            </ul>
            {status.result.referred > 0 && <Caption1>{t.referred(status.result.referred)}</Caption1>}
            <div className={s.row}>
              <Button size="small" onClick={() => void insert()} data-testid="summary-insert">
                {t.insert}
              </Button>
              {inserted && <Caption1 role="status">{inserted}</Caption1>}
            </div>
          </div>
        )}
      </div>
    </section>
  );
}
