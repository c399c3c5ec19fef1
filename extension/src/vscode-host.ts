/**
 * VsCodeHost: the DocumentHost of VS Code (Continue's `VsCodeIde`). Reads the selection and Markdown pipe tables
 * of the last active text editor, applies InsertionPlans as ONE WorkspaceEdit whose entries need confirmation, so
 * the writer reviews every section in VS Code's refactor preview (VS Code's counterpart of tracked changes), and
 * keeps the audit trail in a file beside the document (`<doc>.liuhen-audit.json`).
 *
 * It uses only APIs that exist in both desktop and web VS Code (`workspace.fs`, no Node built-ins), so the same
 * code runs as the node `main` and as the webworker `browser` extension entry.
 */
import * as vscode from 'vscode';
import type {
  ApplyResult,
  AuditRecord,
  AuditTrail,
  DocumentHost,
  HostCapabilities,
  InsertionPlan,
  PlanBlock,
  ReviewReport,
  ReviewState,
  SelectionSnapshot,
  TableRead,
} from '../../shared/host/port';
import { AnchorTracker } from './anchors';
import { applyWordingInVsCode, readWordingLines, type WordingOrigin } from './wording';
import type { WordingApplyRequest, WordingApplyResult, WordingRead, WordingScope } from '../../shared/wording';
import { changeCount, MemoryTrail } from '../../shared/pipeline/audit-chain';
import { Serial } from '../../shared/serial';
import { appendAuditFile, readAuditTrailFile } from './audit-file';
import {
  cellRanges,
  cellText,
  flavourOf,
  lineOfRow,
  locateTable,
  renderBlock,
  renderTitle,
  rowOfLine,
  separators,
  type DocumentFlavour,
} from './markdown';

/** Suffix of the audit file kept beside each document. */
export const AUDIT_SUFFIX = '.liuhen-audit.json';

const NO_EDITOR = 'Open a Markdown or text document in an editor and select the text Liuhen should use.';

/** One piece of the WorkspaceEdit, remembered to check afterwards whether the writer kept it. */
interface Piece {
  auditId: string;
  uri: vscode.Uri;
  /** The record text of the piece (what the audit record hashes). */
  expected: string;
  /** Where the edit starts and ends in the document's text before the preview (`\n` line ends). */
  start: number;
  end: number;
  /** The exact text the edit puts there (`\n` line ends). */
  insert: string;
}

/**
 * Which pieces the writer kept, read from the document's text after the refactor preview: walking the pieces in
 * document order, a piece landed when its text stands at its place (shifted by the pieces before it) followed by
 * the original text up to the next piece. Exact positions, not `includes()`: regeneration is deterministic, so
 * the same text may already be in the document from an earlier insertion.
 */
export function landedOf<P extends { start: number; end: number; insert: string }>(before: string, after: string, pieces: readonly P[]): P[] {
  const sorted = [...pieces].sort((a, b) => a.start - b.start);
  const landed: P[] = [];
  let pos = 0;
  let cursor = 0;
  for (const [i, p] of sorted.entries()) {
    const gap = before.slice(cursor, p.start);
    if (after.slice(pos, pos + gap.length) !== gap) return landed;
    pos += gap.length;
    cursor = p.start;
    const nextStart = sorted[i + 1]?.start ?? before.length;
    const tail = before.slice(p.end, Math.max(p.end, nextStart));
    const original = before.slice(p.start, p.end);
    if (after.startsWith(p.insert + tail, pos) && !(p.insert === original)) {
      landed.push(p);
      pos += p.insert.length;
    } else if (after.startsWith(original, pos)) pos += original.length;
    else return landed;
    cursor = p.end;
  }
  return landed;
}

