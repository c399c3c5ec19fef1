/**
 * "Check wording" in Word: reads the writer's paragraphs (selection or whole document) and writes the chosen
 * suggestions as word-level tracked changes, each with a comment (category, reason, what to write instead).
 *
 * - Only the flagged words change: each suggestion's exact text is found with `paragraph.search(text,
 *   { matchCase: true })` in its own paragraph (the n-th occurrence the core computed), then replaced with
 *   `insertText(…, 'Replace')` or deleted. The paragraph's formatting is never set.
 * - A constant number of `context.sync()` per batch, however many suggestions: (1) tracking mode + paragraphs,
 *   (2) every search, (3) every edit and comment + the writer's mode back. A failed batch restores the mode
 *   with one more sync.
 * - A paragraph the writer changed since the check is skipped (its suggestions are reported, not written).
 * Called through WordHost, inside its insertion queue, so it never overlaps an insertion.
 */
import { wordingComment, type WordingSuggestion, type WordingApplyRequest, type WordingApplyResult, type WordingRead, type WordingScope } from '../../shared/wording';

/** Word's search accepts at most 255 characters. */
const MAX_SEARCH = 255;

function paragraphsOf(context: Word.RequestContext, scope: WordingScope): Word.ParagraphCollection {
  return scope === 'selection' ? context.document.getSelection().paragraphs : context.document.body.paragraphs;
}

/** Reads the paragraphs to check, in one sync (two when an empty selection falls back to the document). */
export async function readWordingParagraphs(scope: WordingScope): Promise<WordingRead> {
  return Word.run(async (context) => {
    let roundTrips = 1;
    let actual = scope;
    const selection = scope === 'selection' ? context.document.getSelection() : undefined;
    selection?.load('text');
    let ps = paragraphsOf(context, scope);
    ps.load('items/text');
    await context.sync();
    if (selection && selection.text.trim() === '') {
      actual = 'document';
      ps = paragraphsOf(context, 'document');
      ps.load('items/text');
      await context.sync();
      roundTrips += 1;
    }
    return { paragraphs: ps.items.map((p) => p.text), scope: actual, roundTrips };
  });
}

/**
 * Writes `request.suggestions` (from `checkWording(request.checked)`) as tracked changes with comments. A
 * paragraph whose text differs from the one checked is skipped. `writersMode`: the writer's
 * tracking mode when the insertion queue left Liuhen's TrackAll on (restore that, not what is read).
 */
export async function applyWordingInWord(request: WordingApplyRequest, writersMode?: Word.ChangeTrackingMode): Promise<WordingApplyResult> {
  const { suggestions, checked } = request;
  const options = { ...request, writersMode };
  const result: WordingApplyResult = { applied: [], skipped: [], roundTrips: 0 };
  if (suggestions.length === 0 && writersMode === undefined) return result;
  await Word.run(async (context) => {
    const sync = async (): Promise<void> => {
      result.roundTrips += 1;
      await context.sync();
    };
    const document = context.document;
    document.load('changeTrackingMode');
    const ps = paragraphsOf(context, options.scope);
    ps.load('items/text');
    await sync();
    const writers = options.writersMode ?? (document.changeTrackingMode as Word.ChangeTrackingMode);

    const live: Array<{ s: WordingSuggestion; results: Word.RangeCollection }> = [];
    for (const s of suggestions) {
      const p = ps.items[s.paragraph];
      if (!p || p.text !== checked[s.paragraph] || s.before.length === 0 || s.before.length > MAX_SEARCH) {
        result.skipped.push(s.id);
        continue;
      }
      const results = p.search(s.before, { matchCase: true });
      results.load('items');
      live.push({ s, results });
    }
    if (live.length === 0) {
      // Nothing to write; a mode left on by the insertion queue still goes back.
      if (options.writersMode !== undefined) {
        document.changeTrackingMode = writers;
        await sync();
      }
      return;
    }
    await sync();

    // Right to left within a paragraph, so a change never moves a range still to be changed.
    live.sort((a, b) => a.s.paragraph - b.s.paragraph || b.s.start - a.s.start);
    let written = false;
    try {
      document.changeTrackingMode = Word.ChangeTrackingMode.trackAll;
      const applied: string[] = [];
      for (const { s, results } of live) {
        const range = results.items[s.occurrence];
        if (!range) {
          result.skipped.push(s.id);
          continue;
        }
        const comment = wordingComment(s, options.language);
        if (s.kind === 'replace') range.insertText(s.after, Word.InsertLocation.replace).insertComment(comment);
        else if (s.kind === 'delete') {
          // Commented first: the deleted words stay visible as a tracked deletion, with the comment on them.
          range.insertComment(comment);
          range.delete();
        } else range.insertComment(comment);
        applied.push(s.id);
      }
      document.changeTrackingMode = writers;
      await sync();
      written = true;
      result.applied.push(...applied);
    } finally {
      if (!written) {
        // The failed batch dropped the restore with everything else: send it alone.
        document.changeTrackingMode = writers;
        await sync().catch(() => undefined);
      }
    }
  });
  return result;
}
