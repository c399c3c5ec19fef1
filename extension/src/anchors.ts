/**
 * Places in documents that Liuhen must keep finding while the writer edits: the end of a selection read before a
 * generation (insertion goes after it), a table read before a batch. Pure offset bookkeeping, no `vscode`, so it
 * is tested without an editor. The extension feeds it every document change (`onDidChangeTextDocument`).
 */

/** One change as VS Code reports it (`TextDocumentContentChangeEvent`): offsets in the document before it. */
export interface OffsetChange {
  rangeOffset: number;
  rangeLength: number;
  text: string;
}

/** A tracked place: a half-open offset range in one document. */
export interface TrackedRange {
  /** The document's URI as a string. */
  uri: string;
  start: number;
  end: number;
}

/** Moves one offset through one change. `stickToEnd`: an offset inside a replaced range moves to its end. */
export function shiftOffset(offset: number, change: OffsetChange, stickToEnd: boolean): number {
  const changeEnd = change.rangeOffset + change.rangeLength;
  if (offset < change.rangeOffset) return offset;
  // Text typed exactly at the start of a range goes before it (the writer typed there after reading).
  if (offset === change.rangeOffset && change.rangeLength === 0) return stickToEnd ? offset + change.text.length : offset;
  if (offset >= changeEnd) return offset + change.text.length - change.rangeLength;
  return stickToEnd ? change.rangeOffset + change.text.length : change.rangeOffset;
}

/** Remembers ranges by id and moves them as their documents change. */
export class AnchorTracker {
  private readonly ranges = new Map<string, TrackedRange>();
  private counter = 0;

  /**
   * Starts tracking a range; returns its id (`prefix:<n>`). Only the newest `keep` ranges of a prefix are kept
   * (the panel reads the selection on every selection change; old anchors are never used again).
   */
  track(prefix: string, range: TrackedRange, keep = 64): string {
    this.counter += 1;
    const id = `${prefix}:${this.counter}`;
    this.ranges.set(id, { ...range });
    const mine = [...this.ranges.keys()].filter((k) => k.startsWith(`${prefix}:`));
    // Map iteration follows insertion order: the first ids are the oldest.
    for (const old of mine.slice(0, Math.max(0, mine.length - keep))) this.ranges.delete(old);
    return id;
  }

  /** The range's current position, or undefined when the id is unknown (or its document closed). */
  get(id: string): TrackedRange | undefined {
    const r = this.ranges.get(id);
    return r ? { ...r } : undefined;
  }

  /**
   * Applies one document event. VS Code reports the changes of one event against the document before the
   * event and without overlaps, so applying them from the last to the first keeps every offset valid.
   */
  applyChanges(uri: string, changes: readonly OffsetChange[]): void {
    const ordered = [...changes].sort((a, b) => b.rangeOffset - a.rangeOffset);
    for (const r of this.ranges.values()) {
      if (r.uri !== uri) continue;
      for (const c of ordered) {
        r.start = shiftOffset(r.start, c, false);
        r.end = Math.max(r.start, shiftOffset(r.end, c, true));
      }
    }
  }

  /** Forgets every range of a closed document. */
  forgetDocument(uri: string): void {
    for (const [id, r] of this.ranges) if (r.uri === uri) this.ranges.delete(id);
  }

  /** Number of tracked ranges (diagnostics, tests). */
  get size(): number {
    return this.ranges.size;
  }
}