/** One record's review read from the document's text (see VsCodeHost.readReview). */
export function reviewInText(ref: string, inserted: string, documentText: string): ReviewState {
  if (documentText.includes(inserted)) return { ref, verdict: 'accepted', finalText: inserted };
  const lines = inserted.split('\n').filter((l) => l.trim() !== '');
  const first = lines[0] ?? '';
  const last = lines[lines.length - 1] ?? '';
  // The record is found by its first line (its heading or title); lines such as a common closing sentence are
  // shared by many records and prove nothing. A record whose first line was rewritten reads as deleted.
  const start = first === '' ? -1 : documentText.indexOf(first);
  if (start < 0) return { ref, verdict: 'rejected' };
  const at = documentText.indexOf(last, start);
  const end = at >= 0 && at - start <= inserted.length * 2 ? at + last.length : Math.min(documentText.length, start + inserted.length);
  const finalText = documentText.slice(start, end);
  return { ref, verdict: 'edited', changeCount: changeCount(inserted, finalText), finalText };
}

/** The audit file beside a document (`notes.md` -> `notes.md.liuhen-audit.json`). */
export function auditUriFor(documentUri: vscode.Uri): vscode.Uri {
  return documentUri.with({ path: `${documentUri.path}${AUDIT_SUFFIX}` });
}

function normaliseEol(text: string): string {
  return text.replace(/\r\n?/g, '\n');
}

/** Offset of `position` in the document's text with `\n` line ends. */
function offsetOf(doc: vscode.TextDocument, position: vscode.Position): number {
  return normaliseEol(doc.getText(new vscode.Range(new vscode.Position(0, 0), position))).length;
}

function isFileNotFound(error: unknown): boolean {
  if (error instanceof vscode.FileSystemError) return error.code === 'FileNotFound' || error.code === 'EntryNotFound';
  return typeof error === 'object' && error !== null && /not ?found|ENOENT/i.test(String((error as { code?: unknown; message?: unknown }).code ?? (error as { message?: unknown }).message));
}

/** The DocumentHost backed by VS Code's editors and workspace. Dispose it with the extension. */
export class VsCodeHost implements DocumentHost, vscode.Disposable {
  private readonly anchors = new AnchorTracker();
  /** Header rows of the tables read, by table id: a plan for a table whose header changed is refused. */
  private readonly tableHeaders = new Map<string, string[]>();
  /** Audit trails of documents that have no file yet (untitled): kept for the session. */
  private readonly unsavedAudit = new Map<string, MemoryTrail>();
  /** The insertion queue: one refactor preview at a time. */
  private readonly applyQueue = new Serial();
  /** Audit writes, one at a time (the chain has one writer). */
  private readonly auditWrites = new Serial();
  private readonly disposables: vscode.Disposable[] = [];
  private lastEditor: vscode.TextEditor | undefined;
  /** Where the last "Check wording" read came from (its suggestions index those lines). */
  private wordingOrigin: WordingOrigin | undefined;
  /** The document Liuhen last read from or wrote to: its audit file is the one `saveAudit` appends to. */
  private lastDocument: vscode.Uri | undefined;

  constructor() {
    this.lastEditor = vscode.window.activeTextEditor;
    this.disposables.push(
      // The panel takes focus when the writer clicks Generate: remember the editor they came from.
      vscode.window.onDidChangeActiveTextEditor((editor) => {
        if (editor) this.lastEditor = editor;
      }),
      vscode.workspace.onDidChangeTextDocument((event) => {
        this.anchors.applyChanges(event.document.uri.toString(), event.contentChanges);
      }),
      vscode.workspace.onDidCloseTextDocument((document) => this.anchors.forgetDocument(document.uri.toString())),
    );
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }

  capabilities(): Promise<HostCapabilities> {
    return Promise.resolve({
      name: 'VS Code',
      suggestions: true,
      comments: false,
      tables: true,
      displayLanguage: vscode.env.language,
    });
  }

  // async: a missing editor rejects (DocumentHost methods reject, never throw).
  async readSelection(): Promise<SelectionSnapshot> {
    const editor = this.editor();
    const { document, selection } = editor;
    const uri = document.uri.toString();
    const anchor = this.anchors.track('selection', {
      uri,
      start: document.offsetAt(selection.start),
      end: document.offsetAt(selection.end),
    });
    this.lastDocument = document.uri;
    return { text: normaliseEol(document.getText(selection)), anchor };
  }

