/**
 * Exit-reason analytics in the pane: the exit records of the open document (Liuhen's audit trail and its
 * structured fields) plus any JSON / CSV audit exports the writer imports, shown as the distribution of stated
 * and underlying reason codes — a Fluent UI v9 chart, with an accessible table of the same numbers — and as
 * breakdowns by department and by quarter under k-anonymity (a count below 5 shows as "<5"). "Suggest
 * improvements" asks the model for organisational improvement suggestions from the aggregate and inserts them
 * as tracked changes like any record.
 */
import { DataVizPalette, getColorFromToken, GroupedVerticalBarChart, type GroupedVerticalBarChartData } from '@fluentui/react-charts';
import {
  Button,
  Caption1,
  makeStyles,
  MessageBar,
  MessageBarBody,
  Subtitle2,
  Tab,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  TabList,
  tokens,
} from '@fluentui/react-components';
import { useCallback, useEffect, useMemo, useRef, useState, type ReactElement } from 'react';
import type { DocumentHost } from '../host/port';
import {
  breakdown,
  exitRecordsFromAudit,
  exitRecordsFromCsv,
  exitRecordsFromJson,
  K_ANONYMITY,
  mergeRecords,
  reasonDistribution,
  reasonLabels,
  type Breakdown,
  type ExitRecord,
} from '../pipeline/exit-analytics';
import type { LlmEngine } from '../engine/port';
import { buildSuggestionsPlan, suggestImprovements } from '../pipeline/suggestions';
import type { Template } from '../templates/schema';
import type { PanelLocale } from './deps';
import { STRINGS } from './i18n';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', rowGap: tokens.spacingVerticalS },
  row: { display: 'flex', columnGap: tokens.spacingHorizontalS, flexWrap: 'wrap', alignItems: 'center' },
  chart: { width: '100%' },
  table: { tableLayout: 'auto' },
  caption: { captionSide: 'top', textAlign: 'start', color: tokens.colorNeutralForeground2, paddingBottom: tokens.spacingVerticalXS },
  num: { textAlign: 'end', fontVariantNumeric: 'tabular-nums' },
  group: { whiteSpace: 'nowrap' },
  hidden: { display: 'none' },
  scroll: { overflowX: 'auto' },
});


/** Codes shown in the breakdown tables (the most frequent; the pane is narrow). */
const BREAKDOWN_CODES = 4;

export interface ExitAnalyticsProps {
  host: DocumentHost;
  locale: PanelLocale;
  /** The exit-interview template of the pane's language: its reason labels are the company's. */
  template: Template | undefined;
  /** Bumped after an insertion, so the document's records are read again. */
  version?: number;
  /** The loaded engine for suggestions (loads the model when needed); absent: no suggestions button. */
  getEngine?: (signal: AbortSignal) => Promise<LlmEngine>;
  /** Records from imports given from outside (tests, the playground); the writer adds more with the button. */
  imported?: readonly ExitRecord[];
}

type View = 'chart' | 'table' | 'department' | 'period';

