/**
 * Transcript / notes normalisation: cut free text into citable turns (`T3 员工: …`, `N2 …`), keep the ids
 * the writer already uses, and render one canonical text for prompting.
 */
import { runSteps } from '../steps';
import { cleanInline, contentBounds, isContentChar, joinLines, splitLines } from './text';
import type { NormalisedSource, SpeakerRole, TextSourceKind, Turn } from './types';

/** Half-width, full-width and vertical/small-form colons. */
const COLON = '[:：︰﹕]';

/** Speaker labels recognised everywhere (case-insensitive), by role. Longer forms first only for clarity. */
const KNOWN_SPEAKERS: Record<SpeakerRole, string[]> = {
  interviewer: [
    'HRBP', 'HR', '人力资源', '人事', '面谈人', '面谈者', '访谈人', '访谈者', '主持人', '面试官', '采访人', '采访者', '问',
    'Interviewer', 'Q\\d{0,3}',
  ],
  employee: [
    '离职员工', '员工', '被面谈人', '受访者', '受访人', '被访者', '被访人', '答', 'Employee', 'Interviewee', 'Leaver',
    'A\\d{0,3}',
  ],
  other: ['直属上级', '上级', '经理', '主管', '记录人', '记录员', 'Manager', 'Observer', 'Note ?taker'],
};

const KNOWN_SPEAKER_RE = new RegExp(
  `(?:(?<interviewer>${KNOWN_SPEAKERS.interviewer.join('|')})|(?<employee>${KNOWN_SPEAKERS.employee.join('|')})|(?<other>${KNOWN_SPEAKERS.other.join('|')}))\\s*${COLON}`,
  'iuy',
);

/**
 * Any other short name before a colon (`王经理:`, `Jane Doe:`). Only used in transcripts, and only for a
 * label that starts at least two lines: a one-off `交接:` or `Reason:` is content, not a speaker.
 * `(?!//)` keeps `http://` out.
 */
const GENERIC_SPEAKER_RE = new RegExp(
  `(?<generic>\\p{L}[\\p{L}\\p{N}._'’·-]{0,15}(?: \\p{L}[\\p{L}\\p{N}._'’·-]{0,15}){0,2})\\s*${COLON}(?!//)`,
  'uy',
);
const GENERIC_MAX_LENGTH = 24;

/** Explicit turn ids: `T3`, `N12`, optionally in brackets `[T3]` / `【T3】`. */
const ID_RE = /\[([TN]\d{1,6})\]|【([TN]\d{1,6})】|([TN]\d{1,6})/uy;

/** List markers: bullets, `1.` `1、` `1)` `(1)`, `一、`. A `-`/`*`/`+` bullet needs a space, so `-5%` is text. */
const MARKER_RE =
  /[•●○◦▪▫■□◆◇►▶‣⁃・·]\s*|[-*+–](?:\s+|$)|(?:\d{1,3}|[一二三四五六七八九十]{1,3})(?:[.．](?!\d)|[、)）])\s*|[(（](?:\d{1,3}|[一二三四五六七八九十]{1,3})[)）]\s*/uy;

const COLON_CHAR = /[:：︰﹕]/u;

interface ParsedLabel {
  marker: boolean;
  explicitId?: string;
  speaker?: SpeakerRole;
  speakerLabel?: string;
}

interface ParsedLine {
  label?: ParsedLabel;
  /** Offset in the line where the turn text starts (after the label). */
  bodyStart: number;
}

type GenericPolicy = (label: string) => boolean;

function skipBlank(text: string, pos: number): number {
  while (pos < text.length) {
    const cp = text.codePointAt(pos) ?? 0;
    const ch = String.fromCodePoint(cp);
    if (isContentChar(ch)) break;
    pos += ch.length;
  }
  return pos;
}

function stickyMatch(re: RegExp, text: string, pos: number): RegExpExecArray | null {
  re.lastIndex = pos;
  return re.exec(text);
}

/** A speaker label followed by a colon at `pos`, or undefined. */
function parseSpeaker(
  text: string,
  pos: number,
  allowGeneric: GenericPolicy,
): { role: SpeakerRole; label: string; end: number } | undefined {
  const known = stickyMatch(KNOWN_SPEAKER_RE, text, pos);
  if (known?.groups) {
    const { interviewer, employee, other } = known.groups;
    const label = interviewer ?? employee ?? other ?? '';
    const role: SpeakerRole = interviewer !== undefined ? 'interviewer' : employee !== undefined ? 'employee' : 'other';
    return { role, label, end: pos + known[0].length };
  }
  const generic = stickyMatch(GENERIC_SPEAKER_RE, text, pos);
  const label = generic?.groups?.generic;
  if (generic && label !== undefined && label.length <= GENERIC_MAX_LENGTH && allowGeneric(label)) {
    return { role: 'other', label, end: pos + generic[0].length };
  }
  return undefined;
}

