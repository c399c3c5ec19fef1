/**
 * Talent-review batch over table rows, driven by shared/pipeline/batch.ts (BatchRunner): the writer reads the
 * table, confirms or changes the rows, picks where the records go (a column of the same row, default 评语 /
 * Comment when the table has one, else sections below the table), then starts. The queue shows each row's
 * status, overall progress, rows per minute and time left; pause / resume / cancel; retry failed rows; rows
 * without flags are inserted as suggestions as they finish, flagged ones after the writer has looked at them;
 * results export as CSV / JSON.
 */
import { Badge, Button, Caption1, Checkbox, Field, makeStyles, MessageBar, MessageBarBody, ProgressBar, Radio, RadioGroup, Select, Text, tokens } from '@fluentui/react-components';
import { useCallback, useEffect, useRef, useState, type ReactElement } from 'react';
import type { PlanTarget, TableSnapshot } from '../host/port';
import { promptProfileOf } from '../engine/model-record';
import { modelRevisionOf } from '../pipeline/audit-chain';
import { BatchRunner, suggestCommentColumn, type BatchRowState, type BatchState, type RowStatus } from '../pipeline/batch';
import { tableToRecords } from '../source/table';
import type { TableRecord } from '../source/types';
import type { Template } from '../templates/schema';
import type { PanelDeps, PanelLocale } from './deps';
import { downloadFile } from './files';
import type { Strings } from './i18n';
import type { ModelController } from './model-controller';
import type { PipelineFns } from './pipeline-fns';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', rowGap: tokens.spacingVerticalS },
  row: { display: 'flex', flexWrap: 'wrap', columnGap: tokens.spacingHorizontalS, rowGap: tokens.spacingVerticalXS, alignItems: 'center' },
  list: {
    margin: 0,
    padding: 0,
    listStyleType: 'none',
    maxHeight: '16rem',
    overflowY: 'auto',
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
  },
  item: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    columnGap: tokens.spacingHorizontalS,
    padding: `${tokens.spacingVerticalXXS} ${tokens.spacingHorizontalS}`,
    borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke3}`,
  },
  rowName: { minWidth: '5rem', fontWeight: tokens.fontWeightSemibold },
  error: { color: tokens.colorPaletteRedForeground1, flexBasis: '100%' },
  flags: { color: tokens.colorNeutralForeground3, flexBasis: '100%' },
});

const STATUS_COLOR: Record<RowStatus, 'informative' | 'brand' | 'success' | 'warning' | 'danger'> = {
  waiting: 'informative',
  generating: 'brand',
  done: 'success',
  flagged: 'warning',
  failed: 'danger',
};

export interface BatchViewProps {
  deps: PanelDeps;
  controller: ModelController;
  pipeline: PipelineFns;
  template: Template;
  strings: Strings;
  locale: PanelLocale;
  onInserted: () => void;
}

interface ReadTable {
  table: TableSnapshot;
  header: string[];
  /** Every column of the table's header row, including empty columns (a comment column is usually empty). */
  allColumns: string[];
  records: TableRecord[];
  problems: string[];
}

type Destination = { kind: 'column'; column: string } | { kind: 'below' };

function statusText(t: Strings, s: RowStatus): string {
  const map: Record<RowStatus, string> = {
    waiting: t.rowStatus.pending ?? s,
    generating: t.rowStatus.running ?? s,
    done: t.rowStatus.done ?? s,
    flagged: t.batchFlagged,
    failed: t.rowStatus.failed ?? s,
  };
  return map[s];
}

export function BatchView({ deps, controller, pipeline, template, strings: t, locale, onInserted }: BatchViewProps): ReactElement {
  const s = useStyles();
  const { host } = deps;
  const saveFile = deps.saveFile ?? downloadFile;
  const [read, setRead] = useState<ReadTable | undefined>();
  const [readError, setReadError] = useState<string | undefined>();
  const [chosen, setChosen] = useState<Set<number>>(new Set());
  const [dest, setDest] = useState<Destination>({ kind: 'below' });
  const [state, setState] = useState<BatchState | undefined>();
  const [error, setError] = useState<string | undefined>();
  /** Between Start and the runner's first state (the model may be downloading): Start must not run twice. */
  const [starting, setStarting] = useState(false);
  const runner = useRef<BatchRunner | undefined>(undefined);
  const insertedCount = useRef(0);

  useEffect(() => () => runner.current?.cancel(), []);

  const readTable = useCallback(async () => {
    setReadError(undefined);
    setError(undefined);
    try {
      const r = await host.readTable();
      if (!r.ok) {
        setReadError(r.reason === 'not-in-table' ? t.notInTable : r.message);
        return;
      }
      const parsed = tableToRecords(r.table.rows);
      if (!parsed.ok) {
        setReadError(parsed.message);
        return;
      }
      const allColumns = (r.table.rows[parsed.headerRow] ?? []).map((c) => c.trim()).filter((c) => c);
      const selected = new Set(r.table.selectedRows);
      const records = parsed.records;
      const pre = records.filter((x) => selected.has(x.rowIndex)).map((x) => x.rowIndex);
      setRead({ table: r.table, header: parsed.header, allColumns, records, problems: parsed.problems });
      setChosen(new Set(pre.length > 0 ? pre : records.map((x) => x.rowIndex)));
      const column = suggestCommentColumn(allColumns);
      setDest(column ? { kind: 'column', column } : { kind: 'below' });
      setState(undefined);
      runner.current = undefined;
    } catch (e) {
      setReadError(e instanceof Error ? e.message : String(e));
    }
  }, [host, t]);

  const idColumn = read?.header[0];

  const start = useCallback(async () => {
    if (!read) return;
    setError(undefined);
    let modelId: string;
    setStarting(true);
    try {
      modelId = await controller.ensureLoaded();
    } catch (e) {
      setError(e instanceof Error && 'userMessage' in e ? (e as { userMessage(l: string): string }).userMessage(locale) : String(e));
      return;
    } finally {
      setStarting(false);
    }
    const tableId = read.table.tableId;
    const target = (row: BatchRowState): PlanTarget =>
      dest.kind === 'column' ? { kind: 'table-cell', tableId, rowIndex: row.rowIndex, column: dest.column } : { kind: 'after-table', tableId, title: row.rowId };
    const r = new BatchRunner({
      template,
      engine: controller.engine(),
      modelId,
      ...(controller.state.entry?.record.model_id === modelId ? { prompt: promptProfileOf(controller.state.entry.record), ...modelRevisionOf(controller.state.entry.record) } : {}),
      header: read.header,
      records: read.records.filter((x) => chosen.has(x.rowIndex)),
      ...(idColumn ? { idColumn } : {}),
      host,
      target,
      insert: 'per-row',
      generate: pipeline.generate,
    });
    runner.current = r;
    insertedCount.current = 0;
    r.subscribe((st) => {
      setState(st);
      const n = st.rows.filter((x) => x.inserted).length;
      if (n !== insertedCount.current) {
        insertedCount.current = n;
        onInserted();
      }
    });
    await r.start();
  }, [read, controller, locale, dest, template, chosen, idColumn, host, pipeline, onInserted]);

  const running = state?.status === 'running';
  const paused = state?.status === 'paused';
  const flaggedNotInserted = state?.rows.filter((r) => r.status === 'flagged' && !r.inserted) ?? [];
  const failed = state?.counts.failed ?? 0;
  const finished = state ? state.counts.done + state.counts.flagged + state.counts.failed : 0;
  const exportAs = (kind: 'csv' | 'json'): void => {
    const r = runner.current;
    if (!r) return;
    const stamp = new Date().toISOString().slice(0, 10);
    const p = kind === 'csv' ? saveFile(`liuhen-batch-${stamp}.csv`, 'text/csv;charset=utf-8', r.exportCsv()) : saveFile(`liuhen-batch-${stamp}.json`, 'application/json', r.exportJson());
    p.catch((e: unknown) => setError(String(e)));
  };

  return (
    <section className={s.root} aria-labelledby="liuhen-batch-title" data-testid="batch">
      <Text id="liuhen-batch-title" weight="semibold">
        {t.batchTitle}
      </Text>
      <div className={s.row}>
        <Button onClick={() => void readTable()} disabled={running || paused} data-testid="batch-read">
          {t.readTable}
        </Button>
        {read && <Caption1>{t.batchChosen(chosen.size, read.records.length)}</Caption1>}
      </div>
      {readError && (
        <MessageBar intent="warning" role="alert">
          <MessageBarBody data-testid="batch-read-error">{readError}</MessageBarBody>
        </MessageBar>
      )}
      {read && !state && (
        <>
          <Field label={t.rowsTitle}>
            <div className={s.row}>
              <Button size="small" appearance="subtle" onClick={() => setChosen(new Set(read.records.map((x) => x.rowIndex)))}>
                {t.selectAll}
              </Button>
              <Button size="small" appearance="subtle" onClick={() => setChosen(new Set())}>
                {t.selectNone}
              </Button>
            </div>
            <ul className={s.list} data-testid="batch-rows">
              {read.records.map((x) => (
                <li key={x.rowIndex} className={s.item}>
                  <Checkbox
                    checked={chosen.has(x.rowIndex)}
                    onChange={(_, d) => {
                      const next = new Set(chosen);
                      if (d.checked === true) next.add(x.rowIndex);
                      else next.delete(x.rowIndex);
                      setChosen(next);
                    }}
                    label={`${idColumn ? x.fields[idColumn] || x.rowIndex : x.rowIndex} · ${read.header
                      .slice(1, 3)
                      .map((h) => x.fields[h])
                      .filter((v) => v)
                      .join(' · ')}`}
                    data-row={x.rowIndex}
                  />
                </li>
              ))}
            </ul>
          </Field>
          <Field label={t.destination}>
            <RadioGroup
              value={dest.kind}
              onChange={(_, d) => setDest(d.value === 'column' ? { kind: 'column', column: suggestCommentColumn(read.allColumns) ?? read.allColumns[read.allColumns.length - 1] ?? '' } : { kind: 'below' })}
            >
              <Radio value="column" label={t.destColumnChoice} disabled={read.allColumns.length === 0} />
              <Radio value="below" label={t.destBelow} />
            </RadioGroup>
            {dest.kind === 'column' && (
              <Select aria-label={t.destination} value={dest.column} onChange={(_, d) => setDest({ kind: 'column', column: d.value })} data-testid="batch-column">
                {read.allColumns.map((c) => (
                  <option key={c} value={c}>
                    {t.destColumn(c)}
                  </option>
                ))}
              </Select>
            )}
          </Field>
          <div className={s.row}>
            <Button appearance="primary" disabled={starting || chosen.size === 0 || model(controller)} onClick={() => void start()} data-testid="batch-start">
              {t.start}
            </Button>
          </div>
        </>
      )}
      {state && (
        <>
          <div aria-live="polite" data-testid="batch-progress" data-status={state.status}>
            <ProgressBar value={state.progress} max={1} thickness="large" aria-label={t.batchTitle} />
            <Caption1>
              {[
                t.progressRows(finished, state.rows.length),
                state.rowsPerMinute !== undefined ? t.rowsPerMin(state.rowsPerMinute.toFixed(1)) : undefined,
                state.secondsLeft !== undefined && state.status !== 'finished' ? t.secondsLeft(state.secondsLeft) : undefined,
                paused ? t.batchPaused : undefined,
              ]
                .filter((x) => x)
                .join(' · ')}
            </Caption1>
          </div>
          <div className={s.row}>
            {running && (
              <Button onClick={() => runner.current?.pause()} data-testid="batch-pause">
                {t.pause}
              </Button>
            )}
            {paused && (
              <Button appearance="primary" onClick={() => runner.current?.resume()} data-testid="batch-resume">
                {t.resume}
              </Button>
            )}
            {(running || paused) && (
              <Button onClick={() => runner.current?.cancel()} data-testid="batch-cancel">
                {t.cancel}
              </Button>
            )}
            {!running && !paused && failed > 0 && (
              <Button onClick={() => void runner.current?.retryFailed()} data-testid="batch-retry">
                {t.retryFailed} ({failed})
              </Button>
            )}
            {!running && !paused && flaggedNotInserted.length > 0 && (
              <Button appearance="primary" onClick={() => void runner.current?.insertRows(flaggedNotInserted.map((r) => r.rowIndex))} data-testid="batch-insert-flagged">
                {t.batchInsertFlagged(flaggedNotInserted.length)}
              </Button>
            )}
            <Button size="small" onClick={() => exportAs('csv')} data-testid="batch-csv">
              {t.exportCsv}
            </Button>
            <Button size="small" onClick={() => exportAs('json')} data-testid="batch-json">
              {t.exportJson}
            </Button>
          </div>
          {flaggedNotInserted.length > 0 && <Caption1>{t.batchFlaggedHint}</Caption1>}
          <ul className={s.list} data-testid="batch-queue">
            {state.rows.map((r) => (
              <li key={r.rowIndex} className={s.item} data-row={r.rowIndex} data-status={r.status} data-inserted={String(r.inserted)}>
                <Text className={s.rowName}>{r.rowId}</Text>
                <Badge appearance="tint" color={STATUS_COLOR[r.status]}>
                  {statusText(t, r.status)}
                </Badge>
                {r.inserted && <Caption1>✓ {t.batchInserted}</Caption1>}
                {r.attempts > 1 && <Caption1>×{r.attempts}</Caption1>}
                {r.status === 'flagged' && r.result && <Caption1 className={s.flags}>{r.result.flags.map((f) => f.flag).join(' · ')}</Caption1>}
                {r.error && <Caption1 className={s.error}>{r.error}</Caption1>}
                {r.insertError && <Caption1 className={s.error}>{r.insertError}</Caption1>}
              </li>
            ))}
          </ul>
        </>
      )}
      {error && (
        <MessageBar intent="error" role="alert">
          <MessageBarBody data-testid="batch-error">{error}</MessageBarBody>
        </MessageBar>
      )}
    </section>
  );
}

/** Whether the model area says no model can run here (then a batch cannot start). */
function model(controller: ModelController): boolean {
  return controller.state.phase === 'unavailable';
}
