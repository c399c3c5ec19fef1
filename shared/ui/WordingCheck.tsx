/**
 * "Check wording" in the panel: checks the writer's own text (selection, or the whole document), lists each
 * suggestion (category, reason, before → after, what to write instead) and writes NOTHING until the writer
 * clicks "Apply as tracked suggestions"; then the host writes the ticked ones for review (Word: tracked changes
 * + comments; VS Code: refactor preview; playground: tracked suggestions). Each check leaves an audit record
 * with counts by category, never the text.
 */
import { Badge, Button, Caption1, Checkbox, makeStyles, MessageBar, MessageBarBody, Radio, RadioGroup, Text, tokens } from '@fluentui/react-components';
import { useState, type ReactElement } from 'react';
import type { DocumentHost } from '../host/port';
import { checkWording, wordingAuditRecord, type WordingCheck as Check, type WordingRead, type WordingScope } from '../wording';
import type { PanelLocale } from './deps';

const STRINGS = {
  en: {
    title: 'Check wording',
    hint: 'Reviews your own text for biased, vague or risky wording. Nothing changes until you apply.',
    selection: 'Selection',
    document: 'Whole document',
    check: 'Check wording',
    checking: 'Checking…',
    none: 'No wording problems found.',
    found: (n: number) => `${n} suggestion${n === 1 ? '' : 's'}`,
    instead: 'Instead:',
    commentOnly: 'comment only',
    deleted: '(delete)',
    apply: (n: number) => `Apply ${n} as tracked suggestions`,
    applied: (n: number, skipped: number) => `${n} written as suggestions for your review${skipped > 0 ? `; ${skipped} skipped (text changed since the check, or unticked)` : ''}.`,
  },
  'zh-CN': {
    title: '措辞检查',
    hint: '检查您自己写的文字中带偏见、笼统或有风险的措辞。点击应用之前不会改动文档。',
    selection: '所选内容',
    document: '整篇文档',
    check: '检查措辞',
    checking: '正在检查…',
    none: '未发现措辞问题。',
    found: (n: number) => `共 ${n} 条建议`,
    instead: '建议:',
    commentOnly: '仅批注',
    deleted: '(删除)',
    apply: (n: number) => `以修订形式应用 ${n} 条`,
    applied: (n: number, skipped: number) => `已写入 ${n} 条修订供您审阅${skipped > 0 ? `;跳过 ${skipped} 条(检查后文字已改动或未勾选)` : ''}。`,
  },
} as const;

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', rowGap: tokens.spacingVerticalS },
  list: { display: 'flex', flexDirection: 'column', rowGap: tokens.spacingVerticalS, margin: 0, padding: 0, listStyleType: 'none' },
  item: { borderLeft: `${tokens.strokeWidthThick} solid ${tokens.colorPaletteMarigoldBorder2}`, paddingLeft: tokens.spacingHorizontalS },
  head: { display: 'flex', columnGap: tokens.spacingHorizontalS, alignItems: 'center', flexWrap: 'wrap' },
  before: { color: tokens.colorPaletteRedForeground1, textDecorationLine: 'line-through' },
  after: { color: tokens.colorBrandForeground1 },
  reason: { display: 'block', color: tokens.colorNeutralForeground2 },
});

type CheckState =
  | { status: 'idle' }
  | { status: 'busy' }
  | { status: 'done'; read: WordingRead; check: Check; ticked: Set<string>; applied?: { n: number; skipped: number } }
  | { status: 'error'; message: string };