  onSelectionChanged(listener: () => void): () => void {
    const subscription = vscode.window.onDidChangeTextEditorSelection(() => listener());
    return () => subscription.dispose();
  }

  async readTable(): Promise<TableRead> {
    const editor = this.editor();
    const { document, selection } = editor;
    const lines = this.lines(document);
    const table = locateTable(lines, selection.start.line);
    if (!table) {
      return {
        ok: false,
        reason: 'not-in-table',
        message: 'Put the cursor in a Markdown table: a header row, a "| --- |" row, then one row per employee.',
      };
    }
    // A selection that ends at the start of a line does not include that line.
    const lastSelected = selection.end.line > selection.start.line && selection.end.character === 0 ? selection.end.line - 1 : selection.end.line;
    const selectedRows: number[] = [];
    for (let line = selection.start.line; line <= lastSelected; line += 1) {
      const row = rowOfLine(table, line);
      if (row !== undefined && row > 0) selectedRows.push(row);
    }
    const tableId = this.anchors.track('table', {
      uri: document.uri.toString(),
      start: document.offsetAt(new vscode.Position(table.headerLine, 0)),
      end: document.offsetAt(document.lineAt(table.lastLine).range.end),
    });
    this.tableHeaders.set(tableId, table.rows[0] ?? []);
    this.lastDocument = document.uri;
    return { ok: true, table: { tableId, rows: table.rows, selectedRows } };
  }

  /**
   * Applies plans as one WorkspaceEdit the writer confirms in the refactor preview. Calls join one queue: a
   * second apply (a batch row while "Insert flagged rows" runs) waits for the first preview to close, so two
   * previews never race over the same document.
   */
  apply(plans: readonly InsertionPlan[]): Promise<ApplyResult> {
    return this.applyQueue.run(() => this.applyNow(plans));
  }

  // async: a missing editor rejects (DocumentHost methods reject, never throw).
  async readWording(scope: WordingScope): Promise<WordingRead> {
    const { read, origin } = readWordingLines(this.editor(), scope);
    this.wordingOrigin = origin;
    this.lastDocument = origin.uri;
    return read;
  }

  /** Wording suggestions as refactor-preview entries, in the insertion queue (one preview at a time). */
  applyWording(request: WordingApplyRequest): Promise<WordingApplyResult> {
    const origin = this.wordingOrigin;
    if (!origin) return Promise.reject(new Error('Run "Check wording" first.'));
    return this.applyQueue.run(() => applyWordingInVsCode(request, origin, this.findDocument(origin.uri.toString())));
  }