/** The analytics view; see the module comment. */
export function ExitAnalyticsView({ host, locale, template, version = 0, getEngine, imported: importedProp = [] }: ExitAnalyticsProps): ReactElement {
  const s = useStyles();
  const t = STRINGS[locale].exitAnalytics;
  const [docRecords, setDocRecords] = useState<ExitRecord[]>([]);
  const [imported, setImported] = useState<ExitRecord[]>([...importedProp]);
  const [problems, setProblems] = useState<string[]>([]);
  const [view, setView] = useState<View>('chart');
  const [status, setStatus] = useState<{ kind: 'idle' } | { kind: 'busy' } | { kind: 'done'; message: string } | { kind: 'error'; message: string }>({ kind: 'idle' });
  const fileRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    let live = true;
    host
      .readAudit()
      .then((records) => {
        if (live) setDocRecords(exitRecordsFromAudit(records));
      })
      .catch(() => {
        if (live) setDocRecords([]);
      });
    return () => {
      live = false;
    };
  }, [host, version]);

  const labels = useMemo(() => reasonLabels(template), [template]);
  const all = useMemo(() => mergeRecords(docRecords, imported), [docRecords, imported]);
  const dist = useMemo(() => reasonDistribution(all, labels), [all, labels]);
  const topCodes = useMemo(() => dist.slice(0, BREAKDOWN_CODES).map((c) => c.code), [dist]);
  const importedCount = all.length - docRecords.length;

  const onFiles = useCallback(async (files: FileList | null) => {
    if (!files) return;
    const lists: ExitRecord[][] = [];
    const found: string[] = [];
    for (const file of Array.from(files)) {
      const text = await file.text();
      const r = /\.csv$/i.test(file.name) ? exitRecordsFromCsv(text, file.name) : exitRecordsFromJson(text, file.name);
      lists.push(r.records);
      found.push(...r.problems);
    }
    setImported((prev) => mergeRecords(prev, ...lists));
    setProblems(found);
  }, []);

  const suggest = useCallback(async () => {
    if (!getEngine) return;
    setStatus({ kind: 'busy' });
    const abort = new AbortController();
    try {
      const engine = await getEngine(abort.signal);
      const result = await suggestImprovements({ records: all, distribution: dist, engine, language: template?.language ?? locale, signal: abort.signal });
      if (result.suggestions.length === 0) {
        setStatus({ kind: 'done', message: t.noSuggestions });
        return;
      }
      const plan = buildSuggestionsPlan(result, { kind: 'after-anchor', anchor: (await host.readSelection()).anchor });
      const applied = await host.apply([plan]);
      setStatus(applied.failed.length > 0 ? { kind: 'error', message: applied.failed[0]!.message } : { kind: 'done', message: t.inserted(result.suggestions.length) });
    } catch (e) {
      setStatus({ kind: 'error', message: e instanceof Error ? e.message : String(e) });
    }
  }, [getEngine, all, dist, template, locale, host, t]);

  // The chart palette's own theme-aware colours (no hard-coded colours).
  const colors = [getColorFromToken(DataVizPalette.color1), getColorFromToken(DataVizPalette.color2)] as const;
  const chartData: GroupedVerticalBarChartData[] = dist.map((c) => ({
    name: c.label,
    series: [
      { key: 'stated', data: c.stated, legend: t.stated, color: colors[0], xAxisCalloutData: c.label },
      { key: 'underlying', data: c.underlying, legend: t.underlying, color: colors[1], xAxisCalloutData: c.label },
    ],
  }));

  return (
    <section className={s.root} aria-labelledby="exit-analytics-title" data-testid="exit-analytics">
      <Subtitle2 id="exit-analytics-title">{t.title}</Subtitle2>
      <Caption1 data-testid="exit-analytics-count">{all.length > 0 ? t.count(docRecords.length, importedCount) : t.none}</Caption1>
      <div className={s.row}>
        <Button size="small" onClick={() => fileRef.current?.click()}>
          {t.import}
        </Button>
        <input
          ref={fileRef}
          className={s.hidden}
          type="file"
          accept=".json,.csv,application/json,text/csv"
          multiple
          aria-label={t.import}
          data-testid="exit-analytics-import"
          onChange={(e) => void onFiles(e.target.files)}
        />
        {getEngine && all.length > 0 && (
          <Button size="small" appearance="primary" disabled={status.kind === 'busy'} onClick={() => void suggest()} data-testid="exit-analytics-suggest">
            {status.kind === 'busy' ? t.suggesting : t.suggest}
          </Button>
        )}
      </div>
      {problems.map((p) => (
        <MessageBar key={p} intent="warning">
          <MessageBarBody>{t.importProblem(p)}</MessageBarBody>
        </MessageBar>
      ))}
      {(status.kind === 'done' || status.kind === 'error') && (
        <MessageBar intent={status.kind === 'error' ? 'error' : 'success'} role="status">
          <MessageBarBody>{status.message}</MessageBarBody>
        </MessageBar>
      )}
      {all.length > 0 && (
        <>
          <TabList size="small" selectedValue={view} onTabSelect={(_, d) => setView(d.value as View)}>
            <Tab value="chart">{t.chart}</Tab>
            <Tab value="table">{t.table}</Tab>
            <Tab value="department">{t.byDept}</Tab>
            <Tab value="period">{t.byPeriod}</Tab>
          </TabList>
          {view === 'chart' && (
            <div className={s.chart} role="figure" aria-label={t.chartLabel(all.length)} data-testid="exit-analytics-chart">
              <GroupedVerticalBarChart data={chartData} height={300} barWidth="auto" maxBarWidth={14} rotateXAxisLables yAxisTickCount={5} hideLabels />
            </div>
          )}
          {view === 'table' && (
            <Table size="small" className={s.table} data-testid="exit-analytics-table">
              <caption className={s.caption}>{t.tableCaption}</caption>
              <TableHeader>
                <TableRow>
                  <TableHeaderCell scope="col">{t.reason}</TableHeaderCell>
                  <TableHeaderCell scope="col">{t.stated}</TableHeaderCell>
                  <TableHeaderCell scope="col">{t.underlying}</TableHeaderCell>
                  <TableHeaderCell scope="col">{t.records}</TableHeaderCell>
                </TableRow>
              </TableHeader>
              <TableBody>
                {dist.map((c) => (
                  <TableRow key={c.code} data-code={c.code}>
                    <TableCell>{c.label}</TableCell>
                    <TableCell className={s.num}>{c.stated}</TableCell>
                    <TableCell className={s.num}>{c.underlying}</TableCell>
                    <TableCell className={s.num}>{c.records}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          )}
          {(view === 'department' || view === 'period') && (
            <BreakdownTable b={breakdown(all, view, topCodes)} labels={labels} locale={locale} />
          )}
        </>
      )}
    </section>
  );
}

function BreakdownTable({ b, labels, locale }: { b: Breakdown; labels: ReadonlyMap<string, string>; locale: PanelLocale }): ReactElement {
  const s = useStyles();
  const t = STRINGS[locale].exitAnalytics;
  const show = (v: number | null): string => (v === null ? `<${b.k}` : String(v));
  return (
    <div className={s.scroll}>
      <Table size="small" className={s.table} data-testid={`exit-analytics-${b.by}`}>
        <caption className={s.caption}>{t.kNote(K_ANONYMITY)}</caption>
        <TableHeader>
          <TableRow>
            <TableHeaderCell scope="col" className={s.group}>
              {t.group[b.by]}
            </TableHeaderCell>
            <TableHeaderCell scope="col">{t.records}</TableHeaderCell>
            {b.codes.map((c) => (
              <TableHeaderCell key={c} scope="col">
                {labels.get(c) ?? c}
              </TableHeaderCell>
            ))}
          </TableRow>
        </TableHeader>
        <TableBody>
          {b.rows.map((r) => (
            <TableRow key={r.group} data-group={r.group}>
              <TableCell className={s.group}>{r.group}</TableCell>
              <TableCell className={s.num}>{show(r.records)}</TableCell>
              {b.codes.map((c) => (
                <TableCell key={c} className={s.num}>
                  {show(r.cells[c] ?? null)}
                </TableCell>
              ))}
            </TableRow>
          ))}
        </TableBody>
      </Table>
      {b.ungrouped > 0 && <Caption1>{t.ungrouped(b.ungrouped, t.group[b.by])}</Caption1>}
    </div>
  );
}
