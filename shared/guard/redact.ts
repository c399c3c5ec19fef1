/**
 * Personal-data redaction before a prompt is built: Chinese resident IDs (18-digit with the GB 11643 check
 * digit, 15-digit legacy), mainland mobile and landline numbers, Luhn-valid bank card numbers, e-mail addresses
 * and street addresses (Chinese and English).
 *
 * Every detector is a linear scan: regexes are anchored on a literal or a digit with a negative look-behind,
 * use only bounded quantifiers around their variable parts, and the e-mail detector expands around `@` by hand
 * (the textbook `[\w.]+@` regex is quadratic on long runs of letters).
 *
 * Known limitations:
 * - Landlines need an area code of a real shape (010, 02x, 03xx–09xx: `010-12345678`, `0755 8888 6666`,
 *   `+86 10 1234 5678`); a bare 7–8 digit local number is not redacted because it cannot be told from an amount
 *   or an order number.
 * - Bank cards must pass Luhn and be written as 16–19 digits, optionally in groups of four; a mistyped card
 *   number is not redacted.
 * - Any 11-digit number starting 13–19 is taken for a mobile number, and any 15/18-digit number with a valid
 *   province code and birth date for an ID (safety first): an order number of that shape is redacted too. An
 *   18-digit ID may be grouped with single spaces or dashes anywhere; a grouped window that borders further
 *   digit groups needs the right check digit. 15-digit IDs must be written without separators.
 * - Chinese addresses are found from the street part (`…路/街/大道/巷/弄/小区/大厦… + number + 号/弄/栋…`)
 *   outwards; a district or city alone (`成都`, `浦东新区`) is not personal data and is kept. English addresses
 *   need a house number and a capitalised street name with a street-type word (`221B Baker Street`); lower-case
 *   or number-less addresses are missed.
 */
import { hasCnIdStructure, isValidCnIdChecksum, luhnValid } from './checksums';
import { detectLanguage } from './language';
import { normalizeText, type NormalizedText } from './normalize';
import type { GuardLanguage, RedactOptions, Redaction, RedactionResult, RedactionType } from './types';

/** Placeholders per type and language. They contain no digits or `@`, so redacting twice changes nothing. */
export const REDACTION_PLACEHOLDERS: Readonly<Record<GuardLanguage, Readonly<Record<RedactionType, string>>>> = {
  zh: {
    CN_ID: '[身份证号已隐去]',
    CN_MOBILE: '[手机号已隐去]',
    CN_LANDLINE: '[电话已隐去]',
    BANK_CARD: '[银行卡号已隐去]',
    EMAIL: '[邮箱已隐去]',
    ADDRESS: '[地址已隐去]',
    PASSPORT: '[护照号已隐去]',
    IM_ACCOUNT: '[账号已隐去]',
  },
  en: {
    CN_ID: '[ID number removed]',
    CN_MOBILE: '[phone removed]',
    CN_LANDLINE: '[phone removed]',
    BANK_CARD: '[bank card removed]',
    EMAIL: '[email removed]',
    ADDRESS: '[address removed]',
    PASSPORT: '[passport number removed]',
    IM_ACCOUNT: '[account removed]',
  },
};

/** A detector's finding, in normalised offsets. */
interface Candidate {
  type: RedactionType;
  start: number;
  end: number;
  checksumValid?: boolean;
}

/** When two findings overlap, the longer wins; on equal length, the earlier type in this list. */
const PRIORITY: readonly RedactionType[] = ['CN_ID', 'BANK_CARD', 'CN_MOBILE', 'CN_LANDLINE', 'EMAIL', 'PASSPORT', 'IM_ACCOUNT', 'ADDRESS'];

const digitsOnly = (s: string): string => s.replace(/[^\dXx]/g, '');