  private async applyNow(plans: readonly InsertionPlan[]): Promise<ApplyResult> {
    const edit = new vscode.WorkspaceEdit();
    const pieces: Piece[] = [];
    const failed: ApplyResult['failed'] = [];
    for (const plan of plans) {
      try {
        pieces.push(...this.addPlan(edit, plan));
      } catch (error) {
        failed.push({ auditId: plan.auditId, message: error instanceof Error ? error.message : String(error) });
      }
    }
    if (pieces.length === 0) return { inserted: [], failed, roundTrips: 0 };
    // The documents' text before the preview: which pieces landed is read from the text after it, at their places.
    const before = new Map<string, string>();
    for (const p of pieces) before.set(p.uri.toString(), before.get(p.uri.toString()) ?? this.documentText(p.uri) ?? '');
    // Resolves once the writer applied (true) or discarded (false) the refactor preview.
    const applied = await vscode.workspace.applyEdit(edit);
    const landedPieces = new Set<Piece>();
    if (applied) {
      for (const [key, text] of before) {
        const after = this.documentText(vscode.Uri.parse(key)) ?? text;
        for (const p of landedOf(text, after, pieces.filter((x) => x.uri.toString() === key))) landedPieces.add(p);
      }
    }
    const inserted: string[] = [];
    const partial: string[] = [];
    const seen = new Set<string>();
    for (const piece of pieces) {
      if (seen.has(piece.auditId)) continue;
      seen.add(piece.auditId);
      const ofPlan = pieces.filter((p) => p.auditId === piece.auditId);
      const landed = ofPlan.filter((p) => landedPieces.has(p)).length;
      // The preview lets the writer uncheck entries: some sections of a plan may land without the others.
      if (landed > 0) {
        inserted.push(piece.auditId);
        if (landed < ofPlan.length) partial.push(piece.auditId);
      } else {
        failed.push({
          auditId: piece.auditId,
          message: applied ? 'The writer unchecked these changes in the refactor preview.' : 'The writer discarded the proposed changes.',
        });
      }
    }
    this.lastDocument = pieces[0]?.uri ?? this.lastDocument;
    const result: ApplyResult = { inserted, failed, roundTrips: 1, ...(partial.length > 0 ? { partial } : {}) };
    // Plans that carry their audit record: stored with the insertion, only for what the writer applied.
    const byDocument = new Map<string, { uri: vscode.Uri; records: AuditRecord[] }>();
    for (const plan of plans) {
      if (!plan.audit || !inserted.includes(plan.auditId)) continue;
      const ofPlan = pieces.filter((p) => p.auditId === plan.auditId);
      const uri = ofPlan[0]?.uri;
      if (!uri) continue;
      const entry = byDocument.get(uri.toString()) ?? { uri, records: [] };
      const isPartial = partial.includes(plan.auditId);
      // The record's time is the insertion's: the writer may have reviewed the preview for a while. Its text (and
      // so its hash) is what actually landed, as the document has it: the sections the writer kept, in Markdown.
      const { textHash: _hash, ...audit } = plan.audit;
      entry.records.push({
        ...audit,
        event: 'inserted',
        insertion: isPartial ? 'partial' : 'whole',
        text: ofPlan.filter((p) => landedPieces.has(p)).map((p) => p.expected).join('\n\n'),
        time: new Date().toISOString(),
      });
      byDocument.set(uri.toString(), entry);
    }
    for (const { uri, records } of byDocument.values()) {
      try {
        await this.saveAuditFor(uri, records);
      } catch (error) {
        result.auditError = `The text was inserted, but its audit record could not be stored: ${error instanceof Error ? error.message : String(error)}`;
      }
    }
    return result;
  }

  async saveAudit(records: readonly AuditRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.saveAuditFor(this.auditDocument(), records);
  }

  /** Appends records to the audit file beside `documentUri`; a file that is not Liuhen's is left untouched. */
  saveAuditFor(documentUri: vscode.Uri, records: readonly AuditRecord[]): Promise<void> {
    // One writer at a time: each record is chained to the one before it.
    return this.auditWrites.run(() => this.appendAudit(documentUri, records));
  }

