/**
 * The playground's document view: paragraphs and a table rendered from PlaygroundHost, suggestions underlined
 * in the brand colour with Accept / Reject each, Accept all / Reject all, a sample picker and a plain-text edit
 * box. Text is rendered as React text nodes, never as HTML.
 */
import { Button, Caption1, makeStyles, mergeClasses, Select, Text, Textarea, tokens } from '@fluentui/react-components';
import { useEffect, useState, type ReactElement } from 'react';
import type { DocBlock, DocParagraph, DocTable, PlaygroundHost } from './playground-host';
import { SAMPLES, TALENT_HEADER, talentRows } from './samples';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', rowGap: tokens.spacingVerticalM, padding: tokens.spacingHorizontalL, minWidth: 0 },
  toolbar: { display: 'flex', flexWrap: 'wrap', columnGap: tokens.spacingHorizontalS, rowGap: tokens.spacingVerticalS, alignItems: 'center' },
  // The sample names are long: in a narrow window the picker shrinks to the toolbar instead of running off it.
  sample: { flex: '0 1 auto', minWidth: 0, maxWidth: '100%' },
  page: {
    padding: `${tokens.spacingVerticalXXL} ${tokens.spacingHorizontalXXL}`,
    backgroundColor: tokens.colorNeutralBackground1,
    boxShadow: tokens.shadow4,
    borderRadius: tokens.borderRadiusMedium,
    lineHeight: tokens.lineHeightBase400,
    minHeight: '20rem',
  },
  p: { margin: `0 0 ${tokens.spacingVerticalS}`, whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' },
  heading: { fontWeight: tokens.fontWeightSemibold, fontSize: tokens.fontSizeBase400 },
  title: { fontWeight: tokens.fontWeightSemibold, fontSize: tokens.fontSizeBase500 },
  inserted: {
    color: tokens.colorBrandForeground1,
    textDecorationLine: 'underline',
    textDecorationColor: tokens.colorBrandStroke1,
  },
  group: {
    borderLeft: `${tokens.strokeWidthThick} solid ${tokens.colorBrandStroke1}`,
    paddingLeft: tokens.spacingHorizontalM,
    margin: `${tokens.spacingVerticalS} 0`,
  },
  groupBar: { display: 'flex', columnGap: tokens.spacingHorizontalXS, alignItems: 'center', marginBottom: tokens.spacingVerticalXS },
  comment: { display: 'block', color: tokens.colorNeutralForeground3, fontStyle: 'italic' },
  table: { borderCollapse: 'collapse', width: '100%', margin: `${tokens.spacingVerticalM} 0` },
  cell: {
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke1}`,
    padding: tokens.spacingHorizontalXS,
    verticalAlign: 'top',
    whiteSpace: 'pre-wrap',
    fontSize: tokens.fontSizeBase200,
  },
  th: { backgroundColor: tokens.colorNeutralBackground3, fontWeight: tokens.fontWeightSemibold },
  edit: { width: '100%' },
  wordEdit: { whiteSpace: 'normal' },
  deleted: { color: tokens.colorPaletteRedForeground1, textDecorationLine: 'line-through' },
  insertedWords: { color: tokens.colorBrandForeground1, textDecorationLine: 'underline', textDecorationColor: tokens.colorBrandStroke1 },
  flagged: { backgroundColor: tokens.colorPaletteYellowBackground2 },
  marker: { color: tokens.colorNeutralForeground3, fontSize: tokens.fontSizeBase100 },
  // Accept / reject inside a line of text: as narrow as the mark they carry.
  tiny: { minWidth: 'auto', height: 'auto', padding: `0 ${tokens.spacingHorizontalXXS}`, verticalAlign: 'baseline' },
});

function useBlocks(host: PlaygroundHost): readonly DocBlock[] {
  const [blocks, setBlocks] = useState(host.getBlocks());
  useEffect(() => host.onChange(() => setBlocks(host.getBlocks())), [host]);
  return blocks;
}

/** A paragraph's text with its word-level suggestions (Check wording) shown as Word shows tracked changes. */
function EditedText({ p, host }: { p: DocParagraph; host: PlaygroundHost | undefined }): ReactElement {
  const s = useStyles();
  const edits = p.edits ?? [];
  if (edits.length === 0) return <span data-text="">{p.text}</span>;
  const parts: ReactElement[] = [];
  let at = 0;
  edits.forEach((e, i) => {
    parts.push(<span key={`t${i}`}>{p.text.slice(at, e.start)}</span>);
    const commentOnly = e.after === e.before;
    parts.push(
      <span key={e.id} className={s.wordEdit} data-word-edit={e.id} title={e.comment}>
        {commentOnly ? (
          <mark className={s.flagged}>{e.before}</mark>
        ) : (
          <>
            <del className={s.deleted}>{e.before}</del>
            {e.after && <ins className={s.insertedWords}>{e.after}</ins>}
          </>
        )}
        <sup className={s.marker} aria-label={`Comment: ${e.comment}`}>
          💬{i + 1}
        </sup>
        {host && (
          <>
            <Button className={s.tiny} size="small" appearance="subtle" aria-label={`Accept change ${i + 1} · 接受`} onClick={() => host.acceptEdit(e.id)}>
              ✓
            </Button>
            <Button className={s.tiny} size="small" appearance="subtle" aria-label={`Reject change ${i + 1} · 拒绝`} onClick={() => host.rejectEdit(e.id)}>
              ✗
            </Button>
          </>
        )}
      </span>,
    );
    at = e.end;
  });
  parts.push(<span key="rest">{p.text.slice(at)}</span>);
  return (
    <>
      <span data-text="">{parts}</span>
      {edits.map((e, i) => (
        <Caption1 key={e.id} className={s.comment} data-word-comment={e.id}>
          💬{i + 1} {e.comment.replace(/\n/g, ' · ')}
        </Caption1>
      ))}
    </>
  );
}

function ParagraphView({ p, className, host }: { p: DocParagraph; className: string; host?: PlaygroundHost }): ReactElement {
  const s = useStyles();
  const styleClass = p.style === 'Heading1' || p.style === 'Heading2' || p.style === 'Title' ? s.title : p.style === 'Normal' ? '' : s.heading;
  return (
    <p className={mergeClasses(s.p, styleClass, className)} data-block-id={p.id} data-kind="p" data-suggestion={p.suggestion ?? ''}>
      <EditedText p={p} host={host} />
      {p.comments?.map((c, i) => (
        <Caption1 key={i} className={s.comment} aria-label={`Comment: ${c}`}>
          💬 {c}
        </Caption1>
      ))}
    </p>
  );
}

function ReviewButtons({ host, id, label }: { host: PlaygroundHost; id: string; label: string }): ReactElement {
  return (
    <>
      <Button size="small" appearance="primary" onClick={() => host.accept(id)} aria-label={`Accept ${label}`} data-testid={`accept-${id}`}>
        ✓ Accept · 接受
      </Button>
      <Button size="small" onClick={() => host.reject(id)} aria-label={`Reject ${label}`} data-testid={`reject-${id}`}>
        ✗ Reject · 拒绝
      </Button>
    </>
  );
}

function TableView({ host, table }: { host: PlaygroundHost; table: DocTable }): ReactElement {
  const s = useStyles();
  return (
    <table className={s.table} data-block-id={table.id} data-kind="table" data-testid="doc-table">
      <tbody>
        {table.rows.map((row, r) => (
          <tr key={r} data-row={r}>
            {row.map((cell, c) => {
              const Tag = r === 0 ? 'th' : 'td';
              return (
                <Tag key={c} className={mergeClasses(s.cell, r === 0 && s.th)} scope={r === 0 ? 'col' : undefined}>
                  <span data-cell-text="">{cell.text}</span>
                  {cell.added.map((a) => {
                    const sug = host.suggestion(a.suggestion);
                    const label = `suggestion ${sug?.number ?? ''}`;
                    return (
                      <div key={a.suggestion} className={s.group} data-suggestion-group={a.suggestion}>
                        {a.paragraphs.map((t, i) => (
                          <div key={i} className={s.inserted}>
                            {t}
                          </div>
                        ))}
                        <div className={s.groupBar}>
                          <ReviewButtons host={host} id={a.suggestion} label={label} />
                        </div>
                      </div>
                    );
                  })}
                </Tag>
              );
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Groups consecutive paragraphs of one suggestion so each gets one Accept / Reject pair. */
function groupBlocks(blocks: readonly DocBlock[]): Array<{ suggestion?: string; blocks: DocBlock[] }> {
  const out: Array<{ suggestion?: string; blocks: DocBlock[] }> = [];
  for (const b of blocks) {
    const sug = b.kind === 'p' ? b.suggestion : undefined;
    const last = out[out.length - 1];
    if (last && sug && last.suggestion === sug) last.blocks.push(b);
    else out.push(sug ? { suggestion: sug, blocks: [b] } : { blocks: [b] });
  }
  return out;
}

export function PlaygroundDocument({ host, initialSample }: { host: PlaygroundHost; initialSample?: string }): ReactElement {
  const s = useStyles();
  const blocks = useBlocks(host);
  const [editing, setEditing] = useState<string | undefined>();
  const [sample, setSample] = useState(initialSample ?? SAMPLES[0]?.id ?? '');
  const pending = [...host.getSuggestions(), ...host.pendingEdits()];
  const loadSample = (id: string): void => {
    setSample(id);
    const smp = SAMPLES.find((x) => x.id === id);
    if (smp) host.load(smp.paragraphs, { header: TALENT_HEADER, rows: talentRows() });
  };
  return (
    <section className={s.root} aria-label="Document · 文档">
      <div className={s.toolbar}>
        <Select className={s.sample} aria-label="Sample document · 示例文档" value={sample} onChange={(_, d) => loadSample(d.value)} data-testid="sample">
          {SAMPLES.map((x) => (
            <option key={x.id} value={x.id}>
              {x.label}
            </option>
          ))}
        </Select>
        {editing === undefined ? (
          <Button
            size="small"
            onClick={() =>
              setEditing(
                blocks
                  .filter((b): b is DocParagraph => b.kind === 'p' && !b.suggestion)
                  .map((b) => b.text)
                  .join('\n'),
              )
            }
          >
            Edit text · 编辑文本
          </Button>
        ) : (
          <>
            <Button
              size="small"
              appearance="primary"
              onClick={() => {
                host.setBodyText(editing);
                setEditing(undefined);
              }}
            >
              Done · 完成
            </Button>
            <Button size="small" onClick={() => setEditing(undefined)}>
              Cancel · 取消
            </Button>
          </>
        )}
        <Caption1 aria-live="polite" data-testid="pending-count">
          {pending.length} suggestion{pending.length === 1 ? '' : 's'} to review · 待审阅修订 {pending.length} 处
        </Caption1>
        <Button size="small" disabled={pending.length === 0} onClick={() => host.acceptAll()} data-testid="accept-all">
          Accept all · 全部接受
        </Button>
        <Button size="small" disabled={pending.length === 0} onClick={() => host.rejectAll()} data-testid="reject-all">
          Reject all · 全部拒绝
        </Button>
      </div>
      {editing !== undefined ? (
        <Textarea className={s.edit} value={editing} onChange={(_, d) => setEditing(d.value)} rows={14} aria-label="Document text, one paragraph per line · 文档文本（每行一段）" />
      ) : (
        <div className={s.page} ref={(el) => {
            if (el) host.attach(el);
          }} data-testid="doc">
          {groupBlocks(blocks).map((g, i) => {
            if (!g.suggestion) {
              return g.blocks.map((b) => (b.kind === 'p' ? <ParagraphView key={b.id} p={b} className="" host={host} /> : <TableView key={b.id} host={host} table={b} />));
            }
            const sug = host.suggestion(g.suggestion);
            const label = `suggestion ${sug?.number ?? i}`;
            return (
              <div key={g.suggestion} className={s.group} data-suggestion-group={g.suggestion} role="group" aria-label={`Inserted text, ${label} · 插入的修订`}>
                <div className={s.groupBar}>
                  <Text size={200}>✎ {label}</Text>
                  <ReviewButtons host={host} id={g.suggestion} label={label} />
                </div>
                {g.blocks.map((b) => (b.kind === 'p' ? <ParagraphView key={b.id} p={b} className={s.inserted} /> : null))}
              </div>
            );
          })}
        </div>
      )}
    </section>
  );
}
