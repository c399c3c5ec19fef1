/**
 * The audit view (留痕): whether the document's trail is intact ("N records, chain intact", or the first record
 * altered or missing, and any record that could not be read), the writer's review of each inserted record
 * (accepted / edited / rejected / pending, recorded in the trail when it changes), and the exports: the trail as
 * JSON or CSV (no protected-trait categories), and "Export approved records" as training data.
 *
 * Also here: the escalation export, the one file that names escalation categories, which the writer makes
 * explicitly from a result (the pane says what it contains first), and the record of a copy to the clipboard.
 */
import { Button, Caption1, makeStyles, MessageBar, MessageBarBody, Text, tokens } from '@fluentui/react-components';
import { useCallback, useEffect, useState, type ReactElement } from 'react';
import type { AuditRecord, DocumentHost, ReviewReport, ReviewState } from '../host/port';
import { verifyChain, type ChainReport } from '../pipeline/audit-chain';
import { auditToCsv, auditToJson, escalationToJson } from '../pipeline/audit-export';
import { exportApproved } from '../pipeline/approved-export';
import { newAuditId } from '../pipeline/hash';
import type { GenerationResult } from '../pipeline/types';
import type { Template } from '../templates/schema';
import type { PanelLocale } from './deps';
import { downloadFile } from './files';
import type { Strings } from './i18n';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', rowGap: tokens.spacingVerticalXS },
  row: { display: 'flex', columnGap: tokens.spacingHorizontalS, flexWrap: 'wrap', alignItems: 'center' },
  list: { margin: 0, paddingLeft: tokens.spacingHorizontalL },
});

type Verdict = ReviewState['verdict'];

const TEXT = {
  en: {
    intact: (n: number) => `${n} record${n === 1 ? '' : 's'}, chain intact`,
    broken: (n: number, p: number, id: string | undefined, kind: string) =>
      `${n} records; chain broken at record ${p}${id ? ` (${id.slice(0, 8)})` : ''}: ${({ altered: 'altered after it was written', missing: 'records missing before it', reordered: 'out of order', unchained: 'written without a chain (older version or by hand)' } as Record<string, string>)[kind] ?? kind}`,
    unreadable: (list: string) => `Could not read record(s) ${list}: they are kept in the document and counted, not dropped.`,
    noChain: 'This host cannot show the stored trail, so the chain cannot be verified here.',
    checkReview: 'Check review',
    exportApproved: 'Export approved records',
    approved: (n: number, skipped: number) => `${n} approved record(s) exported for training; ${skipped} left out (not approved, escalated, or protected wording).`,
    noneApproved: 'No accepted records yet: accept Liuhen\'s suggestions in Word first.',
    recorded: (n: number) => (n > 0 ? `${n} review change(s) recorded in the trail.` : 'No review changes since the last check.'),
    verdict: { accepted: 'accepted', edited: 'edited after insertion', rejected: 'rejected or deleted', pending: 'still pending', 'in-document': 'in the document (accepted or pending: cannot tell)' } satisfies Record<Verdict, string>,
    changes: (n: number) => `${n} character(s) changed`,
    partial: 'partial insertion',
    escalationWarn:
      'The escalation file names the escalation categories of this result (e.g. harassment, litigation) and its audit id, for routing to employee relations or compliance. It holds no source text. It is special-category data: store and send it only as your policy allows.',
    escalationExport: 'Export escalation for routing',
  },
  'zh-CN': {
    intact: (n: number) => `共 ${n} 条记录,链完整`,
    broken: (n: number, p: number, id: string | undefined, kind: string) =>
      `共 ${n} 条记录;链在第 ${p} 条${id ? `(${id.slice(0, 8)})` : ''}处断开:${({ altered: '该记录写入后被改动', missing: '此前有记录缺失', reordered: '顺序被打乱', unchained: '该记录没有链(旧版本或手工写入)' } as Record<string, string>)[kind] ?? kind}`,
    unreadable: (list: string) => `第 ${list} 条记录无法读取:它们仍保留在文档中并计入总数,未被丢弃。`,
    noChain: '此环境无法读取存储的留痕,无法在此校验链。',
    checkReview: '检查审阅结果',
    exportApproved: '导出已采纳记录',
    approved: (n: number, skipped: number) => `已导出 ${n} 条已采纳记录用于训练;${skipped} 条未导出(未采纳、涉及转交事项或含受保护信息)。`,
    noneApproved: '还没有已接受的记录:请先在 Word 中接受 Liuhen 的修订。',
    recorded: (n: number) => (n > 0 ? `已在留痕中记录 ${n} 项审阅变化。` : '自上次检查以来没有审阅变化。'),
    verdict: { accepted: '已接受', edited: '插入后被修改', rejected: '已拒绝或删除', pending: '待审阅', 'in-document': '仍在文档中(无法区分已接受或待审阅)' } satisfies Record<Verdict, string>,
    changes: (n: number) => `改动 ${n} 个字符`,
    partial: '部分插入',
    escalationWarn: '转交文件包含此结果的转交事项类别(如骚扰、诉讼)及其留痕编号,供员工关系或合规部门分派处理;不含原文。这属于敏感个人信息,请仅按公司规定保存和发送。',
    escalationExport: '导出转交事项',
  },
} as const;