/** Reads the label at the start of one line: `[marker] [id] [speaker:]`, each part optional. */
function parseLine(text: string, allowGeneric: GenericPolicy): ParsedLine {
  let pos = skipBlank(text, 0);
  const label: ParsedLabel = { marker: false };
  let found = false;

  const marker = stickyMatch(MARKER_RE, text, pos);
  if (marker && marker[0].length > 0) {
    label.marker = true;
    found = true;
    pos = skipBlank(text, pos + marker[0].length);
  }

  const id = stickyMatch(ID_RE, text, pos);
  if (id) {
    const after = pos + id[0].length;
    const next = text[after];
    const bare = id[3] !== undefined;
    // A bare id must stand alone (`N95口罩` is text); `T1员工:` is accepted because a speaker label follows.
    const boundary =
      !bare || next === undefined || !isContentChar(next) || COLON_CHAR.test(next) || parseSpeaker(text, after, allowGeneric) !== undefined;
    if (boundary) {
      label.explicitId = id[1] ?? id[2] ?? id[3];
      found = true;
      pos = skipBlank(text, after);
    }
  }

  const speaker = parseSpeaker(text, pos, allowGeneric);
  if (speaker) {
    label.speaker = speaker.role;
    label.speakerLabel = speaker.label;
    found = true;
    pos = speaker.end;
  } else if (label.explicitId !== undefined && COLON_CHAR.test(text[pos] ?? '')) {
    pos += 1;
  }

  return found ? { label, bodyStart: pos } : { bodyStart: 0 };
}

/** Generic speaker labels (not in the known list) that start at least two lines of a transcript. */
function* repeatedGenericLabels(lines: readonly string[]): Generator<void, Set<string>, void> {
  const counts = new Map<string, number>();
  for (const [i, text] of lines.entries()) {
    if (i > 0 && i % LINES_PER_STEP === 0) yield;
    const parsed = parseLine(text, () => true);
    const label = parsed.label?.speakerLabel;
    if (label === undefined || parsed.label?.speaker !== 'other') continue;
    // Known "other" labels (经理, Manager) need no repetition; only count the generic ones.
    if (parseSpeaker(`${label}:`, 0, () => false) !== undefined) continue;
    counts.set(label, (counts.get(label) ?? 0) + 1);
  }
  return new Set([...counts].filter(([, n]) => n >= 2).map(([label]) => label));
}

interface Draft {
  explicitId?: string;
  speaker?: SpeakerRole;
  speakerLabel?: string;
  labelled: boolean;
  parts: string[];
  start: number;
  end: number;
  hasContent: boolean;
}

const ID_PARTS = /^([A-Za-z]+)(\d+)$/;

/**
 * Cuts a transcript or notes into turns and renders the canonical text.
 *
 * - Labels recognised at the start of a line: an id (`T3`, `N2`, `[T3]`), a speaker (`员工:`, `HR：`,
 *   `Interviewer:`, `Q:`/`A:`, `问:`/`答:`; in transcripts also any short name that labels two or more lines),
 *   a list marker (`1.`, `1、`, `(1)`, `一、`, `-`, `•`), or a combination (`- T3 员工:`).
 * - When some line is labelled, an unlabelled line continues the turn before it (multi-line turns); when no
 *   line is labelled, each non-blank line is a turn.
 * - Ids written in the input are kept (gaps allowed); other turns get generated ids (`T…` for transcripts,
 *   `N…` for notes) that never collide with a written one. A repeated written id gets a fresh id.
 * - Nothing but labels, whitespace and invisible characters is dropped; `start`/`end` locate each turn's
 *   text in `text`.
 *
 * Never throws.
 */
export function normaliseSource(text: string, kind: TextSourceKind): NormalisedSource {
  return runSteps(normaliseSourceSteps(text, kind));
}

/** Lines handled between two pauses of {@link normaliseSourceSteps} (a few milliseconds of work). */
const LINES_PER_STEP = 64;


/**
 * {@link normaliseSource} as steps: the generator pauses (yields) every {@link LINES_PER_STEP} lines so a caller
 * can give the event loop a turn on a long source (a 50,000-character transcript is ~0.1 s of this work), and its
 * return value is exactly normaliseSource's (which runs these same steps without pausing).
 */
