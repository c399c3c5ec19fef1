/**
 * Check-digit algorithms for the numbers the redactor recognises: the GB 11643-1999 check digit of the 18-digit
 * Chinese resident identity number, and the Luhn check of bank card numbers.
 */

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const ID_CHECK_CHARS = '10X98765432';

/** Province-level codes that start a resident ID (GB/T 2260 first two digits; 81/82/83 = HK/Macao/Taiwan permits). */
const ID_PROVINCES = new Set([
  11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63, 64,
  65, 71, 81, 82, 83,
]);

/**
 * The GB 11643 check character (`0`–`9` or `X`) for the first 17 digits of a resident ID, or `undefined` when the
 * input is not 17 ASCII digits.
 */
export function cnIdCheckChar(first17: string): string | undefined {
  if (!/^\d{17}$/.test(first17)) return undefined;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += (first17.charCodeAt(i) - 48) * (ID_WEIGHTS[i] ?? 0);
  return ID_CHECK_CHARS[sum % 11];
}

/** True when an 18-character resident ID (digits, last may be `X`/`x`) has the right GB 11643 check digit. */
export function isValidCnIdChecksum(id: string): boolean {
  if (!/^\d{17}[\dXx]$/.test(id)) return false;
  return cnIdCheckChar(id.slice(0, 17)) === id.charAt(17).toUpperCase();
}

/** True for a real calendar date (proleptic Gregorian), e.g. rejects 1991-02-30. */
export function isValidDate(year: number, month: number, day: number): boolean {
  if (!Number.isInteger(year) || !Number.isInteger(month) || !Number.isInteger(day)) return false;
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
  return day <= days;
}

/**
 * True when the digits look like a resident ID's region + birth date: a known province code and a real date
 * (18-digit: YYYYMMDD at offset 6, years 1900–2099; 15-digit legacy: YYMMDD at offset 6, read as 19YY).
 * The check digit is not looked at; see {@link isValidCnIdChecksum}.
 */
export function hasCnIdStructure(digits: string): boolean {
  const legacy = digits.length === 15;
  if (legacy ? !/^\d{15}$/.test(digits) : !/^\d{17}[\dXx]$/.test(digits)) return false;
  if (!ID_PROVINCES.has(Number(digits.slice(0, 2)))) return false;
  const year = legacy ? 1900 + Number(digits.slice(6, 8)) : Number(digits.slice(6, 10));
  const rest = legacy ? 8 : 10;
  const month = Number(digits.slice(rest, rest + 2));
  const day = Number(digits.slice(rest + 2, rest + 4));
  if (year < 1900 || year > 2099) return false;
  return isValidDate(year, month, day);
}

/** Luhn (mod 10) check over a string of ASCII digits; false for anything else or an empty string. */
export function luhnValid(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}