function textFor(locale: PanelLocale | undefined): (typeof TEXT)['en'] {
  return (locale === 'zh-CN' ? TEXT['zh-CN'] : TEXT.en) as unknown as (typeof TEXT)['en'];
}

/** The latest recorded verdict for each inserted record. */
function recordedVerdicts(records: readonly AuditRecord[]): Map<string, { verdict: string; changeCount?: number }> {
  const out = new Map<string, { verdict: string; changeCount?: number }>();
  for (const r of records) {
    if (r.event === 'reviewed' && r.ref && r.verdict) out.set(r.ref, { verdict: r.verdict, ...(r.changeCount !== undefined ? { changeCount: r.changeCount } : {}) });
  }
  return out;
}

/**
 * `reviewed` records for the states that changed since the trail last recorded them. Pending and undecidable
 * states are not recorded (nothing was decided yet).
 */
export function reviewRecords(records: readonly AuditRecord[], states: readonly ReviewState[], now = new Date()): AuditRecord[] {
  const last = recordedVerdicts(records);
  const out: AuditRecord[] = [];
  for (const s of states) {
    if (s.verdict === 'pending' || s.verdict === 'in-document') continue;
    const before = last.get(s.ref);
    if (before && before.verdict === s.verdict && before.changeCount === s.changeCount) continue;
    const inserted = records.find((r) => r.auditId === s.ref);
    if (!inserted) continue;
    const { text: _t, evidence: _e, evidenceDigest: _d, seq: _s, prev: _p, insertion: _i, ...base } = inserted;
    out.push({
      ...base,
      auditId: newAuditId(),
      event: 'reviewed',
      ref: s.ref,
      verdict: s.verdict,
      ...(s.changeCount !== undefined ? { changeCount: s.changeCount } : {}),
      time: now.toISOString(),
    });
  }
  return out;
}

/** Records a copy to the clipboard in the trail (AI text that left the pane without an insertion). */
export async function recordCopy(host: DocumentHost, result: GenerationResult, text: string): Promise<void> {
  await host.saveAudit([{ ...result.audit, auditId: newAuditId(), ref: result.auditId, event: 'copied', text, time: new Date().toISOString() }]);
}

export interface AuditExportProps {
  host: DocumentHost;
  strings: Strings;
  /** Changes after each insertion, so the count refreshes. */
  version: number;
  saveFile?: (name: string, mime: string, content: string) => Promise<void>;
  /** Templates, to label codes in the CSV (nine-box cell → label) and to read approved records. */
  templates: readonly Template[];
  /** Language of the view's own wording (default: English unless the strings are Chinese). */
  locale?: PanelLocale;
}