/** The panel's Check wording section; rendered only where the host supports it. */
export function WordingCheck({ host, locale, onAudit }: { host: DocumentHost; locale: PanelLocale; onAudit?: () => void }): ReactElement | null {
  const s = useStyles();
  const t = STRINGS[locale];
  const [scope, setScope] = useState<WordingScope>('selection');
  const [state, setState] = useState<CheckState>({ status: 'idle' });
  const [applying, setApplying] = useState(false);
  if (!host.readWording || !host.applyWording) return null;
  const language = locale === 'zh-CN' ? 'zh' : 'en';

  const audit = async (check: Check, applied?: number): Promise<void> => {
    const record = wordingAuditRecord(check, {
      auditId: `wording-${globalThis.crypto.randomUUID()}`,
      time: new Date().toISOString(),
      ...(applied !== undefined ? { applied } : {}),
    });
    try {
      await host.saveAudit([record]);
      onAudit?.();
    } catch {
      // The check itself stands; a trail that cannot be written is reported by the audit view.
    }
  };

  const run = async (): Promise<void> => {
    setState({ status: 'busy' });
    try {
      const read = await host.readWording!(scope);
      const check = checkWording(read.paragraphs, { language });
      const ticked = new Set(check.suggestions.filter((x) => x.kind !== 'comment').map((x) => x.id));
      setState({ status: 'done', read, check, ticked });
      await audit(check);
    } catch (e) {
      setState({ status: 'error', message: e instanceof Error ? e.message : String(e) });
    }
  };

  const apply = async (): Promise<void> => {
    if (state.status !== 'done') return;
    setApplying(true);
    try {
      const chosen = state.check.suggestions.filter((x) => state.ticked.has(x.id));
      const r = await host.applyWording!({ suggestions: chosen, checked: state.read.paragraphs, scope: state.read.scope, language });
      setState({ ...state, applied: { n: r.applied.length, skipped: r.skipped.length + state.check.suggestions.length - chosen.length } });
      await audit(state.check, r.applied.length);
    } catch (e) {
      setState({ status: 'error', message: e instanceof Error ? e.message : String(e) });
    } finally {
      setApplying(false);
    }
  };

  const toggle = (id: string, on: boolean): void => {
    if (state.status !== 'done') return;
    const ticked = new Set(state.ticked);
    if (on) ticked.add(id);
    else ticked.delete(id);
    setState({ ...state, ticked });
  };

  return (
    <section className={s.root} aria-label={t.title} data-testid="wording">
      <Text weight="semibold">{t.title}</Text>
      <Caption1>{t.hint}</Caption1>
      <RadioGroup layout="horizontal" value={scope} onChange={(_, d) => setScope(d.value as WordingScope)}>
        <Radio value="selection" label={t.selection} />
        <Radio value="document" label={t.document} />
      </RadioGroup>
      <div>
        <Button onClick={() => void run()} disabled={state.status === 'busy'} data-testid="wording-check">
          {state.status === 'busy' ? t.checking : t.check}
        </Button>
      </div>
      {state.status === 'error' && (
        <MessageBar intent="error" role="alert">
          <MessageBarBody>{state.message}</MessageBarBody>
        </MessageBar>
      )}
      {state.status === 'done' && state.check.suggestions.length === 0 && <Caption1 data-testid="wording-none">{t.none}</Caption1>}
      {state.status === 'done' && state.check.suggestions.length > 0 && (
        <>
          <Caption1 data-testid="wording-count">{t.found(state.check.suggestions.length)}</Caption1>
          <ul className={s.list}>
            {state.check.suggestions.map((x) => (
              <li key={x.id} className={s.item} data-testid="wording-item" data-category={x.category}>
                <div className={s.head}>
                  <Checkbox
                    checked={state.ticked.has(x.id)}
                    disabled={x.kind === 'comment' || state.applied !== undefined}
                    onChange={(_, d) => toggle(x.id, d.checked === true)}
                    aria-label={`${x.label}: ${x.before}`}
                  />
                  <Badge appearance="tint" color={x.action === 'WARN' ? 'warning' : 'danger'}>
                    {x.label}
                  </Badge>
                  <Text>
                    <span className={s.before}>{x.before}</span>
                    {x.kind === 'comment' ? (
                      <Caption1> ({t.commentOnly})</Caption1>
                    ) : (
                      <>
                        {' → '}
                        <span className={s.after}>{x.kind === 'delete' ? t.deleted : x.after}</span>
                      </>
                    )}
                  </Text>
                </div>
                <Caption1 className={s.reason}>{x.reason}</Caption1>
                <Caption1 className={s.reason}>
                  {t.instead} {x.advice}
                </Caption1>
              </li>
            ))}
          </ul>
          {state.applied ? (
            <MessageBar intent="success" role="status">
              <MessageBarBody data-testid="wording-applied">{t.applied(state.applied.n, state.applied.skipped)}</MessageBarBody>
            </MessageBar>
          ) : (
            <div>
              <Button appearance="primary" onClick={() => void apply()} disabled={applying || state.ticked.size === 0} data-testid="wording-apply">
                {t.apply(state.ticked.size)}
              </Button>
            </div>
          )}
        </>
      )}
    </section>
  );
}
