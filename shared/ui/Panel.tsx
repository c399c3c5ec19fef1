/**
 * The Liuhen panel: template picker, source (live selection or pasted notes), Generate / Cancel / Regenerate,
 * streaming preview, flags and problems BEFORE anything touches the document, Insert as suggestions (or copy
 * where the host cannot make suggestions), the model area, the batch view and the audit export. It talks to
 * the document only through the DocumentHost port and to the model only through the pipeline and LlmEngine.
 */
import {
  Button,
  Caption1,
  Checkbox,
  Divider,
  Field,
  makeStyles,
  MessageBar,
  MessageBarBody,
  Radio,
  RadioGroup,
  Select,
  Text,
  Textarea,
  Title3,
  tokens,
} from '@fluentui/react-components';
import { useCallback, useEffect, useMemo, useRef, useState, type ReactElement } from 'react';
import { EngineError } from '../engine/errors';
import { promptProfileOf } from '../engine/model-record';
import { detectLanguage } from '../guard/language';
import { countChars, languageSample, sourceTooLong } from '../source/limits';
import type { HostCapabilities, PlanTarget } from '../host/port';
import { renderRecord } from '../output/parse';
import type { PartialParse } from '../output/types';
import type { GenerationResult, PipelineSource } from '../pipeline/types';
import type { Template } from '../templates/schema';
import { templateKey } from '../templates/load';
import { TemplateProblems } from './TemplateProblems';
import { modelRevisionOf } from '../pipeline/audit-chain';
import { AuditExport, EscalationExport, recordCopy } from './AuditExport';
import { BatchView } from './BatchView';
import { ManyRecords } from './ManyRecords';
import { WordingCheck } from './WordingCheck';
import type { PanelDeps, PanelLocale } from './deps';
import { localeFromDisplayLanguage, STRINGS } from './i18n';
import { asEngineError, type ModelController, type ModelState } from './model-controller';
import { ModelStatus } from './ModelStatus';
import type { PipelineFns } from './pipeline-fns';
import { FinalSections, FlagsView, StreamingPreview } from './ResultView';

const useStyles = makeStyles({
  root: {
    display: 'flex',
    flexDirection: 'column',
    rowGap: tokens.spacingVerticalM,
    padding: tokens.spacingHorizontalM,
    color: tokens.colorNeutralForeground1,
    backgroundColor: tokens.colorNeutralBackground1,
    minHeight: '100%',
    boxSizing: 'border-box',
  },
  header: { display: 'flex', alignItems: 'center', justifyContent: 'space-between', columnGap: tokens.spacingHorizontalS },
  row: { display: 'flex', flexWrap: 'wrap', columnGap: tokens.spacingHorizontalS, rowGap: tokens.spacingVerticalS, alignItems: 'center' },
  langSelect: { width: '8.5rem' },
});

/** How long the selection must rest before the pane reads it again. */
const SELECTION_DEBOUNCE_MS = 150;

/** Resolves after the browser had a chance to paint (a frame, then a task); just a task where there are no frames. */
function nextPaint(): Promise<void> {
  return new Promise((resolve) => {
    if (typeof requestAnimationFrame === 'function' && typeof document !== 'undefined' && document.visibilityState === 'visible') {
      requestAnimationFrame(() => setTimeout(resolve, 0));
    } else setTimeout(resolve, 0);
  });
}

type RunState =
  | { status: 'idle' }
  | { status: 'running'; partial?: PartialParse }
  | { status: 'done'; result: GenerationResult; template: Template; target: PlanTarget | undefined }
  | { status: 'cancelled' }
  | { status: 'error'; message: string };

type InsertState = { status: 'idle' } | { status: 'busy' } | { status: 'done'; count: number; auditError?: string } | { status: 'copied' } | { status: 'error'; message: string };

export type SourceMode = 'selection' | 'paste' | 'table';

export interface PanelProps {
  deps: PanelDeps;
  controller: ModelController;
  pipeline: PipelineFns;
}

/** Turn markers (`T3`, `HR:`, `员工:`) mean a transcript; anything else is notes. */
function sourceKind(text: string, template: Template): 'transcript' | 'notes' {
  const transcript = /^(T\d+\b|HR\s*[:：]|员工\s*[:：]|Employee\s*[:：])/m.test(text);
  if (transcript && template.sources.includes('transcript')) return 'transcript';
  return template.sources.includes('notes') ? 'notes' : 'transcript';
}

