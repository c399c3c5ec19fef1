/**
 * Does a source say enough to write a record from? Drives the LOW_INFORMATION flag, so a thin source gives
 * a short, honest record ("员工未说明") instead of a model filling three sections with guesses.
 */
import type { NormalisedSource } from './types';

/** Phrases by which an employee declines to answer; a turn that is little more than one is a refusal. */
const REFUSALS = [
  '不想多说', '不想说', '不愿多说', '不愿意说', '不愿透露', '不方便说', '不方便透露', '不便透露', '不想谈', '不愿谈',
  '没什么好说', '没什么可说', '没啥好说', '无可奉告', '不予置评', '不评论', '拒绝回答', '拒绝透露', '没有建议', '没什么建议',
  '没想法',
  'no comment', 'prefer not to say', 'rather not say', "don't want to talk about it", 'do not want to talk about it',
  "don't want to talk", 'do not want to talk', 'declined to comment', 'decline to comment', 'nothing to add', 'nothing to say',
  'not willing to discuss', 'declined to answer', 'decline to answer',
];

/** What `assessInformation` measured. */
export interface InformationAssessment {
  /** True when the source is too thin for a full record (the LOW_INFORMATION flag). */
  low: boolean;
  /** Turns not said by the interviewer (all turns of unlabelled notes). */
  respondentTurns: number;
  /** Respondent turns with at least `SUBSTANTIVE_UNITS` units of content, refusals excluded. */
  substantiveTurns: number;
  /** Respondent turns that are essentially a refusal to answer. */
  refusalTurns: number;
  /** Content units of respondent turns, refusal phrases excluded (see `contentUnits`). */
  contentUnits: number;
}

/** A turn with fewer units than this says little (`去字节,钱多` is 5, `对团队还行,老板一般` is 9). */
const SUBSTANTIVE_UNITS = 10;
/** Fewer substantive turns than this cannot fill reasons, experience and suggestions. */
const MIN_SUBSTANTIVE_TURNS = 3;
/** Fewer content units than this in the whole source is thin whatever its shape. */
const MIN_CONTENT_UNITS = 40;
/** What is left of a refusal turn once the refusal phrase is removed (`嗯,不想多说了` leaves 1). */
const REFUSAL_REMAINDER = 4;

/**
 * Size of `text` in rough units of meaning: one per CJK character, two per word of another script (an
 * English word carries about what two Chinese characters do), one per number. Punctuation counts nothing.
 */
export function contentUnits(text: string): number {
  let units = 0;
  for (const m of text.matchAll(/[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]|[\p{L}\p{M}]+|\p{N}+/gu)) {
    const token = m[0];
    if (/^\p{N}/u.test(token)) units += 1;
    else if (/^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]$/u.test(token)) units += 1;
    else units += 2;
  }
  return units;
}

function withoutRefusals(text: string): { rest: string; refused: boolean } {
  let rest = text.toLowerCase().replace(/[’‘]/g, "'");
  let refused = false;
  for (const phrase of REFUSALS) {
    if (rest.includes(phrase)) {
      refused = true;
      rest = rest.split(phrase).join(' ');
    }
  }
  return { rest, refused };
}

/** Measures how much the respondent actually said; see `detectLowInformation`. */
export function assessInformation(src: Pick<NormalisedSource, 'turns'>): InformationAssessment {
  let respondentTurns = 0;
  let substantiveTurns = 0;
  let refusalTurns = 0;
  let units = 0;
  for (const turn of src.turns) {
    // The interviewer's questions are not information about the employee.
    if (turn.speaker === 'interviewer') continue;
    const { rest, refused } = withoutRefusals(turn.text);
    const u = contentUnits(rest);
    if (u === 0 && !refused) continue;
    respondentTurns += 1;
    units += u;
    if (refused && u < REFUSAL_REMAINDER) refusalTurns += 1;
    else if (u >= SUBSTANTIVE_UNITS) substantiveTurns += 1;
  }
  const low =
    respondentTurns === 0 ||
    units < MIN_CONTENT_UNITS ||
    substantiveTurns < MIN_SUBSTANTIVE_TURNS ||
    refusalTurns * 2 >= respondentTurns;
  return { low, respondentTurns, substantiveTurns, refusalTurns, contentUnits: units };
}

/**
 * True when a transcript or notes say too little for a full record (the LOW_INFORMATION flag): fewer than
 * three substantive respondent turns, under ~40 units of content (≈ 40 Chinese characters or 20 English
 * words), or refusals (`不想多说`, `no comment`) in half or more of the respondent's turns.
 */
export function detectLowInformation(src: Pick<NormalisedSource, 'turns'>): boolean {
  return assessInformation(src).low;
}
