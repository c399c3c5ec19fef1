/** Types of the source module: what a host hands over (text or table rows) after it has been read. */

/** What kind of free text a source is. Table rows have their own reader (`tableToRecords`). */
export type TextSourceKind = 'transcript' | 'notes';

/** Who said a turn, as far as the label tells. Unlabelled turns have no speaker. */
export type SpeakerRole = 'interviewer' | 'employee' | 'other';

/**
 * One citable unit of a transcript or of notes: a speaker turn, a note line, a list item. Its `id` is what
 * the model cites in `sources` fields, so ids written in the input (`T3`, `N2`) are kept as written.
 */
export interface Turn {
  /** `T3`, `N2`: as written in the input, or generated (`T…` for transcripts, `N…` for notes). */
  id: string;
  /** The speaker's role, when a speaker label was recognised. */
  speaker?: SpeakerRole;
  /** The speaker label as written (`员工`, `HR`, `Interviewer`, `Q`), without the colon. */
  speakerLabel?: string;
  /**
   * The turn's text on one line: invisibles removed, whitespace runs collapsed, lines of a multi-line turn
   * joined (without a space between CJK characters). Every content character of the input span is here.
   */
  text: string;
  /** Offset (UTF-16 code units) of the turn's first content character in the original input. */
  start: number;
  /** Offset one past the turn's last content character in the original input. */
  end: number;
  /**
   * Set only on a piece of a turn that `chunkSource` had to split because it alone exceeded the budget:
   * which piece this is (0-based) of how many. Pieces keep the turn's id.
   */
  part?: { index: number; count: number };
}

/** A transcript or notes, cut into citable turns and rendered canonically for prompting. */
export interface NormalisedSource {
  kind: TextSourceKind;
  /** Turns in input order; each id occurs once. */
  turns: Turn[];
  /** Canonical rendering: one line per turn, `T2 员工: …` or `N1: …` (see `renderTurn`). */
  text: string;
  /** The original input the offsets refer to (lets `chunkSource` give exact offsets to split pieces). */
  input?: string;
}

/** One piece of a long source that fits a token budget; chunks partition the turns in order. */
export interface Chunk {
  /** 0-based position of this chunk. */
  index: number;
  /** How many chunks the source was cut into. */
  count: number;
  turns: Turn[];
  /** Canonical rendering of `turns`, exactly what is estimated against the budget. */
  text: string;
  /** `estimateTokens(text)`. */
  estimatedTokens: number;
}

/** One data row of a table, keyed by (unique) header names. */
export interface TableRecord {
  /** Index of the row in the `rows` array given to `tableToRecords` (0-based, counting the header). */
  rowIndex: number;
  /** Cell values by header name; an empty cell is `''`, a multi-paragraph cell has `\n` between paragraphs. */
  fields: Record<string, string>;
}

/** What `tableToRecords` read, or why it could not. */
export type TableReadResult =
  | {
      ok: true;
      /** Unique, non-empty column names, in column order. */
      header: string[];
      /** Index of the header row in the input. */
      headerRow: number;
      records: TableRecord[];
      /** What was repaired or skipped, one human-readable sentence each (rows and columns 1-based). */
      problems: string[];
    }
  | {
      ok: false;
      /** `empty`: no cell has content; `no-header`: no row looks like a header; `no-data`: a header but no data rows. */
      reason: 'empty' | 'no-header' | 'no-data';
      message: string;
    };