function message(error: unknown, locale: PanelLocale): string {
  if (error instanceof EngineError) return error.userMessage(locale);
  return error instanceof Error ? error.message : String(error);
}

function useModelState(controller: ModelController): ModelState {
  const [state, setState] = useState(controller.state);
  useEffect(() => controller.subscribe(setState), [controller]);
  return state;
}

export function Panel({ deps, controller, pipeline }: PanelProps): ReactElement {
  const s = useStyles();
  const { host } = deps;
  const [locale, setLocale] = useState<PanelLocale>(deps.locale ?? 'en');
  const localeChosen = useRef(deps.locale !== undefined);
  const t = STRINGS[locale];
  const [caps, setCaps] = useState<HostCapabilities | undefined>();
  const templates = useMemo(() => [...(deps.templates ?? [])], [deps.templates]);
  const [templateId, setTemplateId] = useState<string>('');
  const [mode, setMode] = useState<SourceMode>('selection');
  const [selectionLength, setSelectionLength] = useState(0);
  /** Language of the selected text, so a Chinese transcript gets the Chinese template whatever the UI language. */
  const [selectionLang, setSelectionLang] = useState<'zh' | 'en' | undefined>();
  const [pasted, setPasted] = useState('');
  const [run, setRun] = useState<RunState>({ status: 'idle' });
  const [insert, setInsert] = useState<InsertState>({ status: 'idle' });
  const [reviewed, setReviewed] = useState(false);
  const [auditVersion, setAuditVersion] = useState(0);
  const abortRef = useRef<AbortController | undefined>(undefined);
  const runSeq = useRef(0);
  const model = useModelState(controller);

  // Host capabilities and display language, once.
  useEffect(() => {
    let live = true;
    host.capabilities().then(
      (c) => {
        if (!live) return;
        setCaps(c);
        const l = localeFromDisplayLanguage(c.displayLanguage);
        if (l && !localeChosen.current) setLocale(l);
      },
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [host]);

  // The document's language, from its start, read once: what the default template follows while nothing is
  // selected (a Chinese document opened with English Word gets the Chinese template).
  const [documentLang, setDocumentLang] = useState<'zh' | 'en' | undefined>();
  useEffect(() => {
    let live = true;
    host.readDocumentStart?.(2000).then(
      (text) => {
        if (live && text.trim()) setDocumentLang(detectLanguage(text));
      },
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [host]);

  // Default template (until the writer picks one): the first one in the source's language, else the document's,
  // else the UI language.
  const pastedLang = useMemo(() => (pasted.trim() ? detectLanguage(languageSample(pasted)) : undefined), [pasted]);
  const pastedChars = useMemo(() => countChars(pasted), [pasted]);
  const sourceLang = (mode === 'paste' ? pastedLang : mode === 'selection' ? selectionLang : undefined) ?? documentLang;
  const template = useMemo(() => {
    const byKey = templates.find((x) => templateKey(x) === templateId);
    if (byKey) return byKey;
    const lang = sourceLang ?? (locale === 'zh-CN' ? 'zh' : 'en');
    return templates.find((x) => x.language.startsWith(lang)) ?? templates[0];
  }, [templates, templateId, locale, sourceLang]);

  // Live selection length: read once the selection rests (hosts fire on every cursor move and a read copies the
  // whole selection), counted without building an array, language told from its start.
  useEffect(() => {
    let live = true;
    let seq = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const read = (): void => {
      const mine = ++seq;
      host.readSelection().then(
        (snap) => {
          if (!live || mine !== seq) return;
          setSelectionLength(countChars(snap.text));
          setSelectionLang(snap.text.trim() ? detectLanguage(languageSample(snap.text)) : undefined);
        },
        () => undefined,
      );
    };
    const refresh = (): void => {
      if (timer !== undefined) clearTimeout(timer);
      timer = setTimeout(read, SELECTION_DEBOUNCE_MS);
    };
    read();
    const off = host.onSelectionChanged(refresh);
    return () => {
      live = false;
      if (timer !== undefined) clearTimeout(timer);
      off();
    };
  }, [host]);

  // Model detection after first paint: the engine (and its worker) never delays the pane.
  useEffect(() => {
    const id = setTimeout(() => void controller.start().catch(() => undefined), 0);
    return () => clearTimeout(id);
  }, [controller]);

  const generate = useCallback(
    async (again: boolean) => {
      if (!template) return;
      const mine = ++runSeq.current;
      abortRef.current?.abort();
      const abort = new AbortController();
      abortRef.current = abort;
      setInsert({ status: 'idle' });
      setReviewed(false);
      let source: PipelineSource;
      let target: PlanTarget | undefined;
      try {
        if (mode === 'selection') {
          const snap = await host.readSelection();
          if (!snap.text.trim()) {
            setRun({ status: 'error', message: t.emptySource });
            return;
          }
          const tooLong = sourceTooLong(countChars(snap.text));
          if (tooLong) {
            setRun({ status: 'error', message: tooLong[locale] });
            return;
          }
          source = { kind: sourceKind(snap.text, template), text: snap.text };
          target = { kind: 'after-anchor', anchor: snap.anchor };
        } else {
          if (!pasted.trim()) {
            setRun({ status: 'error', message: t.emptySource });
            return;
          }
          const tooLong = sourceTooLong(countChars(pasted));
          if (tooLong) {
            setRun({ status: 'error', message: tooLong[locale] });
            return;
          }
          source = { kind: sourceKind(pasted, template), text: pasted };
          target = undefined; // decided at insertion time: wherever the cursor is then
        }
        setRun({ status: 'running' });
        // Let Cancel paint before the (bounded, synchronous) preparation of the source starts.
        await nextPaint();
        let modelId: string;
        try {
          modelId = await controller.ensureLoaded(abort.signal);
        } catch (error) {
          // The model area already shows the full reason (and the Load again button): point there, don't repeat it.
          const e = asEngineError(error);
          if (runSeq.current === mine) setRun(e.code === 'aborted' ? { status: 'cancelled' } : { status: 'error', message: t.modelNotReady });
          return;
        }
        const entry = controller.state.entry;
        const result = await pipeline.generate({
          template,
          source,
          engine: controller.engine(),
          modelId,
          // A fine-tuned model gets the prompt profile it was trained with (its record says which).
          ...(entry?.record.model_id === modelId ? { prompt: promptProfileOf(entry.record), ...modelRevisionOf(entry.record) } : {}),
          signal: abort.signal,
          onPartial: (partial) => {
            if (runSeq.current === mine) setRun({ status: 'running', partial });
          },
          // Regenerate samples a different wording; the first run is deterministic.
          ...(again ? { temperature: 0.7, seed: Math.floor(Math.random() * 2 ** 31) } : {}),
        });
        if (runSeq.current !== mine) return;
        if (result.finishReason === 'abort') setRun({ status: 'cancelled' });
        else setRun({ status: 'done', result, template, target });
      } catch (error) {
        if (runSeq.current !== mine) return;
        const e = error instanceof EngineError ? error : error instanceof Error && error.name === 'AbortError' ? asEngineError(error) : error;
        if (e instanceof EngineError && e.code === 'aborted') setRun({ status: 'cancelled' });
        else setRun({ status: 'error', message: message(e, locale) });
        if (e instanceof EngineError && e.code === 'device-lost') controller.markNeedsLoad();
      } finally {
        if (abortRef.current === abort) abortRef.current = undefined;
      }
    },
    [template, mode, host, pasted, controller, pipeline, t, locale],
  );

  const cancel = useCallback(() => abortRef.current?.abort(), []);

  const doInsert = useCallback(async () => {
    if (run.status !== 'done') return;
    setInsert({ status: 'busy' });
    try {
      let target = run.target;
      if (!target) target = { kind: 'after-anchor', anchor: (await host.readSelection()).anchor };
      const plan = pipeline.plan(run.result, run.template, target);
      const applied = await host.apply([plan]);
      if (applied.failed.length > 0) {
        setInsert({ status: 'error', message: applied.failed.map((f) => f.message).join('\n') });
        return;
      }
      // Plans that carry their audit record are stored by the host with the insertion; others are saved here.
      if (!plan.audit) await host.saveAudit([{ ...run.result.audit, time: new Date().toISOString() }]);
      setAuditVersion((v) => v + 1);
      setInsert({ status: 'done', count: applied.inserted.length, ...(applied.auditError ? { auditError: applied.auditError } : {}) });
    } catch (error) {
      setInsert({ status: 'error', message: message(error, locale) });
    }
  }, [run, host, pipeline, locale]);

  const doCopy = useCallback(async () => {
    if (run.status !== 'done') return;
    const text = renderRecord(run.template, run.result.sections);
    try {
      await (deps.copyText ?? ((x: string) => navigator.clipboard.writeText(x)))(text);
      setInsert({ status: 'copied' });
      // AI text left the pane: the trail records the copy too (a failure to record does not undo the copy).
      await recordCopy(host, run.result, text).then(
        () => setAuditVersion((v) => v + 1),
        () => undefined,
      );
    } catch (error) {
      setInsert({ status: 'error', message: message(error, locale) });
    }
  }, [run, deps.copyText, host, locale]);

  const running = run.status === 'running';
  const sourceLimit = sourceTooLong(mode === 'selection' ? selectionLength : pastedChars)?.[locale];
  const canGenerate =
    !!template && !running && !sourceLimit && model.phase !== 'unavailable' && model.phase !== 'checking' && (mode === 'selection' ? selectionLength > 0 : pasted.trim().length > 0);
  const suggestions = caps?.suggestions ?? true;
  const needsAck = run.status === 'done' && run.result.review.length > 0;
  const nothingUsable = run.status === 'done' && Object.values(run.result.sections).every((b) => !b.trim());
  const sourceModes: SourceMode[] = template?.sources.includes('table-row') && caps?.tables !== false ? ['selection', 'paste', 'table'] : ['selection', 'paste'];

  return (
    <main className={s.root} lang={locale} data-testid="liuhen-panel">
      <div className={s.header}>
        <Title3 as="h1">{t.appTitle}</Title3>
        <Select
          className={s.langSelect}
          aria-label={t.language}
          size="small"
          value={locale}
          onChange={(_, d) => {
            localeChosen.current = true;
            setLocale(d.value as PanelLocale);
          }}
        >
          <option value="zh-CN">中文</option>
          <option value="en">English</option>
        </Select>
      </div>

      <ModelStatus state={model} controller={controller} strings={t} locale={locale} busy={running} {...(deps.modelHost ? { modelHost: deps.modelHost } : {})} {...(deps.registryProblems ? { registryProblems: deps.registryProblems } : {})} />

      {!suggestions && (
        // Said up front, before the writer spends time generating: this host will only offer copying.
        <MessageBar intent="warning" data-testid="no-suggestions">
          <MessageBarBody>
            {t.noSuggestions}
            {caps?.suggestionsUnavailableReason ? ` (${caps.suggestionsUnavailableReason})` : ''}
          </MessageBarBody>
        </MessageBar>
      )}

      <Field label={t.template}>
        <Select
          value={template ? templateKey(template) : ''}
          onChange={(_, d) => {
            setTemplateId(d.value);
            setRun({ status: 'idle' });
          }}
          data-testid="template"
        >
          {templates.map((x) => (
            <option key={templateKey(x)} value={templateKey(x)}>
              {x.name} ({x.language})
            </option>
          ))}
        </Select>
      </Field>
      <TemplateProblems problems={deps.templateProblems} locale={locale} />

      <Field label={t.source}>
        <RadioGroup layout="horizontal" value={sourceModes.includes(mode) ? mode : 'selection'} onChange={(_, d) => setMode(d.value as SourceMode)}>
          <Radio value="selection" label={t.sourceSelection} />
          <Radio value="paste" label={t.sourcePaste} />
          {sourceModes.includes('table') && <Radio value="table" label={t.sourceTable} />}
        </RadioGroup>
      </Field>

      {mode === 'table' && template ? (
        <BatchView deps={deps} controller={controller} pipeline={pipeline} template={template} strings={t} locale={locale} onInserted={() => setAuditVersion((v) => v + 1)} />
      ) : (
        <>
          {mode === 'selection' ? (
            <Caption1 aria-live="polite" data-testid="selection-length">
              {t.selectionLength(selectionLength)}
            </Caption1>
          ) : (
            <Field label={t.pasteLabel}>
              <Textarea value={pasted} onChange={(_, d) => setPasted(d.value)} placeholder={t.pastePlaceholder} resize="vertical" rows={6} />
            </Field>
          )}
          {sourceLimit && (
            <MessageBar intent="warning" data-testid="source-too-long">
              <MessageBarBody>{sourceLimit}</MessageBarBody>
            </MessageBar>
          )}

          <div className={s.row}>
            <Button appearance="primary" onClick={() => void generate(false)} disabled={!canGenerate} data-testid="generate">
              {t.generate}
            </Button>
            {running && (
              <Button onClick={cancel} data-testid="cancel">
                {t.cancel}
              </Button>
            )}
            {(run.status === 'done' || run.status === 'cancelled') && (
              <Button onClick={() => void generate(true)} disabled={!canGenerate} data-testid="regenerate">
                {t.regenerate}
              </Button>
            )}
          </div>

          {run.status === 'running' && <StreamingPreview partial={run.partial} strings={t} downloading={model.phase === 'loading'} />}
          {run.status === 'cancelled' && (
            <MessageBar intent="info" role="status">
              <MessageBarBody>{t.cancelled}</MessageBarBody>
            </MessageBar>
          )}
          {run.status === 'error' && (
            <MessageBar intent="error" role="alert">
              <MessageBarBody data-testid="run-error">{run.message}</MessageBarBody>
            </MessageBar>
          )}
          {run.status === 'done' && (
            <>
              <Divider />
              {run.result.finishReason === 'length' && (
                <MessageBar intent="warning">
                  <MessageBarBody>{t.truncated}</MessageBarBody>
                </MessageBar>
              )}
              {nothingUsable && (
                <MessageBar intent="error" role="alert">
                  <MessageBarBody data-testid="nothing-usable">{t.nothingUsable}</MessageBarBody>
                </MessageBar>
              )}
              <FlagsView result={run.result} strings={t} />
              <Text as="h2" weight="semibold" size={400}>
                {t.preview}
              </Text>
              <FinalSections result={run.result} template={run.template} />
              <details>
                <summary>{t.showRaw}</summary>
                <pre style={{ whiteSpace: 'pre-wrap' }} data-testid="raw">
                  {run.result.raw}
                </pre>
              </details>
              {needsAck && <Checkbox checked={reviewed} onChange={(_, d) => setReviewed(d.checked === true)} label={t.insertAnyway} data-testid="ack" />}
              <div className={s.row}>
                {suggestions && (
                  <Button appearance="primary" onClick={() => void doInsert()} disabled={nothingUsable || insert.status === 'busy' || insert.status === 'done' || (needsAck && !reviewed)} data-testid="insert">
                    {t.insert}
                  </Button>
                )}
                <Button onClick={() => void doCopy()} disabled={nothingUsable} data-testid="copy">
                  {t.copy}
                </Button>
              </div>
              <EscalationExport result={run.result} locale={locale} {...(deps.saveFile ? { saveFile: deps.saveFile } : {})} />
              {insert.status === 'done' && (
                <MessageBar intent="success" role="status">
                  <MessageBarBody data-testid="insert-done">{t.inserted(insert.count, caps?.name ?? 'Word')}</MessageBarBody>
                </MessageBar>
              )}
              {insert.status === 'done' && insert.auditError && (
                <MessageBar intent="warning" role="alert">
                  <MessageBarBody>{insert.auditError}</MessageBarBody>
                </MessageBar>
              )}
              {insert.status === 'copied' && (
                <MessageBar intent="success" role="status">
                  <MessageBarBody>{t.copied}</MessageBarBody>
                </MessageBar>
              )}
              {insert.status === 'error' && (
                <MessageBar intent="error" role="alert">
                  <MessageBarBody data-testid="insert-error">{insert.message}</MessageBarBody>
                </MessageBar>
              )}
            </>
          )}
        </>
      )}
      <Divider />
      <WordingCheck host={host} locale={locale} onAudit={() => setAuditVersion((v) => v + 1)} />
      <Divider />
      <ManyRecords host={host} locale={locale} templates={templates} controller={controller} version={auditVersion} onInserted={() => setAuditVersion((v) => v + 1)} />
      <AuditExport host={host} strings={t} locale={locale} version={auditVersion} templates={templates} {...(deps.saveFile ? { saveFile: deps.saveFile } : {})} />
    </main>
  );
}
