/**
 * The guard on the model's OUTPUT: the same checks as on the source (personal data, protected traits, legal
 * conclusions, allegations, names) plus what only an output can get wrong: markup (HTML, script, `javascript:`
 * links) and a language other than the template's. Model output is inserted as text, never as HTML, so markup
 * cannot run in Word; it is still removed, and the result goes to review, because a model that writes markup
 * has been steered by something in its input.
 */
import { detectLanguage } from './language';
import { redactWithLanguage } from './redact';
import { scanTerms, type ScanTermsOptions } from './scan';
import type { GuardHit, GuardLanguage, Redaction } from './types';

/** Kinds of markup removed from an output. */
export type OutputMarkup = 'script' | 'html-tag' | 'event-handler' | 'javascript-url';

/** Result of {@link guardOutput}. */
export interface OutputGuardResult {
  /** The text with markup removed and personal data replaced by placeholders; everything else unchanged. */
  text: string;
  /** Personal data the model wrote (offsets in the text after markup removal). */
  redactions: Redaction[];
  /** Sensitive-term hits in `text`. */
  hits: GuardHit[];
  /** Markup that was removed, each kind once. */
  markup: OutputMarkup[];
  /** True when the text is written in another language than `language` (checked on texts of some length). */
  languageMismatch: boolean;
}

const SCRIPT_OPEN = /<\s*script\b/gi;
const SCRIPT_CLOSE = /<\s*\/\s*script\s*>/gi;
// A tag: `<name …>` or `</name>`, attributes bounded, so the scan stays linear.
const TAG = /<\s*\/?\s*[A-Za-z][A-Za-z0-9:-]{0,30}(?:\s[^<>]{0,2000})?\/?\s*>/g;
const EVENT_ATTR = /\son[a-z]{3,20}\s*=/i;
const JS_URL = /\b(?:javascript|vbscript)\s*:|\bdata\s*:\s*text\/html/gi;

/** Removes script blocks, tags and script URLs; reports which kinds were there. Linear in the text length. */
export function stripMarkup(text: string): { text: string; markup: OutputMarkup[] } {
  const kinds = new Set<OutputMarkup>();
  let out = '';
  let at = 0;
  SCRIPT_OPEN.lastIndex = 0;
  for (let m = SCRIPT_OPEN.exec(text); m; m = SCRIPT_OPEN.exec(text)) {
    kinds.add('script');
    out += text.slice(at, m.index);
    SCRIPT_CLOSE.lastIndex = m.index;
    const close = SCRIPT_CLOSE.exec(text);
    at = close ? close.index + close[0].length : text.length;
    SCRIPT_OPEN.lastIndex = at;
  }
  out += text.slice(at);
  out = out.replace(TAG, (tag) => {
    kinds.add(EVENT_ATTR.test(tag) ? 'event-handler' : 'html-tag');
    return '';
  });
  out = out.replace(JS_URL, () => {
    kinds.add('javascript-url');
    return '';
  });
  return { text: out, markup: [...kinds] };
}

/** Letters counted before a language mismatch is believed: short outputs ("无", "N/A") say nothing. */
const MIN_LETTERS_FOR_LANGUAGE = 12;

function hasEnoughLetters(text: string): boolean {
  let n = 0;
  for (let i = 0; i < text.length && n < MIN_LETTERS_FOR_LANGUAGE; i++) {
    const c = text.charCodeAt(i);
    if ((c >= 0x4e00 && c <= 0x9fff) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)) n++;
  }
  return n >= MIN_LETTERS_FOR_LANGUAGE;
}

/** Whether `text` is written in another language than `language` (texts with too few letters never are). */
export function isLanguageMismatch(text: string, language: GuardLanguage): boolean {
  return hasEnoughLetters(text) && detectLanguage(text) !== language;
}

/**
 * Guards one piece of model output written for a template in `language`. Never throws. Placeholders and
 * messages are in `language`.
 */
export function guardOutput(text: string, language: GuardLanguage, options: Omit<ScanTermsOptions, 'language'> = {}): OutputGuardResult {
  const stripped = stripMarkup(text);
  const { result } = redactWithLanguage(stripped.text, { language });
  const hits = scanTerms(result.text, { ...options, language });
  // Placeholders are in the template's language already; the language is read from what the model wrote.
  const languageMismatch = isLanguageMismatch(stripped.text, language);
  return { text: result.text, redactions: result.redactions, hits, markup: stripped.markup, languageMismatch };
}