// 18-digit ID: region(6) YYYYMMDD seq(3) check. Writers group it in many ways (6-8-4, 6-4-4-4, 4-4-4-4-2), so
// any single space or dash between digits is allowed; region and date are checked after the separators go.
// A lookahead, so that every start of a digit group is tried (a rejected window must not hide a later ID).
const ID18 = /(?<!\d)(?=([1-9](?:[ -]?\d){16}[ -]?[\dXx])(?!\d))/g;
// 15-digit legacy ID: region(6) YYMMDD seq(3), no check digit.
const ID15 = /(?<!\d)[1-9]\d{5}\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}(?![\dXx])/g;
// Mobile: optional +86 / 0086 / (+86), then 1[3-9]x xxxx xxxx with optional single separators.
// Dots are separators too (138.1234.5678), but only the same one twice, so "1.5" stays an amount.
const MOBILE = /(?<![\d+.])(?:\(?(?:\+|00) ?86\)?[ -]?)?1[3-9]\d(?:[ -]?\d{4}[ -]?\d{4}|\.\d{4}\.\d{4})(?![\d])/g;
// Landline: area code (010, 02x, or 0 + three digits from 03xx–09xx; "(010)"; or +86 without the trunk 0),
// 7–8 digit local number, optional extension. Only real area-code shapes, so "0101 1234 5678" is not a phone.
const AREA = String.raw`(?:10|2\d|[3-9]\d{2})`;
const LANDLINE = new RegExp(
  String.raw`(?<![\d+])(?:(?:\+|00) ?86[ -]?(?:\(0\)|0)?${AREA}|\(0${AREA}\)|0${AREA})[ -]?[1-9]\d{2,3}[ -]?\d{4}(?:(?: ?(?:转|ext\.?|x) ?|-)\d{1,5})?(?!\d)`,
  'gi',
);
// Bank card: 16 digits, optionally in groups of four; what follows (1–3 more digits, glued or as a group) is
// decided in findBankCards, so that a card followed by " 5" is still found and the 5 is not swallowed.
const BANK = /(?<!\d)\d{4}[ -]?\d{4}[ -]?\d{4}[ -]?\d{4}/g;
// Passports: mainland e-passports (E + 8 digits, E + letter + 7 digits), older G/D/S/P + 8 digits, Hong Kong /
// Macau travel permits (C/H/M + 8 digits) without a cue; any 6–9 letters-and-digits after a passport cue.
const PASSPORT_BARE = /(?<![A-Za-z0-9])(?:[EGDSPCHM]\d{8}|E[A-HJ-NP-Z]\d{7})(?![A-Za-z0-9])/g;
const PASSPORT_CUED =
  /(?:护照|通行证|passport)(?:号码|号|编号| ?(?:no\.?|number|#))?(?:是|为|: ?| )?(?<id>(?=[A-Z0-9]{0,8}\d)[A-Z]{0,2}\d{6,9})(?![A-Za-z0-9])/gi;
// WeChat / QQ and similar account ids: only after their cue word ("微信 zhang_wei88", "QQ: 12345678").
const IM_CUED =
  /(?<![A-Za-z])(?:微信号?|微信ID|VX|vx|WX|wx|V信|WeChat(?: ID)?|Wechat|wechat|Weixin|weixin|Line ID|Telegram|TG)(?:号|账号|帐号)?(?: is |是|为|: ?| |：)?(?:[ :]?)(?<id>(?=[A-Za-z][-_A-Za-z]*[\d_-])[A-Za-z][-_A-Za-z0-9]{5,19})(?![-_A-Za-z0-9])/g;
const QQ_CUED = /(?<![A-Za-z])(?:QQ|qq|Qq)(?:号码|号| ?(?:no\.?|number|ID|id))?(?: is |是|为|: ?| )?(?<id>[1-9]\d{4,10})(?!\d)/g;

// Chinese address anchor: street-level place word + house number + unit word.
const ZH_ADDR_ANCHOR =
  /(?:路|街|大道|大街|道|巷|胡同|弄|里|小区|花园|公寓|大厦|广场|新村|家园|村|苑|园区|邨|屋苑)(?:[东西南北中]{1,2}段|(?:\d{1,2}|[一二三四五六七八九十]{1,3})段)? ?(?:\d{1,5}|[一二三四五六七八九十百零〇]{1,5})(?:[-之]\d{1,4})? ?(?:号楼|号院|号|弄|栋|幢|座)/g;
// Characters that end a place name when walking left from the anchor (verbs, pronouns, particles).
const ZH_ADDR_STOP_CHARS = '在住是到去往来我你他她它的了址位这那就把被给让回搬迁为寄送发至即和与或及';
// Further units after the anchor, each optionally after a building name: "2号楼301室", "5栋2单元",
// "SOHO现代城2号楼301室"; then a bare room number after a building or entrance ("2单元501").
const ZH_ADDR_TAIL = new RegExp(
  String.raw`(?: ?(?:(?![${ZH_ADDR_STOP_CHARS}])[A-Za-z\u4e00-\u9fff]){0,12}? ?(?:\d{1,5}|[A-Za-z]\d{0,4}|[一二三四五六七八九十百零〇]{1,4})(?:-\d{1,5})? ?(?:号楼|号院|号|弄|栋|幢|座|单元|层|楼|室|户|房)){0,6}` +
    String.raw`(?:(?<=单元|栋|幢|座|号楼)-?\d{2,5}(?![\d年月日元万%]))?`,
  'y',
);
const ZH_ADDR_STOP = new Set(ZH_ADDR_STOP_CHARS.split(''));
const MAX_ZH_PLACE_CHARS = 24;

const EN_STREET_TYPES =
  'Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Place|Pl|Parkway|Pkwy|Way|Terrace|Square|Sq|Close|Crescent|Highway|Hwy|Row|Mews|Gardens|Walk|Circle|Alley|Plaza';
const EN_NOT_CITY = '(?!(?:The|Then|But|And|So|He|She|They|We|It|This|That|There|I|My|Our|His|Her)\\b)';
const EN_ADDRESS = new RegExp(
  // An optional unit before the house number ("Room 1203, 88 Century Avenue", "Flat 3, 221B Baker Street").
  String.raw`(?:\b(?:Room|Rm|Flat|Apt|Apartment|Suite|Unit|Floor)\.? ?#?[A-Za-z0-9-]{1,6},? )?` +
    // The street name: capitalised words or an ordinal ("350 5th Ave", "12 W 34th St").
    String.raw`\b\d{1,6}[A-Za-z]?(?:-\d{1,6})? (?:(?:[A-Z][A-Za-z'-]*|\d{1,3}(?:st|nd|rd|th)) ){0,4}?(?:[A-Z][A-Za-z'-]*|\d{1,3}(?:st|nd|rd|th)) (?:${EN_STREET_TYPES})\b\.?` +
    String.raw`(?: (?:NW|NE|SW|SE|N|S|E|W)\b\.?)?` +
    String.raw`(?:,? (?:Apt|Apartment|Suite|Ste|Unit|Flat|Floor|Fl|#)\.? ?[A-Za-z0-9-]{1,6})?` +
    String.raw`(?:, ${EN_NOT_CITY}[A-Z][a-z]+(?: ${EN_NOT_CITY}[A-Z][a-z]+){0,2}){0,2}` +
    String.raw`(?:,? [A-Z]{2} \d{5}(?:-\d{4})?|,? \d{5}(?:-\d{4})?|,? [A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2})?`,
  'g',
);

function isCjk(c: number): boolean {
  return (c >= 0x4e00 && c <= 0x9fff) || (c >= 0x3400 && c <= 0x4dbf);
}

function findIds(t: string, out: Candidate[]): void {
  for (const m of t.matchAll(ID18)) {
    const value = m[1] ?? '';
    const start = m.index;
    const end = start + value.length;
    const digits = digitsOnly(value);
    if (!hasCnIdStructure(digits)) continue;
    const checksumValid = isValidCnIdChecksum(digits);
    // A wrong ID check digit but a valid Luhn digit: more likely a 18-digit bank card; let that detector take it.
    if (!checksumValid && /^\d{18}$/.test(digits) && luhnValid(digits)) continue;
    // A grouped window inside a longer run of digit groups ("2019 0101 …") is only an ID with the right check digit.
    const grouped = digits.length !== value.length;
    const bordered = /\d[ -]$/.test(t.slice(Math.max(0, start - 2), start)) || /^[ -]\d/.test(t.slice(end, end + 2));
    if (grouped && bordered && !checksumValid) continue;
    out.push({ type: 'CN_ID', start, end, checksumValid });
  }
  for (const m of t.matchAll(ID15)) {
    if (!hasCnIdStructure(m[0])) continue;
    out.push({ type: 'CN_ID', start: m.index, end: m.index + m[0].length });
  }
}

function findPhones(t: string, out: Candidate[]): void {
  for (const m of t.matchAll(MOBILE)) out.push({ type: 'CN_MOBILE', start: m.index, end: m.index + m[0].length });
  for (const m of t.matchAll(LANDLINE)) out.push({ type: 'CN_LANDLINE', start: m.index, end: m.index + m[0].length });
}

const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;

/** Length of the run of digits in `t` from `at`. */
function digitRun(t: string, at: number): number {
  let k = at;
  while (k < t.length && isDigit(t.charCodeAt(k))) k++;
  return k - at;
}

/**
 * Bank cards: a 16-digit core, then possibly 1–3 more digits. Glued digits are part of the number (19 at most);
 * a separate group of 2–3 digits after a separator is taken only when the whole number passes Luhn (4-4-4-4-3
 * is how 19-digit cards are printed); a lone digit after a separator is never part of the card.
 */
function findBankCards(t: string, out: Candidate[]): void {
  BANK.lastIndex = 0;
  for (let m = BANK.exec(t); m; m = BANK.exec(t)) {
    const start = m.index;
    const coreEnd = start + m[0].length;
    const core = digitsOnly(m[0]);
    let end = -1;
    const glued = digitRun(t, coreEnd);
    if (glued > 0) {
      // Glued digits: the whole run is the number, or there is no card here.
      if (glued <= 3 && luhnValid(core + t.slice(coreEnd, coreEnd + glued))) end = coreEnd + glued;
    } else {
      const sep = t.charAt(coreEnd);
      const tail = sep === ' ' || sep === '-' ? digitRun(t, coreEnd + 1) : 0;
      if (tail >= 2 && tail <= 3 && luhnValid(core + t.slice(coreEnd + 1, coreEnd + 1 + tail))) end = coreEnd + 1 + tail;
      else if (luhnValid(core)) end = coreEnd;
    }
    if (end > 0) out.push({ type: 'BANK_CARD', start, end });
    // Continue right after the start digit group, so that a rejected window does not hide a card further on.
    BANK.lastIndex = end > 0 ? end : start + 1;
    while (BANK.lastIndex < t.length && isDigit(t.charCodeAt(BANK.lastIndex)) && end < 0) BANK.lastIndex++;
  }
}

/** Passports and account ids: only the id itself is removed, the cue word stays ("微信 [账号已隐去]"). */
function findAccounts(t: string, out: Candidate[]): void {
  for (const m of t.matchAll(PASSPORT_BARE)) out.push({ type: 'PASSPORT', start: m.index, end: m.index + m[0].length });
  const cued: Array<[RegExp, RedactionType]> = [
    [PASSPORT_CUED, 'PASSPORT'],
    [IM_CUED, 'IM_ACCOUNT'],
    [QQ_CUED, 'IM_ACCOUNT'],
  ];
  for (const [re, type] of cued) {
    for (const m of t.matchAll(re)) {
      const id = m.groups?.['id'] ?? '';
      if (id === '') continue;
      const end = m.index + m[0].length;
      out.push({ type, start: end - id.length, end });
    }
  }
}

const isLocalChar = (c: number): boolean =>
  (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) ||
  c === 0x2e || c === 0x5f || c === 0x25 || c === 0x2b || c === 0x2d;
const isDomainChar = (c: number): boolean =>
  (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x2e || c === 0x2d;

/** E-mail addresses, expanded around each `@` (linear: at most 64 + 253 characters looked at per `@`). */
function findEmails(t: string, out: Candidate[]): void {
  let lastEnd = 0;
  for (let at = t.indexOf('@'); at !== -1; at = t.indexOf('@', at + 1)) {
    if (at < lastEnd) continue;
    let s = at;
    while (s > lastEnd && at - s < 64 && isLocalChar(t.charCodeAt(s - 1))) s--;
    while (s < at && t.charCodeAt(s) === 0x2e) s++; // a local part does not start with a dot
    if (s === at) continue;
    let e = at + 1;
    while (e < t.length && e - at <= 253 && isDomainChar(t.charCodeAt(e))) e++;
    let domain = t.slice(at + 1, e);
    // Drop trailing punctuation and labels until the last label is an alphabetic TLD ("a@b.com." / "a@b.com.1").
    for (;;) {
      domain = domain.replace(/[.-]+$/, '');
      const dot = domain.lastIndexOf('.');
      if (dot <= 0) {
        domain = '';
        break;
      }
      if (/^[A-Za-z]{2,24}$/.test(domain.slice(dot + 1))) break;
      domain = domain.slice(0, dot);
    }
    if (!domain || domain.startsWith('.') || domain.startsWith('-') || domain.includes('..')) continue;
    e = at + 1 + domain.length;
    out.push({ type: 'EMAIL', start: s, end: e });
    lastEnd = e;
  }
}

function findZhAddresses(t: string, out: Candidate[]): void {
  for (const m of t.matchAll(ZH_ADDR_ANCHOR)) {
    // Walk left over the place name (省/市/区/… + street name) until a non-CJK char or a verb/pronoun/particle.
    let s = m.index;
    while (s > 0 && m.index - s < MAX_ZH_PLACE_CHARS) {
      const c = t.charCodeAt(s - 1);
      if (!isCjk(c) || ZH_ADDR_STOP.has(t.charAt(s - 1))) break;
      s--;
    }
    if (m.index - s < 2) continue; // "路3号" without a street name is not an address
    ZH_ADDR_TAIL.lastIndex = m.index + m[0].length;
    const tail = ZH_ADDR_TAIL.exec(t);
    const e = m.index + m[0].length + (tail ? tail[0].length : 0);
    out.push({ type: 'ADDRESS', start: s, end: e });
  }
}

const US_STATES =
  'AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY';
// Without a street line: "Brooklyn, NY 11201", "NY 10118" after a comma; a UK postcode "RG1 4AB", "SW1A 1AA".
const US_CITY_ZIP = new RegExp(
  String.raw`(?:\b[A-Z][a-z]+(?: [A-Z][a-z]+){0,2},? )?\b(?:${US_STATES}) \d{5}(?:-\d{4})?(?!\d)`,
  'g',
);
const UK_POSTCODE = /\b(?:[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]?) \d[ABD-HJLNP-UW-Z]{2}\b/g;
// A unit alone after a comma or at a line start: "Apt 12C", "Flat 4B" are only addresses next to one, so they
// are folded into an address found right before them (see detect's merge step).

function findEnAddresses(t: string, out: Candidate[]): void {
  for (const m of t.matchAll(EN_ADDRESS)) out.push({ type: 'ADDRESS', start: m.index, end: m.index + m[0].length });
  for (const m of t.matchAll(US_CITY_ZIP)) out.push({ type: 'ADDRESS', start: m.index, end: m.index + m[0].length });
  for (const m of t.matchAll(UK_POSTCODE)) out.push({ type: 'ADDRESS', start: m.index, end: m.index + m[0].length });
}

/** All findings in normalised offsets, overlaps resolved: longest first, then by {@link PRIORITY}. */
function detect(norm: NormalizedText): Candidate[] {
  const t = norm.text;
  const all: Candidate[] = [];
  findIds(t, all);
  findBankCards(t, all);
  findPhones(t, all);
  findEmails(t, all);
  findAccounts(t, all);
  findZhAddresses(t, all);
  findEnAddresses(t, all);
  all.sort((a, b) => b.end - b.start - (a.end - a.start) || PRIORITY.indexOf(a.type) - PRIORITY.indexOf(b.type) || a.start - b.start);
  const taken = new Uint8Array(t.length);
  const kept: Candidate[] = [];
  for (const c of all) {
    let free = true;
    for (let i = c.start; i < c.end; i++) {
      if (taken[i]) {
        free = false;
        break;
      }
    }
    if (!free) continue;
    taken.fill(1, c.start, c.end);
    kept.push(c);
  }
  return kept.sort((a, b) => a.start - b.start);
}

/** The text with the found spans left out, so that detecting its language is not skewed by an e-mail or an ID. */
function textOutside(t: string, found: readonly Candidate[]): string {
  let out = '';
  let pos = 0;
  for (const c of found) {
    out += t.slice(pos, c.start);
    pos = c.end;
  }
  return out + t.slice(pos);
}

/**
 * {@link redact} plus the language its placeholders were written in (given, or detected from the text OUTSIDE
 * the redacted spans: a Chinese sentence with a long e-mail address is still Chinese). Used by `guardText` so
 * that messages and placeholders agree.
 */
export function redactWithLanguage(text: string, options: RedactOptions = {}): { result: RedactionResult; language: GuardLanguage } {
  const norm = normalizeText(text);
  const found = detect(norm);
  const rest = textOutside(norm.text, found);
  // When the spans are all there is ("Flat 3, 221B Baker Street"), the whole text is the best evidence.
  const language = options.language ?? detectLanguage(/[A-Za-z\u3400-\u9fff]/.test(rest) ? rest : norm.text);
  const placeholders = REDACTION_PLACEHOLDERS[language];
  const redactions: Redaction[] = [];
  let out = '';
  let pos = 0;
  for (const c of found) {
    const start = norm.starts[c.start] ?? 0;
    const end = norm.ends[c.end - 1] ?? start;
    const replacement = placeholders[c.type];
    const r: Redaction = { type: c.type, start, end, replacement };
    if (c.checksumValid !== undefined) r.checksumValid = c.checksumValid;
    redactions.push(r);
    out += text.slice(pos, start) + replacement;
    pos = end;
  }
  out += text.slice(pos);
  return { result: { text: out, redactions }, language };
}

/**
 * Replaces personal data with readable placeholders in the text's language (e.g. `[手机号已隐去]`,
 * `[phone removed]`; detected from the text outside the redacted spans unless given). Text outside the
 * redacted spans is preserved exactly; spans are reported in ORIGINAL offsets, sorted and non-overlapping; the
 * removed values are not kept anywhere in the result. Never throws on any string.
 */
export function redact(text: string, options: RedactOptions = {}): RedactionResult {
  return redactWithLanguage(text, options).result;
}
