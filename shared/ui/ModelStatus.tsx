/** The model area: which model and why, downloaded or not, download progress with size and time left, delete. */
import { Badge, Button, Caption1, makeStyles, MessageBar, MessageBarBody, ProgressBar, Text, tokens } from '@fluentui/react-components';
import type { ReactElement } from 'react';
import type { PanelLocale } from './deps';
import { formatBytes, type Strings } from './i18n';
import type { ModelController, ModelState } from './model-controller';

const useStyles = makeStyles({
  root: {
    display: 'flex',
    flexDirection: 'column',
    rowGap: tokens.spacingVerticalXS,
    padding: tokens.spacingVerticalS,
    borderRadius: tokens.borderRadiusMedium,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    backgroundColor: tokens.colorNeutralBackground2,
  },
  row: { display: 'flex', flexWrap: 'wrap', alignItems: 'center', columnGap: tokens.spacingHorizontalS, rowGap: tokens.spacingVerticalXS },
  name: { fontWeight: tokens.fontWeightSemibold },
});

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).host;
  } catch {
    return undefined;
  }
}

export interface ModelStatusProps {
  state: ModelState;
  controller: ModelController;
  strings: Strings;
  locale: PanelLocale;
  modelHost?: string;
  /** Problems of the company's registry file (custom models), one sentence each. */
  registryProblems?: readonly string[];
  busy: boolean;
}

export function ModelStatus({ state, controller, strings: t, locale, modelHost, registryProblems, busy }: ModelStatusProps): ReactElement {
  const s = useStyles();
  const entry = state.entry;
  const p = state.progress;
  const host = modelHost ?? (entry ? hostOf(entry.record.model) : undefined);
  // Where the model runs, said plainly: with a company server the writer's text leaves this computer.
  const serverHost = entry?.server ? hostOf(entry.server.baseUrl) ?? entry.server.baseUrl : undefined;
  const progressText = p
    ? [
        `${Math.floor(p.fraction * 100)}%`,
        t.phase[p.phase],
        p.loadedBytes !== undefined && p.totalBytes !== undefined ? `${formatBytes(p.loadedBytes)} / ${formatBytes(p.totalBytes)}` : undefined,
        p.secondsLeft !== undefined ? t.secondsLeft(p.secondsLeft) : undefined,
      ]
        .filter((x) => x)
        .join(' · ')
    : '';
  return (
    <section className={s.root} aria-labelledby="liuhen-model-title" data-testid="model-status" data-phase={state.phase} data-model-id={entry?.record.model_id ?? ''}>
      <div className={s.row}>
        <Text id="liuhen-model-title" weight="semibold">
          {t.modelTitle}
        </Text>
        {entry && <Text className={s.name}>{entry.displayName ?? entry.record.model_id}</Text>}
        {entry?.downloadBytes !== undefined && <Caption1>{t.modelSize(formatBytes(entry.downloadBytes))}</Caption1>}
        {state.phase === 'ready' ? (
          <Badge appearance="tint" color="success">
            {serverHost ? t.serverConnected : t.modelLoaded}
          </Badge>
        ) : state.cached === true ? (
          <Badge appearance="tint" color="brand">
            {t.modelCached}
          </Badge>
        ) : null}
      </div>
      {entry && (
        <Caption1 data-testid="model-runs-on" data-engine={serverHost ? 'company-server' : 'this-computer'}>
          {serverHost ? t.runsOnServer(serverHost) : t.runsOnThisComputer}
        </Caption1>
      )}
      {/* A build whose built-ins were never pinned (builtin-pins.json empty) says so instead of pretending. */}
      {entry?.source === 'built-in' && entry.pinned === false && <Caption1 data-testid="model-unpinned">{t.modelUnpinned}</Caption1>}
      {state.phase === 'checking' && <Caption1>{t.modelChecking}</Caption1>}
      {state.choice && <Caption1 data-testid="model-reason">{state.choice.explanation[locale]}</Caption1>}
      {/* "the first Generate downloads it" is wrong once a download has failed: the error says what to do instead. */}
      {entry && state.cached === false && state.phase !== 'loading' && state.phase !== 'error' && (
        <Caption1 data-testid="model-not-cached">
          {t.modelNotCached}
          {host ? ` (${t.modelFrom(host)})` : ''}
        </Caption1>
      )}
      {state.phase === 'loading' && (
        <div aria-live="polite">
          <ProgressBar value={p?.fraction ?? 0} max={1} thickness="large" aria-label={t.progressLabel} aria-valuetext={progressText} />
          <Caption1 data-testid="model-progress">{progressText}</Caption1>
        </div>
      )}
      {state.phase === 'unavailable' && (
        <MessageBar intent="error">
          <MessageBarBody>{t.noModel}</MessageBarBody>
        </MessageBar>
      )}
      {state.error && (
        <MessageBar intent="error" role="alert">
          <MessageBarBody data-testid="model-error">{state.error.userMessage(locale)}</MessageBarBody>
        </MessageBar>
      )}
      {registryProblems && registryProblems.length > 0 && (
        <MessageBar intent="warning" data-testid="registry-problems">
          <MessageBarBody>
            {t.registryProblems}
            <ul>
              {registryProblems.map((p) => (
                <li key={p}>{p}</li>
              ))}
            </ul>
          </MessageBarBody>
        </MessageBar>
      )}
      {state.notice === 'cache-deleted' && <Caption1 role="status">{t.cacheDeleted}</Caption1>}
      <div className={s.row}>
        {entry && (state.phase === 'idle' || state.phase === 'error') && (
          <Button size="small" onClick={() => void controller.ensureLoaded().catch(() => undefined)} disabled={busy}>
            {serverHost ? t.connectServer : t.loadModel}
          </Button>
        )}
        {state.phase === 'loading' && !busy && (
          <Button size="small" onClick={() => controller.cancelLoad()}>
            {t.cancel}
          </Button>
        )}
        {entry && state.cached === true && state.phase !== 'loading' && (
          <Button size="small" appearance="subtle" onClick={() => void controller.deleteCache()} disabled={busy}>
            {t.deleteCache}
          </Button>
        )}
      </div>
    </section>
  );
}