export function* normaliseSourceSteps(text: string, kind: TextSourceKind): Generator<void, NormalisedSource, void> {
  const input = typeof text === 'string' ? text : '';
  const sourceKind: TextSourceKind = kind === 'notes' ? 'notes' : 'transcript';
  const lines = splitLines(input);

  const generic = sourceKind === 'transcript' ? yield* repeatedGenericLabels(lines.map((l) => l.text)) : new Set<string>();
  const allowGeneric: GenericPolicy = (label) => generic.has(label);
  const parsed: ParsedLine[] = [];
  for (const [i, line] of lines.entries()) {
    parsed.push(parseLine(line.text, allowGeneric));
    if ((i + 1) % LINES_PER_STEP === 0) yield;
  }
  const anyLabel = parsed.some((p) => p.label !== undefined);

  const drafts: Draft[] = [];
  let current: Draft | undefined;
  for (const [i, line] of lines.entries()) {
    if (i > 0 && i % LINES_PER_STEP === 0) yield;
    const p = parsed[i] ?? { bodyStart: 0 };
    const body = line.text.slice(p.bodyStart);
    const bounds = contentBounds(body);
    const bodyOffset = line.start + p.bodyStart;
    if (p.label !== undefined || (bounds !== undefined && (!anyLabel || current === undefined))) {
      current = {
        labelled: p.label !== undefined,
        parts: [],
        start: bodyOffset,
        end: bodyOffset,
        hasContent: false,
      };
      if (p.label?.explicitId !== undefined) current.explicitId = p.label.explicitId;
      if (p.label?.speaker !== undefined) current.speaker = p.label.speaker;
      if (p.label?.speakerLabel !== undefined) current.speakerLabel = p.label.speakerLabel;
      drafts.push(current);
    }
    if (bounds !== undefined && current !== undefined) {
      if (!current.hasContent) current.start = bodyOffset + bounds.start;
      current.end = bodyOffset + bounds.end;
      current.hasContent = true;
      current.parts.push(cleanInline(body));
    }
  }

  // A bare list marker with nothing after it carries nothing to cite; an empty `T3 员工:` keeps its id.
  const kept = drafts.filter((d) => d.hasContent || d.explicitId !== undefined || d.speakerLabel !== undefined);
  const turns = assignIds(kept, sourceKind).map(({ draft, id }) => {
    const turn: Turn = { id, text: joinLines(draft.parts), start: draft.start, end: draft.end };
    if (draft.speaker !== undefined) turn.speaker = draft.speaker;
    if (draft.speakerLabel !== undefined) turn.speakerLabel = draft.speakerLabel;
    return turn;
  });
  return { kind: sourceKind, turns, text: renderTurns(turns), input };
}

function assignIds(drafts: readonly Draft[], kind: TextSourceKind): Array<{ draft: Draft; id: string }> {
  const written = drafts.flatMap((d) => (d.explicitId === undefined ? [] : [d.explicitId]));
  const used = new Set(written);
  const kindPrefix = kind === 'notes' ? 'N' : 'T';
  const firstPrefix = written[0]?.match(ID_PARTS)?.[1] ?? kindPrefix;
  const taken = new Set<string>();
  let previous: string | undefined;
  return drafts.map((draft) => {
    let id: string;
    if (draft.explicitId !== undefined && !taken.has(draft.explicitId)) {
      id = draft.explicitId;
    } else {
      // Continue from the previous turn's number; a preamble before written ids becomes T0/N0.
      const prev = previous?.match(ID_PARTS);
      const prefix = prev?.[1] ?? firstPrefix;
      let n = prev?.[2] !== undefined ? Number(prev[2]) + 1 : written.length > 0 ? 0 : 1;
      while (used.has(`${prefix}${n}`)) n += 1;
      id = `${prefix}${n}`;
      used.add(id);
    }
    taken.add(id);
    previous = id;
    return { draft, id };
  });
}

/** One turn as one canonical line: `T2 员工: 主要还是钱。`, `N1: 去字节`, `T3 员工:` when empty. */
export function renderTurn(turn: Pick<Turn, 'id' | 'speakerLabel' | 'text'>): string {
  const label = turn.speakerLabel ? `${turn.id} ${cleanInline(turn.speakerLabel)}` : turn.id;
  const text = cleanInline(turn.text);
  return text === '' ? `${label}:` : `${label}: ${text}`;
}

/** Turns rendered one per line (the `text` of a NormalisedSource or Chunk). */
export function renderTurns(turns: ReadonlyArray<Pick<Turn, 'id' | 'speakerLabel' | 'text'>>): string {
  return turns.map(renderTurn).join('\n');
}