export function AuditExport({ host, strings: t, version, templates, saveFile = downloadFile, locale }: AuditExportProps): ReactElement {
  const s = useStyles();
  const a = textFor(locale ?? (t.auditTitle === '留痕记录' ? 'zh-CN' : 'en'));
  const [note, setNote] = useState<string | undefined>();
  // 'unavailable': the host keeps a trail it cannot show; { unavailable }: it can keep none here, and says why.
  const [chain, setChain] = useState<ChainReport | 'unavailable' | { unavailable: string } | undefined>();
  const [review, setReview] = useState<ReviewReport | undefined>();

  const refresh = useCallback(async (): Promise<AuditRecord[]> => {
    if (!host.readAuditTrail) {
      setChain('unavailable');
      return host.readAudit();
    }
    const trail = await host.readAuditTrail();
    if (trail.unavailable !== undefined) {
      setChain({ unavailable: trail.unavailable });
      return [];
    }
    const report = await verifyChain(trail);
    setChain(report);
    return report.records;
  }, [host]);

  useEffect(() => {
    refresh().catch((error: unknown) => setNote(error instanceof Error ? error.message : String(error)));
  }, [refresh, version]);

  const run = (job: () => Promise<void>): void => {
    job().catch((error: unknown) => setNote(error instanceof Error ? error.message : String(error)));
  };

  const exportAs = async (kind: 'json' | 'csv'): Promise<void> => {
    const records = await refresh();
    if (records.length === 0) {
      setNote(t.auditEmpty);
      return;
    }
    const stamp = new Date().toISOString().slice(0, 10);
    if (kind === 'json') await saveFile(`liuhen-audit-${stamp}.json`, 'application/json', auditToJson(records));
    else await saveFile(`liuhen-audit-${stamp}.csv`, 'text/csv;charset=utf-8', auditToCsv(records, templates));
    setNote(`${records.length} ✓`);
  };

  const checkReview = async (): Promise<ReviewReport | undefined> => {
    const records = await refresh();
    if (!host.readReview) return undefined;
    const report = await host.readReview(records);
    setReview(report);
    const added = reviewRecords(records, report.states);
    if (added.length > 0) {
      await host.saveAudit(added);
      await refresh();
    }
    setNote(a.recorded(added.length));
    return report;
  };

  const exportApprovedRecords = async (): Promise<void> => {
    const report = await checkReview();
    const records = await refresh();
    const out = exportApproved(records, report?.states ?? [], templates);
    if (out.count === 0) {
      setNote(a.noneApproved);
      return;
    }
    await saveFile(`liuhen-approved-${new Date().toISOString().slice(0, 10)}.jsonl`, 'application/jsonl', out.jsonl);
    setNote(a.approved(out.count, out.skipped.length));
  };

  const summary =
    chain === undefined
      ? undefined
      : chain === 'unavailable'
        ? a.noChain
        : 'unavailable' in chain
          ? chain.unavailable
          : chain.firstBreak
          ? a.broken(chain.count, chain.firstBreak.position, chain.firstBreak.auditId, chain.firstBreak.kind)
          : a.intact(chain.count);
  const records = chain && chain !== 'unavailable' && !('unavailable' in chain) ? chain.records : [];
  return (
    <section className={s.root} aria-labelledby="liuhen-audit-title" data-version={version}>
      <Text id="liuhen-audit-title" weight="semibold">
        {t.auditTitle}
      </Text>
      {summary !== undefined && (
        <Caption1 role="status" data-testid="audit-chain">
          {summary}
        </Caption1>
      )}
      {chain && chain !== 'unavailable' && !('unavailable' in chain) && chain.unreadable.length > 0 && (
        <MessageBar intent="warning">
          <MessageBarBody data-testid="audit-unreadable">{a.unreadable(chain.unreadable.map((u) => u.position).join(', '))}</MessageBarBody>
        </MessageBar>
      )}
      {review && !review.supported && review.reason && (
        <MessageBar intent="info">
          <MessageBarBody data-testid="review-unsupported">{review.reason}</MessageBarBody>
        </MessageBar>
      )}
      {review && review.states.length > 0 && (
        <ul className={s.list} data-testid="review-list">
          {review.states.map((st) => {
            const r = records.find((x) => x.auditId === st.ref);
            return (
              <li key={st.ref} data-testid="review-item" data-verdict={st.verdict}>
                <Caption1>
                  {`${r?.time.slice(0, 16).replace('T', ' ') ?? ''} ${r?.templateId ?? ''}${r?.rowIndex !== undefined ? ` #${r.rowIndex + 1}` : ''}: ${a.verdict[st.verdict]}`}
                  {st.changeCount !== undefined ? ` · ${a.changes(st.changeCount)}` : ''}
                  {r?.insertion === 'partial' ? ` · ${a.partial}` : ''}
                </Caption1>
              </li>
            );
          })}
        </ul>
      )}
      <div className={s.row}>
        <Button size="small" onClick={() => run(() => exportAs('json'))} data-testid="audit-json">
          {t.exportJson}
        </Button>
        <Button size="small" onClick={() => run(() => exportAs('csv'))} data-testid="audit-csv">
          {t.exportCsv}
        </Button>
        {host.readReview && (
          <>
            <Button size="small" onClick={() => run(async () => void (await checkReview()))} data-testid="audit-review">
              {a.checkReview}
            </Button>
            <Button size="small" onClick={() => run(exportApprovedRecords)} data-testid="audit-approved">
              {a.exportApproved}
            </Button>
          </>
        )}
      </div>
      {note && (
        <Caption1 role="status" data-testid="audit-note">
          {note}
        </Caption1>
      )}
    </section>
  );
}

/** Props of {@link EscalationExport}. */
export interface EscalationExportProps {
  result: GenerationResult;
  locale?: PanelLocale;
  saveFile?: (name: string, mime: string, content: string) => Promise<void>;
}

/**
 * The explicit escalation export of one result: shown only when the result has an escalation, with a warning of
 * what the file contains. The categories exist only in the pane's memory; this is the one way they leave it.
 */
export function EscalationExport({ result, locale, saveFile = downloadFile }: EscalationExportProps): ReactElement | null {
  const a = textFor(locale);
  const [done, setDone] = useState(false);
  if (![...result.sourceHits, ...result.outputHits].some((h) => h.action === 'ESCALATE')) return null;
  const save = async (): Promise<void> => {
    await saveFile(`liuhen-escalation-${result.auditId.slice(0, 8)}.json`, 'application/json', escalationToJson([result]));
    setDone(true);
  };
  return (
    <MessageBar intent="warning" data-testid="escalation-export">
      <MessageBarBody>
        <Caption1 data-testid="escalation-warning">{a.escalationWarn}</Caption1>{' '}
        <Button size="small" onClick={() => void save()} disabled={done} data-testid="escalation-save">
          {a.escalationExport}
        </Button>
      </MessageBarBody>
    </MessageBar>
  );
}
