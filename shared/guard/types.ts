/**
 * Types of the guard: personal-data redaction before prompting, and sensitive-term alerts on the source and on
 * the model's output. See ../../../shared/DESIGN.md, "HR content".
 */

/** Language of placeholders and messages. Chinese (zh-CN) or English. */
export type GuardLanguage = 'zh' | 'en';

/**
 * Kinds of personal data that are removed before a prompt is built. `PASSPORT`: passport and travel-permit
 * numbers; `IM_ACCOUNT`: WeChat / QQ / similar account ids written after their cue word.
 */
export type RedactionType = 'CN_ID' | 'CN_MOBILE' | 'CN_LANDLINE' | 'BANK_CARD' | 'EMAIL' | 'ADDRESS' | 'PASSPORT' | 'IM_ACCOUNT';

/**
 * One removed piece of personal data. The original value is deliberately NOT kept: a result can be logged or
 * put in an audit record without leaking what was removed.
 */
export interface Redaction {
  type: RedactionType;
  /** Start offset (UTF-16 code units) in the ORIGINAL text. */
  start: number;
  /** End offset (exclusive) in the ORIGINAL text. */
  end: number;
  /** The placeholder that replaced the span in the output text, e.g. `[手机号已隐去]`. */
  replacement: string;
  /**
   * For `CN_ID` only: whether the GB 11643 check digit of an 18-digit number is right. An 18-digit number with a
   * valid region and birth date but a wrong check digit is still redacted (safety first) with `false`; a 15-digit
   * legacy number has no check digit, so the field is absent.
   */
  checksumValid?: boolean;
}

/** Output of {@link redact}. */
export interface RedactionResult {
  /** The text with every redacted span replaced by its placeholder; everything else is unchanged. */
  text: string;
  /** Redacted spans, sorted by `start`, never overlapping. */
  redactions: Redaction[];
}

/** Options of {@link redact}. */
export interface RedactOptions {
  /** Language of the placeholders; detected from the text when absent. */
  language?: GuardLanguage;
}

/**
 * What a writer (and the pipeline) should do about a hit:
 * - `BLOCK`: a protected trait used as evidence; must not appear in the record.
 * - `WARN`: vague or gender-coded label, hearsay, or a third party's name; rewrite or remove.
 * - `ESCALATE`: an allegation or legal signal; route to employee relations / compliance instead of summarising.
 */
export type GuardAction = 'BLOCK' | 'WARN' | 'ESCALATE';

/** One sensitive-term hit. */
export interface GuardHit {
  action: GuardAction;
  /** Category from the term data, e.g. `HEALTH`, `MATERNITY`, `VAGUE_LABEL`, `LITIGATION`, `THIRD_PARTY_NAME`. */
  category: string;
  /**
   * The flag in the fixture / audit vocabulary: `${action}:${category}` (e.g. `BLOCK:HEALTH`), except where the
   * category data names its own flag (third-party names are flagged `THIRD_PARTY_NAME`).
   */
  flag: string;
  /** Start offset (UTF-16 code units) in the scanned text. */
  start: number;
  /** End offset (exclusive) in the scanned text. */
  end: number;
  /** The scanned text between `start` and `end`. */
  match: string;
  /** A suggested neutral rewrite or replacement, where one exists. */
  rewrite?: string;
  /** One sentence a HR writer understands, in the requested language. */
  message: string;
  /** ESCALATE hits: who should handle it (e.g. `员工关系/法务部门`, `employee relations / legal`). */
  handler?: string;
}

/** Options of {@link scanTerms}. */
export interface ScanOptions {
  /** Language of messages and rewrites; detected from the text when absent. */
  language?: GuardLanguage;
  /** Detect third-party personal names (default true). */
  detectNames?: boolean;
}

/** Options of {@link guardText}: `language` applies to placeholders and to messages. */
export type GuardOptions = ScanOptions & RedactOptions;

/** Output of {@link guardText}. */
export interface GuardResult {
  /** Redacted text and what was removed. */
  redacted: RedactionResult;
  /** Sensitive-term hits; offsets index into `redacted.text`, NOT the original text. */
  hits: GuardHit[];
  /** Distinct `hit.flag` values, most severe action first, then in order of first appearance. */
  flags: string[];
}
