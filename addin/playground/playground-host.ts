/**
 * PlaygroundHost: a DocumentHost over an in-browser document, so anyone can try Liuhen without Word. The
 * document is a list of paragraphs and tables; insertions become tracked suggestions (shown underlined, with
 * Accept / Reject each and Accept all / Reject all), exactly as Word shows tracked changes. Text is always
 * plain text: nothing the model writes is interpreted as HTML.
 *
 * Selection: the document view marks every block with `data-block-id` (and table rows with `data-row`); the
 * host maps the DOM selection onto blocks. Like Word, the last selection inside the document is remembered
 * while the writer clicks around the panel.
 */
import type {
  ApplyResult,
  AuditRecord,
  AuditTrail,
  ReviewReport,
  ReviewState,
  DocumentHost,
  HostCapabilities,
  InsertionPlan,
  PlanBlock,
  SelectionSnapshot,
  TableRead,
} from '../../shared/host/port';
import { MemoryTrail, reviewStateOf } from '../../shared/pipeline/audit-chain';
import { Serial } from '../../shared/serial';
import { wordingComment, type WordingApplyRequest, type WordingApplyResult, type WordingRead, type WordingScope } from '../../shared/wording';
import type { HeadingStyle } from '../../shared/templates/schema';

/** A paragraph; `suggestion` set while it is an unreviewed insertion. */
export interface DocParagraph {
  kind: 'p';
  id: string;
  text: string;
  style: HeadingStyle;
  suggestion?: string;
  /** The audit id of the record it was inserted with (kept after the suggestion is accepted, for the review). */
  record?: string;
  /** Comments attached to this paragraph (confidence, sources). */
  comments?: string[];
  /** Word-level tracked suggestions from "Check wording", unreviewed, by offset in `text`. */
  edits?: WordEdit[];
}

/** A word-level tracked change inside a paragraph (Check wording): `before` → `after`, with its comment. */
export interface WordEdit {
  id: string;
  start: number;
  end: number;
  before: string;
  /** `''`: a deletion. */
  after: string;
  comment: string;
}

/** Suggested paragraphs appended to a table cell. */
export interface CellAddition {
  suggestion: string;
  paragraphs: string[];
}

export interface DocCell {
  text: string;
  added: CellAddition[];
}

export interface DocTable {
  kind: 'table';
  id: string;
  /** Row 0 is the header. */
  rows: DocCell[][];
}

export type DocBlock = DocParagraph | DocTable;

export interface Suggestion {
  id: string;
  auditId: string;
  /** 1-based, in insertion order, for labels ("Suggestion 3"). */
  number: number;
}

export interface PlaygroundHostOptions {
  /** Simulate a host without tracked changes (like Word without WordApi 1.4). */
  suggestions?: boolean;
  displayLanguage?: string;
}

let seq = 0;
const newId = (prefix: string): string => `${prefix}${++seq}`;

/** The in-browser document and its DocumentHost. */
export class PlaygroundHost implements DocumentHost {
  private blocks: DocBlock[] = [];
  private suggestionsById = new Map<string, Suggestion>();
  private suggestionCounter = 0;
  /** The trail, chained like the document's in Word (kept for the page's life). */
  private readonly audit = new MemoryTrail();
  private readonly applyQueue = new Serial();
  private changeListeners = new Set<() => void>();
  private selectionListeners = new Set<() => void>();
  private root: HTMLElement | undefined;
  private remembered: { text: string; anchor: string; blockIds: string[]; rows: Map<string, number[]> } | undefined;

  constructor(private readonly options: PlaygroundHostOptions = {}) {
    if (typeof document !== 'undefined') {
      document.addEventListener('selectionchange', () => {
        const sel = this.domSelection();
        if (sel) this.remembered = sel;
        for (const l of this.selectionListeners) l();
      });
    }
  }

  /** The element the document view renders into (for selection mapping). */
  attach(root: HTMLElement): void {
    this.root = root;
  }

  // ---- document model (for the view) ----

  getBlocks(): readonly DocBlock[] {
    return this.blocks;
  }

