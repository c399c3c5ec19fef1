/**
 * "Check wording" in VS Code: each line of the selection (or of the document when nothing is selected) is a
 * paragraph; the chosen suggestions become ONE WorkspaceEdit whose entries need confirmation, so they appear in
 * the refactor preview, one entry per suggestion: label = category, description = reason and what to write
 * instead. Only the flagged characters are replaced. Comment-only suggestions have no edit (VS Code has no
 * comments on edits): the panel lists them, and they are reported skipped.
 */
import * as vscode from 'vscode';
import type { WordingApplyRequest, WordingApplyResult, WordingRead, WordingScope, WordingSuggestion } from '../../shared/wording';

/** Where a read came from: the document and the line of paragraph 0. */
export interface WordingOrigin {
  uri: vscode.Uri;
  firstLine: number;
}

/** Reads the lines to check from `editor`. */
export function readWordingLines(editor: vscode.TextEditor, scope: WordingScope): { read: WordingRead; origin: WordingOrigin } {
  const { document, selection } = editor;
  const useSelection = scope === 'selection' && !selection.isEmpty;
  const first = useSelection ? selection.start.line : 0;
  // A selection ending at the start of a line does not include that line.
  const last = useSelection
    ? selection.end.character === 0 && selection.end.line > selection.start.line
      ? selection.end.line - 1
      : selection.end.line
    : document.lineCount - 1;
  const paragraphs: string[] = [];
  for (let line = first; line <= last; line += 1) paragraphs.push(document.lineAt(line).text);
  return { read: { paragraphs, scope: useSelection ? 'selection' : 'document', roundTrips: 0 }, origin: { uri: document.uri, firstLine: first } };
}

/**
 * Which suggestions of one line the writer kept: the line now reads as the checked line with each suggestion's
 * words either replaced (kept) or not (unchecked in the preview).
 */
function keptOf(checked: string, now: string, list: readonly WordingSuggestion[]): Set<string> {
  const kept = new Set<string>();
  let at = 0;
  let prev = 0;
  for (const s of [...list].sort((a, b) => a.start - b.start)) {
    const between = checked.slice(prev, s.start);
    if (!now.startsWith(between, at)) return kept;
    at += between.length;
    if (s.after !== s.before && now.startsWith(s.after, at) && (s.after !== '' || !now.startsWith(s.before, at))) {
      kept.add(s.id);
      at += s.after.length;
    } else if (now.startsWith(s.before, at)) at += s.before.length;
    else return kept;
    prev = s.end;
  }
  return kept;
}

/** Proposes the suggestions as one refactor preview; resolves with what the writer kept. */
export async function applyWordingInVsCode(request: WordingApplyRequest, origin: WordingOrigin, document: vscode.TextDocument): Promise<WordingApplyResult> {
  const result: WordingApplyResult = { applied: [], skipped: [], roundTrips: 0 };
  const edit = new vscode.WorkspaceEdit();
  const proposed = new Map<number, WordingSuggestion[]>();
  for (const s of request.suggestions) {
    const line = origin.firstLine + s.paragraph;
    const stale = line >= document.lineCount || document.lineAt(line).text !== request.checked[s.paragraph];
    if (s.kind === 'comment' || stale) {
      result.skipped.push(s.id);
      continue;
    }
    const advice = request.language === 'zh' ? `建议:${s.advice}` : `Instead: ${s.advice}`;
    edit.replace(document.uri, new vscode.Range(line, s.start, line, s.end), s.after, {
      needsConfirmation: true,
      label: s.label,
      description: `${s.reason} ${advice}`,
    });
    proposed.set(line, [...(proposed.get(line) ?? []), s]);
  }
  if (proposed.size === 0) return result;
  result.roundTrips = 1;
  const ok = await vscode.workspace.applyEdit(edit);
  for (const [line, list] of proposed) {
    const kept = ok && line < document.lineCount ? keptOf(request.checked[list[0]!.paragraph] ?? '', document.lineAt(line).text, list) : new Set<string>();
    for (const s of list) (kept.has(s.id) ? result.applied : result.skipped).push(s.id);
  }
  return result;
}
