/**
 * Long-input chunking: WebLLM throws when a prompt exceeds the context window and prefills the whole prompt on
 * every request, so a long transcript is cut into pieces that each fit a token budget — at turn boundaries,
 * and inside an over-long turn at sentence boundaries — without losing or repeating any text.
 */
import { runSteps } from '../steps';
import { renderTurn, renderTurns } from './normalise';
import { contentOf, isContentChar, isWhitespace } from './text';
import { estimateTokens } from './tokens';
import type { Chunk, NormalisedSource, Turn } from './types';

/** Sentence-final punctuation (CJK and Latin); `.` only counts before whitespace or the end (`3.5` stays). */
const TERMINATOR = /[。！？!?；;…]/u;
/** Closing quotes and brackets that belong to the sentence they end. */
const CLOSER = /[”"’'」』）)\]】》]/u;

/** A `.` ends a sentence when only closing quotes or brackets stand between it and whitespace or the end. */
function periodEndsSentence(cps: readonly string[], from: number): boolean {
  let k = from;
  while (k < cps.length && CLOSER.test(cps[k] ?? '')) k += 1;
  return k >= cps.length || isWhitespace(cps[k] ?? '');
}

/**
 * Splits `text` into sentences whose concatenation is exactly `text`; whitespace after a sentence stays with
 * it, so no piece starts with a space.
 */
export function splitSentences(text: string): string[] {
  const cps = Array.from(text);
  const out: string[] = [];
  let start = 0;
  let i = 0;
  while (i < cps.length) {
    const ch = cps[i] ?? '';
    const ends = TERMINATOR.test(ch) || (ch === '.' && periodEndsSentence(cps, i + 1));
    i += 1;
    if (!ends) continue;
    while (i < cps.length && (TERMINATOR.test(cps[i] ?? '') || cps[i] === '.')) i += 1;
    while (i < cps.length && CLOSER.test(cps[i] ?? '')) i += 1;
    while (i < cps.length && isWhitespace(cps[i] ?? '')) i += 1;
    out.push(cps.slice(start, i).join(''));
    start = i;
  }
  if (start < cps.length) out.push(cps.slice(start).join(''));
  return out;
}

const WORD_CHAR = /[\p{L}\p{N}]/u;

/**
 * Cuts `text` (which does not fit) into the longest prefixes that fit, preferring to cut after whitespace
 * rather than inside a word. A piece always has at least one code point, so this terminates even when not
 * even one character fits.
 */
function hardSplit(text: string, fits: (piece: string) => boolean, maxTokens: number): string[] {
  const cps = Array.from(text);
  const pieces: string[] = [];
  let i = 0;
  while (i < cps.length) {
    // Largest j with fits(cps[i..j)); the estimate only grows as a prefix grows, so binary search works.
    let lo = i + 1;
    // No piece that fits has more than ~6 code points per token (3 letters a token, single spaces free).
    let hi = Math.min(cps.length, i + 6 * maxTokens + 8);
    if (!fits(cps.slice(i, lo).join(''))) {
      hi = lo;
    } else {
      while (lo < hi) {
        const mid = Math.ceil((lo + hi) / 2);
        if (fits(cps.slice(i, mid).join(''))) lo = mid;
        else hi = mid - 1;
      }
    }
    let j = lo;
    if (j < cps.length && WORD_CHAR.test(cps[j - 1] ?? '') && WORD_CHAR.test(cps[j] ?? '')) {
      for (let k = j - 1; k > i + (j - i) / 2; k -= 1) {
        if (isWhitespace(cps[k] ?? '')) {
          j = k + 1;
          break;
        }
      }
    }
    pieces.push(cps.slice(i, j).join(''));
    i = j;
  }
  return pieces;
}

/** Cuts one turn's text into pieces that each fit the budget when rendered with the turn's label. */
function splitTurnText(turn: Turn, budget: number): string[] {
  const fits = (piece: string): boolean => estimateTokens(renderTurn({ ...turn, text: piece })) <= budget;
  const pieces: string[] = [];
  let current = '';
  for (const sentence of splitSentences(turn.text)) {
    if (fits(current + sentence)) {
      current += sentence;
      continue;
    }
    if (current !== '') pieces.push(current);
    current = '';
    if (fits(sentence)) {
      current = sentence;
      continue;
    }
    const hard = hardSplit(sentence, fits, budget);
    current = hard.pop() ?? '';
    pieces.push(...hard);
  }
  if (current !== '') pieces.push(current);
  return pieces;
}

/**
 * Where each content character of `turn` lies in the original input (start and end offsets), when `input`
 * is the text the turn was read from; undefined when it is not (then pieces keep the whole turn's span).
 */
function contentSpans(turn: Turn, input: string | undefined): Array<[number, number]> | undefined {
  if (input === undefined || turn.start < 0 || turn.end > input.length || turn.start > turn.end) return undefined;
  const spans: Array<[number, number]> = [];
  let chars = '';
  let pos = turn.start;
  for (const ch of input.slice(turn.start, turn.end)) {
    if (isContentChar(ch)) {
      spans.push([pos, pos + ch.length]);
      chars += ch;
    }
    pos += ch.length;
  }
  return chars === contentOf(turn.text) ? spans : undefined;
}

function splitTurn(turn: Turn, budget: number, input: string | undefined): Turn[] {
  const texts = splitTurnText(turn, budget);
  // An empty turn whose label alone exceeds the budget cannot be split: it stays whole (and over budget).
  if (texts.length <= 1) return [turn];
  const spans = contentSpans(turn, input);
  let consumed = 0;
  let lastEnd = turn.start;
  return texts.map((text, index) => {
    let start = turn.start;
    let end = turn.end;
    if (spans !== undefined) {
      // The k-th content character of the turn's text is the k-th one of its span in the input.
      const count = Array.from(contentOf(text)).length;
      const first = spans[consumed];
      const last = spans[consumed + count - 1];
      [start, end] = count > 0 && first !== undefined && last !== undefined ? [first[0], last[1]] : [lastEnd, lastEnd];
      consumed += count;
      lastEnd = end;
    }
    return { ...turn, text, start, end, part: { index, count: texts.length } };
  });
}

/**
 * Cuts a normalised source into chunks whose rendered text each fits `budgetTokens` (by `estimateTokens`):
 * whole turns where possible, in order; a turn that alone exceeds the budget is cut into pieces at sentence
 * boundaries (`。！？.!?；`), and a sentence that alone exceeds it at the largest prefix that fits (after a
 * space where there is one). Pieces keep the turn's id and get `part`; their texts concatenate to the
 * turn's text exactly. A budget smaller than one label plus one character cannot be met: such pieces hold
 * one character each and exceed it. An empty source gives no chunks.
 *
 * @param budgetTokens tokens for the source text alone (the caller subtracts the prompt and the output).
 * @throws RangeError when `budgetTokens` is not a positive finite number.
 */
export function chunkSource(src: NormalisedSource, budgetTokens: number): Chunk[] {
  return runSteps(chunkSourceSteps(src, budgetTokens));
}

/** Turns measured between two pauses of {@link chunkSourceSteps} (a few milliseconds of work). */
const TURNS_PER_STEP = 64;

/**
 * {@link chunkSource} as steps (shared/steps.ts): pauses every {@link TURNS_PER_STEP} turns while measuring, so a
 * source at the size limit is cut without one long task. Throws the same RangeError, before the first pause.
 */
export function* chunkSourceSteps(src: NormalisedSource, budgetTokens: number): Generator<void, Chunk[], void> {
  if (!Number.isFinite(budgetTokens) || budgetTokens < 1) {
    throw new RangeError(`chunkSource: budgetTokens must be a positive number, got ${String(budgetTokens)}`);
  }
  const budget = Math.floor(budgetTokens);
  const units: Turn[] = [];
  for (const [i, turn] of src.turns.entries()) {
    if (i > 0 && i % TURNS_PER_STEP === 0) yield;
    if (estimateTokens(renderTurn(turn)) <= budget) units.push(turn);
    else units.push(...splitTurn(turn, budget, src.input));
  }
  yield;

  const groups: Turn[][] = [];
  let current: Turn[] = [];
  let cost = 0;
  for (const [i, unit] of units.entries()) {
    if (i > 0 && i % TURNS_PER_STEP === 0) yield;
    const unitCost = estimateTokens(renderTurn(unit));
    // Line costs add up: one token per line break between them (see estimateTokens).
    if (current.length > 0 && cost + 1 + unitCost > budget) {
      groups.push(current);
      current = [];
    }
    cost = current.length === 0 ? unitCost : cost + 1 + unitCost;
    current.push(unit);
  }
  if (current.length > 0) groups.push(current);

  const chunks: Chunk[] = [];
  for (const [index, turns] of groups.entries()) {
    yield;
    const text = renderTurns(turns);
    chunks.push({ index, count: groups.length, turns, text, estimatedTokens: estimateTokens(text) });
  }
  return chunks;
}