  getSuggestions(): Suggestion[] {
    return [...this.suggestionsById.values()].sort((a, b) => a.number - b.number);
  }

  suggestion(id: string): Suggestion | undefined {
    return this.suggestionsById.get(id);
  }

  onChange(listener: () => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  private changed(): void {
    this.blocks = [...this.blocks];
    for (const l of this.changeListeners) l();
  }

  /** Replaces the document with plain paragraphs (the first may be a title) and optionally a table. */
  load(paragraphs: readonly string[], table?: { header: string[]; rows: string[][] }): void {
    this.blocks = paragraphs.map((text, i) => ({ kind: 'p', id: newId('p'), text, style: i === 0 ? 'Heading2' : 'Normal' }) satisfies DocParagraph);
    if (table) {
      this.blocks.push({
        kind: 'table',
        id: newId('t'),
        rows: [table.header, ...table.rows].map((r) => r.map((text) => ({ text, added: [] }))),
      });
    }
    this.suggestionsById.clear();
    this.remembered = undefined;
    this.changed();
  }

  /** Updates the text of the reviewed (non-suggested) paragraphs from an edit box, one line per paragraph. */
  setBodyText(text: string): void {
    const table = this.blocks.find((b): b is DocTable => b.kind === 'table');
    const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
    // A line keeps the record its paragraph belonged to (by position), so an edited record is still found.
    const before = this.blocks.filter((b): b is DocParagraph => b.kind === 'p' && !b.suggestion);
    this.blocks = lines.map((t, i) => {
      const record = before[i]?.record;
      return { kind: 'p', id: newId('p'), text: t, style: i === 0 ? 'Heading2' : 'Normal', ...(record !== undefined ? { record } : {}) } satisfies DocParagraph;
    });
    if (table) this.blocks.push(table);
    this.remembered = undefined;
    this.changed();
  }

  /** The paragraphs' text, one per line (tables as tab-separated rows): what "the document holds". */
  text(): string {
    const out: string[] = [];
    for (const b of this.blocks) {
      if (b.kind === 'p') out.push(b.text);
      else for (const row of b.rows) out.push(row.map((c) => [c.text, ...c.added.flatMap((a) => a.paragraphs)].filter((x) => x).join('\n')).join('\t'));
    }
    return out.join('\n');
  }

  accept(id: string): void {
    this.review(id, true);
  }

  reject(id: string): void {
    this.review(id, false);
  }

  acceptAll(): void {
    for (const s of this.getSuggestions()) this.review(s.id, true, false);
    for (const e of this.pendingEdits()) this.reviewEdit(e.id, true, false);
    this.changed();
  }

  rejectAll(): void {
    for (const s of this.getSuggestions()) this.review(s.id, false, false);
    for (const e of this.pendingEdits()) this.reviewEdit(e.id, false, false);
    this.changed();
  }

  /** Word-level suggestions (Check wording) still to review. */
  pendingEdits(): WordEdit[] {
    return this.blocks.flatMap((b) => (b.kind === 'p' ? (b.edits ?? []) : []));
  }

  acceptEdit(id: string): void {
    this.reviewEdit(id, true);
  }

  rejectEdit(id: string): void {
    this.reviewEdit(id, false);
  }

  private reviewEdit(id: string, accept: boolean, notify = true): void {
    this.blocks = this.blocks.map((b) => {
      const e = b.kind === 'p' ? b.edits?.find((x) => x.id === id) : undefined;
      if (!e || b.kind !== 'p') return b;
      const rest = (b.edits ?? []).filter((x) => x !== e);
      if (!accept) return { ...b, edits: rest };
      // Later edits of the paragraph move by the change in length.
      const shift = e.after.length - (e.end - e.start);
      const moved = rest.map((x) => (x.start >= e.end ? { ...x, start: x.start + shift, end: x.end + shift } : x));
      return { ...b, text: b.text.slice(0, e.start) + e.after + b.text.slice(e.end), edits: moved };
    });
    if (notify) this.changed();
  }

  // ---- Check wording ----

  /** The paragraphs of the last wording read, by index. */
  private wordingBlocks: string[] = [];

  readWording(scope: WordingScope): Promise<WordingRead> {
    const body = this.blocks.filter((b): b is DocParagraph => b.kind === 'p' && !b.suggestion);
    const picked = scope === 'selection' && this.remembered?.text ? body.filter((b) => this.remembered?.blockIds.includes(b.id)) : [];
    const read = picked.length > 0 ? picked : body;
    this.wordingBlocks = read.map((b) => b.id);
    return Promise.resolve({ paragraphs: read.map((b) => b.text), scope: picked.length > 0 ? 'selection' : 'document', roundTrips: 0 });
  }

  /** Shows the suggestions as word-level tracked changes (struck-through / underlined) with their comments. */
  applyWording(request: WordingApplyRequest): Promise<WordingApplyResult> {
    const result: WordingApplyResult = { applied: [], skipped: [], roundTrips: 0 };
    for (const s of request.suggestions) {
      const id = this.wordingBlocks[s.paragraph];
      const b = this.blocks.find((x): x is DocParagraph => x.kind === 'p' && x.id === id);
      const overlaps = b?.edits?.some((e) => e.start < s.end && s.start < e.end);
      if (!b || b.text !== request.checked[s.paragraph] || overlaps || b.text.slice(s.start, s.end) !== s.before) {
        result.skipped.push(s.id);
        continue;
      }
      b.edits = [...(b.edits ?? []), { id: newId('w'), start: s.start, end: s.end, before: s.before, after: s.after, comment: wordingComment(s, request.language) }].sort((x, y) => x.start - y.start);
      result.applied.push(s.id);
    }
    this.blocks = this.blocks.map((b) => (b.kind === 'p' && b.edits ? { ...b } : b));
    this.changed();
    return Promise.resolve(result);
  }

  private review(id: string, accept: boolean, notify = true): void {
    if (!this.suggestionsById.delete(id)) return;
    const next: DocBlock[] = [];
    for (const b of this.blocks) {
      if (b.kind === 'p') {
        if (b.suggestion !== id) next.push(b);
        else if (accept) {
          const { suggestion: _s, ...rest } = b;
          next.push(rest);
        }
        continue;
      }
      for (const row of b.rows) {
        for (const cell of row) {
          const mine = cell.added.filter((a) => a.suggestion === id);
          if (mine.length === 0) continue;
          cell.added = cell.added.filter((a) => a.suggestion !== id);
          if (accept) cell.text = [cell.text, ...mine.flatMap((a) => a.paragraphs)].filter((x) => x).join('\n');
        }
      }
      next.push({ ...b, rows: b.rows.map((r) => r.map((c) => ({ ...c }))) });
    }
    this.blocks = next;
    if (notify) this.changed();
  }

  // ---- selection mapping ----

  private domSelection(): { text: string; anchor: string; blockIds: string[]; rows: Map<string, number[]> } | undefined {
    const root = this.root;
    if (!root || typeof window === 'undefined') return undefined;
    const sel = window.getSelection();
    if (!sel || sel.rangeCount === 0) return undefined;
    const range = sel.getRangeAt(0);
    if (!root.contains(range.commonAncestorContainer)) return undefined;
    const texts: string[] = [];
    const blockIds: string[] = [];
    const rows = new Map<string, number[]>();
    for (const el of Array.from(root.querySelectorAll<HTMLElement>('[data-block-id]'))) {
      if (!range.intersectsNode(el)) continue;
      const id = el.dataset.blockId ?? '';
      blockIds.push(id);
      if (el.dataset.kind === 'table') {
        const picked: number[] = [];
        for (const tr of Array.from(el.querySelectorAll<HTMLElement>('[data-row]'))) {
          if (range.intersectsNode(tr)) {
            picked.push(Number(tr.dataset.row));
            texts.push(Array.from(tr.querySelectorAll<HTMLElement>('[data-cell-text]')).map((c) => c.textContent ?? '').join('\t'));
          }
        }
        rows.set(id, picked);
        continue;
      }
      const textEl = el.querySelector<HTMLElement>('[data-text]') ?? el;
      const r = document.createRange();
      r.selectNodeContents(textEl);
      if (range.compareBoundaryPoints(Range.START_TO_START, r) > 0) r.setStart(range.startContainer, range.startOffset);
      if (range.compareBoundaryPoints(Range.END_TO_END, r) < 0) r.setEnd(range.endContainer, range.endOffset);
      texts.push(r.toString());
    }
    const last = blockIds[blockIds.length - 1];
    return { text: range.collapsed ? '' : texts.join('\n'), anchor: last ? `block:${last}` : 'end', blockIds, rows };
  }

  // ---- DocumentHost ----

  capabilities(): Promise<HostCapabilities> {
    const suggestions = this.options.suggestions ?? true;
    const caps: HostCapabilities = {
      name: 'Playground',
      suggestions,
      comments: true,
      tables: true,
      displayLanguage: this.options.displayLanguage ?? (typeof navigator !== 'undefined' ? navigator.language : 'en'),
    };
    if (!suggestions) caps.suggestionsUnavailableReason = 'Suggestions are switched off in this playground (?suggestions=0), as in Word without WordApi 1.4.';
    return Promise.resolve(caps);
  }

  readSelection(): Promise<SelectionSnapshot> {
    const sel = this.domSelection() ?? this.remembered;
    return Promise.resolve(sel ? { text: sel.text, anchor: sel.anchor } : { text: '', anchor: 'end' });
  }

  readDocumentStart(maxChars: number): Promise<string> {
    const text = this.blocks.flatMap((b) => (b.kind === 'p' && !b.suggestion ? [b.text] : [])).join('\n');
    return Promise.resolve(text.slice(0, maxChars));
  }

  onSelectionChanged(listener: () => void): () => void {
    this.selectionListeners.add(listener);
    return () => this.selectionListeners.delete(listener);
  }

  readTable(): Promise<TableRead> {
    const sel = this.domSelection() ?? this.remembered;
    const id = sel?.blockIds.find((b) => sel.rows.has(b));
    const table = this.blocks.find((b): b is DocTable => b.kind === 'table' && b.id === id);
    if (!sel || !id || !table) {
      return Promise.resolve({ ok: false, reason: 'not-in-table', message: 'Put the cursor in a table first. · 请先把光标放在表格中。' });
    }
    return Promise.resolve({
      ok: true,
      table: {
        tableId: table.id,
        rows: table.rows.map((r) => r.map((c) => c.text)),
        selectedRows: (sel.rows.get(id) ?? []).filter((i) => i > 0),
      },
    });
  }

  apply(plans: readonly InsertionPlan[]): Promise<ApplyResult> {
    if (!(this.options.suggestions ?? true)) {
      return Promise.reject(new Error('This document cannot take suggestions; nothing was inserted. · 此文档无法插入修订，未插入任何内容。'));
    }
    // One insertion at a time, like WordHost: a second caller waits for the first (and its audit records).
    return this.applyQueue.run(() => this.applyNow(plans));
  }

  private async applyNow(plans: readonly InsertionPlan[]): Promise<ApplyResult> {
    const result: ApplyResult = { inserted: [], failed: [], roundTrips: 1 };
    const records: AuditRecord[] = [];
    for (const plan of plans) {
      const error = this.applyOne(plan);
      if (error) result.failed.push({ auditId: plan.auditId, message: error });
      else {
        result.inserted.push(plan.auditId);
        // Like WordHost: the audit record travels with the plan and is stored only when the insertion succeeded.
        if (plan.audit) records.push({ ...plan.audit, event: 'inserted', insertion: 'whole', time: new Date().toISOString() });
      }
    }
    this.changed();
    await this.audit.save(records);
    return result;
  }

  private newSuggestion(auditId: string): string {
    const id = newId('s');
    this.suggestionsById.set(id, { id, auditId, number: ++this.suggestionCounter });
    return id;
  }

  private paragraphsOf(blocks: readonly PlanBlock[], suggestion: string): DocParagraph[] {
    const out: DocParagraph[] = [];
    for (const b of blocks) {
      const comments = b.comments.map((c) => `${c.anchorText}: ${c.text}`);
      const record = this.suggestionsById.get(suggestion)?.auditId;
      const own = record !== undefined ? { record } : {};
      out.push({ kind: 'p', id: newId('p'), text: b.heading, style: b.headingStyle, suggestion, ...own });
      b.paragraphs.forEach((text, i) => {
        const p: DocParagraph = { kind: 'p', id: newId('p'), text, style: 'Normal', suggestion, ...own };
        if (i === b.paragraphs.length - 1 && comments.length > 0) p.comments = comments;
        out.push(p);
      });
    }
    return out;
  }

  private applyOne(plan: InsertionPlan): string | undefined {
    const t = plan.target;
    if (t.kind === 'after-anchor') {
      let at = this.blocks.length;
      if (t.anchor.startsWith('block:')) {
        const i = this.blocks.findIndex((b) => `block:${b.id}` === t.anchor);
        if (i < 0) return 'The place the text was selected from no longer exists. · 原选中位置已不存在。';
        at = i + 1;
        // After earlier suggestions already inserted at the same place, keep insertion order.
        while (this.blocks[at]?.kind === 'p' && (this.blocks[at] as DocParagraph).suggestion) at++;
      }
      this.blocks.splice(at, 0, ...this.paragraphsOf(plan.blocks, this.newSuggestion(plan.auditId)));
      return undefined;
    }
    const table = this.blocks.find((b): b is DocTable => b.kind === 'table' && b.id === t.tableId);
    if (!table) return 'The table no longer exists. · 表格已不存在。';
    if (t.kind === 'table-cell') {
      const col = table.rows[0]?.findIndex((c) => c.text.trim() === t.column) ?? -1;
      const cell = table.rows[t.rowIndex]?.[col];
      if (col < 0 || !cell) return `No column “${t.column}” in row ${t.rowIndex}. · 找不到该列。`;
      const paragraphs = plan.blocks.flatMap((b) => [b.heading, ...b.paragraphs]);
      cell.added.push({ suggestion: this.newSuggestion(plan.auditId), paragraphs });
      return undefined;
    }
    const at = this.blocks.indexOf(table) + 1;
    let end = at;
    while (this.blocks[end]?.kind === 'p' && (this.blocks[end] as DocParagraph).suggestion) end++;
    const suggestion = this.newSuggestion(plan.auditId);
    const title: DocParagraph = { kind: 'p', id: newId('p'), text: t.title, style: 'Heading2', suggestion, record: plan.auditId };
    this.blocks.splice(end, 0, title, ...this.paragraphsOf(plan.blocks, suggestion));
    return undefined;
  }

  saveAudit(records: readonly AuditRecord[]): Promise<void> {
    return this.audit.save(records.map((r) => ({ ...r, time: r.time || new Date().toISOString() })));
  }

  readAudit(): Promise<AuditRecord[]> {
    return Promise.resolve(this.audit.records());
  }

  readAuditTrail(): Promise<AuditTrail> {
    return Promise.resolve(this.audit.read());
  }

  /**
   * The review of inserted records, as this document knows it: a record with an open suggestion is pending; once
   * accepted, its paragraphs are compared with what was inserted (edited or accepted); gone means rejected. In a
   * table cell an accepted record merges into the cell's text and is found there by its text.
   */
  async readReview(records: readonly AuditRecord[]): Promise<ReviewReport> {
    const states: ReviewState[] = [];
    const open = new Set([...this.suggestionsById.values()].map((x) => x.auditId));
    for (const r of records) {
      if ((r.event ?? 'inserted') !== 'inserted') continue;
      const paragraphs = this.blocks.filter((b): b is DocParagraph => b.kind === 'p' && b.record === r.auditId);
      const cells = this.blocks.flatMap((b) => (b.kind === 'table' ? b.rows.flat().map((c) => c.text) : []));
      let finalText: string | undefined = paragraphs.length > 0 ? paragraphs.map((p) => p.text).join('\n') : undefined;
      if (finalText === undefined && r.text !== undefined && cells.some((c) => c.includes(r.text as string))) finalText = r.text;
      states.push(await reviewStateOf(r, finalText, open.has(r.auditId)));
    }
    return { supported: true, states };
  }
}
