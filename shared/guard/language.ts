import type { GuardLanguage } from './types';

/**
 * Guesses whether a text is Chinese or English, for placeholders and messages. Chinese when CJK ideographs carry
 * at least about as much as the Latin letters (one ideograph ≈ three letters); texts with neither default to
 * Chinese, the main language of Liuhen's writers.
 */
export function detectLanguage(text: string): GuardLanguage {
  let cjk = 0;
  let latin = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c >= 0x4e00 && c <= 0x9fff) || (c >= 0x3400 && c <= 0x4dbf) || (c >= 0xf900 && c <= 0xfaff)) cjk++;
    else if ((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)) latin++;
  }
  if (cjk === 0 && latin === 0) return 'zh';
  return cjk * 3 >= latin ? 'zh' : 'en';
}