  private async appendAudit(documentUri: vscode.Uri, records: readonly AuditRecord[]): Promise<void> {
    const stamped = records.map((r) => ({ ...r, time: r.time || new Date().toISOString() }));
    if (documentUri.scheme === 'untitled') {
      const key = documentUri.toString();
      const trail = this.unsavedAudit.get(key) ?? new MemoryTrail();
      this.unsavedAudit.set(key, trail);
      await trail.save(stamped);
      return;
    }
    const target = auditUriFor(documentUri);
    const text = await this.readAuditText(target);
    await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(await appendAuditFile(text, target.path, documentUri.path, stamped)));
  }

  private async readAuditText(target: vscode.Uri): Promise<string> {
    try {
      return new TextDecoder().decode(await vscode.workspace.fs.readFile(target));
    } catch (error) {
      if (isFileNotFound(error)) return '';
      throw error;
    }
  }

  async readAudit(): Promise<AuditRecord[]> {
    return this.readAuditOf(this.auditDocument());
  }

  /** The audit records stored beside `documentUri` (empty when there is no file yet). */
  async readAuditOf(documentUri: vscode.Uri): Promise<AuditRecord[]> {
    return (await this.readAuditTrailOf(documentUri)).entries.flatMap((e) => (e.record ? [e.record] : []));
  }

  async readAuditTrail(): Promise<AuditTrail> {
    return this.readAuditTrailOf(this.auditDocument());
  }

  /**
   * The writer's review as the document shows it now. The refactor preview already decided what landed (a
   * discarded section is never recorded); afterwards the text tells: a record still there as inserted is
   * accepted, one whose first or last line is still there but whose text differs is edited (with the number of
   * characters changed), one that is gone is rejected or deleted. VS Code has no pending state after the preview.
   */
  async readReview(records: readonly AuditRecord[]): Promise<ReviewReport> {
    const uri = this.auditDocument();
    const text = this.documentText(uri);
    if (text === undefined) return { supported: false, reason: 'Open the document to check the review of its records.', states: [] };
    const states: ReviewState[] = [];
    for (const r of records) {
      if ((r.event ?? 'inserted') !== 'inserted' || r.text === undefined) continue;
      states.push(reviewInText(r.auditId, r.text, text));
    }
    return { supported: true, states };
  }

  /** The trail beside `documentUri` as stored, unreadable records included, for verification. */
  async readAuditTrailOf(documentUri: vscode.Uri): Promise<AuditTrail> {
    if (documentUri.scheme === 'untitled') return this.unsavedAudit.get(documentUri.toString())?.read() ?? { entries: [] };
    const target = auditUriFor(documentUri);
    return readAuditTrailFile(await this.readAuditText(target), target.path);
  }

  /** The document whose audit trail is meant: the one last read or written, else the active one. */
  auditDocument(): vscode.Uri {
    const uri = this.lastDocument ?? this.lastEditor?.document.uri;
    if (!uri) throw new Error(NO_EDITOR);
    return uri;
  }

  private editor(): vscode.TextEditor {
    const active = vscode.window.activeTextEditor;
    if (active) this.lastEditor = active;
    const editor = this.lastEditor;
    if (!editor || editor.document.isClosed) throw new Error(NO_EDITOR);
    return editor;
  }

  private lines(document: vscode.TextDocument): string[] {
    return normaliseEol(document.getText()).split('\n');
  }

  private documentText(uri: vscode.Uri): string | undefined {
    const key = uri.toString();
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === key);
    return doc ? normaliseEol(doc.getText()) : undefined;
  }

  private findDocument(uri: string): vscode.TextDocument {
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri && !d.isClosed);
    if (!doc) throw new Error('The document was closed before the text could be inserted. Open it and generate again.');
    return doc;
  }

  /** Adds a plan's entries to the edit; throws (adding nothing) when its target cannot be found. */
  private addPlan(edit: vscode.WorkspaceEdit, plan: InsertionPlan): Piece[] {
    const target = plan.target;
    const metadata = (label: string, block?: PlanBlock): vscode.WorkspaceEditEntryMetadata => ({
      needsConfirmation: true,
      label,
      description: [`Liuhen ${plan.auditId}`, ...(block?.comments.map((c) => c.text) ?? [])].join(' · '),
    });
    if (target.kind === 'after-anchor') {
      const range = this.anchors.get(target.anchor);
      if (!range) throw new Error('Liuhen lost track of where the selection was. Select the text again and generate.');
      const doc = this.findDocument(range.uri);
      const flavour = flavourOf(doc.languageId);
      const position = this.insertionPoint(doc, range.start, range.end);
      const { before, after } = separators(doc.lineAt(position.line).text, position.line + 1 < doc.lineCount ? doc.lineAt(position.line + 1).text : undefined);
      return plan.blocks.map((block) => {
        const text = renderBlock(block, flavour);
        const insert = `${before}${text}${after}`;
        edit.insert(doc.uri, position, insert, metadata(block.heading, block));
        const at = offsetOf(doc, position);
        return { auditId: plan.auditId, uri: doc.uri, expected: text, start: at, end: at, insert: normaliseEol(insert) };
      });
    }
    const { doc, table } = this.table(target.tableId);
    const flavour: DocumentFlavour = flavourOf(doc.languageId);
    if (target.kind === 'after-table') {
      const position = doc.lineAt(table.lastLine).range.end;
      const { after } = separators(doc.lineAt(table.lastLine).text, table.lastLine + 1 < doc.lineCount ? doc.lineAt(table.lastLine + 1).text : undefined);
      const text = [renderTitle(target.title, flavour), ...plan.blocks.map((b) => renderBlock(b, flavour))].join('\n\n');
      const insert = `\n\n${text}${after}`;
      edit.insert(doc.uri, position, insert, metadata(target.title));
      const at = offsetOf(doc, position);
      return [{ auditId: plan.auditId, uri: doc.uri, expected: text, start: at, end: at, insert: normaliseEol(insert) }];
    }
    // table-cell: append the record to the cell, keeping the cell's text.
    const header = table.rows[0] ?? [];
    const column = header.indexOf(target.column);
    if (column < 0) throw new Error(`The table has no column "${target.column}".`);
    if (target.rowIndex < 1 || target.rowIndex >= table.rows.length) throw new Error(`The table has no row ${target.rowIndex}.`);
    const lineNo = lineOfRow(table, target.rowIndex);
    const line = doc.lineAt(lineNo).text;
    const cells = cellRanges(line);
    // Headings bold in Markdown; heading and paragraphs escaped as model text.
    const addition = plan.blocks
      .map((b) => [flavour === 'markdown' ? `**${cellText([b.heading], flavour)}**` : cellText([b.heading], flavour), cellText(b.paragraphs, flavour)].filter((x) => x !== '').join('<br>'))
      .join('<br>');
    const label = `${target.column} · ${table.rows[target.rowIndex]?.[0] ?? `row ${target.rowIndex}`}`;
    const cell = cells[column];
    if (cell) {
      const existing = line.slice(cell.start, cell.end).trim();
      const text = existing === '' ? addition : `${existing}<br>${addition}`;
      const range = new vscode.Range(lineNo, cell.start, lineNo, cell.end);
      edit.replace(doc.uri, range, ` ${text} `, metadata(label));
      return [{ auditId: plan.auditId, uri: doc.uri, expected: addition, start: offsetOf(doc, range.start), end: offsetOf(doc, range.end), insert: normaliseEol(` ${text} `) }];
    }
    // The row has fewer cells than the header: add the missing ones.
    const missing = column - cells.length;
    const trimmed = line.trimEnd();
    const closed = trimmed.endsWith('|') && !trimmed.endsWith('\\|');
    const padding = `${closed ? '' : ' |'}${'  |'.repeat(missing)} ${addition} |`;
    const position = new vscode.Position(lineNo, trimmed.length);
    edit.insert(doc.uri, position, padding, metadata(label));
    const at = offsetOf(doc, position);
    return [{ auditId: plan.auditId, uri: doc.uri, expected: addition, start: at, end: at, insert: normaliseEol(padding) }];
  }

  /** Where text goes after a selection: the end of the selection's last line (never inside a paragraph line). */
  private insertionPoint(doc: vscode.TextDocument, start: number, end: number): vscode.Position {
    const endPos = doc.positionAt(end);
    // A selection of whole lines ends at column 0 of the next line: insert after the last selected line.
    const line = end > start && endPos.character === 0 && endPos.line > 0 ? endPos.line - 1 : endPos.line;
    return doc.lineAt(line).range.end;
  }

  private table(tableId: string): { doc: vscode.TextDocument; table: NonNullable<ReturnType<typeof locateTable>> } {
    const range = this.anchors.get(tableId);
    const header = this.tableHeaders.get(tableId);
    if (!range || !header) throw new Error('Liuhen lost track of the table. Select its rows again and generate.');
    const doc = this.findDocument(range.uri);
    const table = locateTable(this.lines(doc), doc.positionAt(range.start).line);
    if (!table || JSON.stringify(table.rows[0]) !== JSON.stringify(header)) {
      throw new Error('The table changed since Liuhen read it (its header row is different). Select its rows again and generate.');
    }
    return { doc, table };
  }
}
