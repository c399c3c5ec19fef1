/**
 * Property tests of the redactor and the term scanner on random and adversarial strings: they never throw,
 * text outside redacted spans is preserved exactly, and generated personal data embedded anywhere is removed.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cnIdCheckChar, luhnValid } from './checksums';
import { guardText } from './guard';
import { redact } from './redact';
import { scanTerms } from './scan';
import type { RedactionResult } from './types';

/** Pieces that excite the detectors: digits and separators, `@`, address words, full-width forms, odd spaces. */
const FRAGMENTS = [
  '0', '1', '13', '138', '0013', '8000', '86', '+86', '(', ')', '-', ' ', '  ', '\u00a0', '\u3000', '\n', '\r\n', '\t',
  '１', '３', '８', '＠', '－', '—', 'X', 'x', '@', '.', '..', 'com', 'cn', 'a', 'Z', '_', '+', '%',
  '路', '88', '号', '弄', '栋', '单元', '室', '小区', '大道', '北段', '三段', '市', '区', '住在', '的', 'SOHO',
  'Street', 'St.', 'Avenue', 'Flat', 'Room', 'NW', ', ', 'London', 'DC', '20500', '221B',
  '身份证', '110105', '19491231', '002X', '4111', '6222', '转', 'ext.', '【', '】', '"', '“', '”', '\ud83d\ude00', '\ud800', '\udc00',
  '女生', '结了婚', '备孕', '王经理', '张婷', '说', 'lawyer', 'pregnan', 'Mr ', 'Kevin',
  '\u200b', '\u200d', '\ufeff', '護照', '护照', '微信', 'QQ', 'E', 'G', '號', '樓', '東路', 'Apt', 'NY', 'RG1', '4AB', '5th', 'Ave',
];

const adversarial = fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 80 }).map((parts) => parts.join(''));
const anyText = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({ unit: 'grapheme', maxLength: 100 }),
  adversarial,
);

/** Rebuilds the output from the original text and the reported spans; checks every preserved piece on the way. */
function expectOutsidePreserved(original: string, r: RedactionResult): void {
  let rebuilt = '';
  let pos = 0;
  let outPos = 0;
  for (const span of r.redactions) {
    expect(span.start).toBeGreaterThanOrEqual(pos);
    expect(span.end).toBeGreaterThan(span.start);
    expect(span.end).toBeLessThanOrEqual(original.length);
    const kept = original.slice(pos, span.start);
    expect(r.text.slice(outPos, outPos + kept.length)).toBe(kept);
    outPos += kept.length;
    expect(r.text.slice(outPos, outPos + span.replacement.length)).toBe(span.replacement);
    outPos += span.replacement.length;
    rebuilt += kept + span.replacement;
    pos = span.end;
  }
  rebuilt += original.slice(pos);
  expect(r.text).toBe(rebuilt);
  // And the other way: the original is the output with each placeholder swapped back for its span.
  let back = '';
  let o = 0;
  let p = 0;
  for (const span of r.redactions) {
    const keptLength = span.start - p;
    back += r.text.slice(o, o + keptLength) + original.slice(span.start, span.end);
    o += keptLength + span.replacement.length;
    p = span.end;
  }
  back += r.text.slice(o);
  expect(back).toBe(original);
}

const digit = fc.integer({ min: 0, max: 9 }).map(String);
const digits = (n: number): fc.Arbitrary<string> => fc.array(digit, { minLength: n, maxLength: n }).map((d) => d.join(''));

/** Valid 18-digit resident IDs: a real province, a real date, the right check character. */
const cnId = fc
  .tuple(
    fc.constantFrom('11', '31', '44', '51', '23', '65'),
    digits(4),
    fc.date({ min: new Date('1950-01-01T00:00:00Z'), max: new Date('2010-12-31T00:00:00Z'), noInvalidDate: true }),
    digits(3),
  )
  .map(([province, area, date, seq]) => {
    const ymd = date.toISOString().slice(0, 10).replace(/-/g, '');
    const first17 = `${province}${area}${ymd}${seq}`;
    return first17 + (cnIdCheckChar(first17) ?? '');
  });
/** The same IDs with a space or dash between any digits, as writers group them. */
const cnIdGrouped = cnId.chain((id) =>
  fc.array(fc.constantFrom('', '', '', ' ', '-'), { minLength: 17, maxLength: 17 }).map((seps) => [...id].map((c, i) => c + (seps[i] ?? '')).join('')),
);
const mobile = fc.tuple(fc.constantFrom('13', '15', '17', '18', '19'), digits(9)).map(([a, b]) => a + b);
const card = fc.tuple(fc.constantFrom('6222', '6217', '4111', '5500'), digits(11)).map(([head, body]) => {
  for (let d = 0; d <= 9; d++) if (luhnValid(`${head}${body}${d}`)) return `${head}${body}${d}`;
  return '';
});
const email = fc
  .tuple(fc.stringMatching(/^[a-z][a-z0-9._]{0,10}[a-z0-9]$/), fc.stringMatching(/^[a-z]{2,10}$/), fc.constantFrom('com', 'cn', 'org', 'com.cn'))
  .map(([local, domain, tld]) => `${local.replace(/\.\.+/g, '.')}@${domain}.${tld}`);
/** Context that cannot merge with an embedded value: no digits, letters, `@` or dots next to it. */
const context = fc.array(fc.constantFrom('员工', '说', ',', '。', '请', '联系', '电话', '邮箱', '：', ' ', '\n', '的'), { maxLength: 6 }).map((p) => p.join(''));

describe('redact: properties', () => {
  it('never throws, and text outside the redacted spans is preserved exactly', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        expectOutsidePreserved(text, redact(text));
      }),
      { numRuns: 600 },
    );
  });

  it('is idempotent on its own output', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const once = redact(text).text;
        expect(redact(once).text).toBe(once);
      }),
      { numRuns: 400 },
    );
  });

  it('removes generated IDs, mobiles, Luhn-valid cards and e-mails wherever they are embedded', () => {
    fc.assert(
      fc.property(context, fc.oneof(cnId, cnIdGrouped, mobile, card, email), context, (before, value, after) => {
        const text = `${before}${value}${after}`;
        const r = redact(text);
        expect(r.text).not.toContain(value);
        expectOutsidePreserved(text, r);
      }),
      { numRuns: 500 },
    );
  });

  it('a value followed by a separator and one more digit: the value is removed, the digit kept (each of 0–9)', () => {
    fc.assert(
      fc.property(fc.oneof(cnId, mobile, card), fc.constantFrom(' ', '-', '、', ' / '), digit, (value, sep, d) => {
        const text = `号码${value}${sep}${d}号`;
        const r = redact(text);
        expect(r.text).not.toContain(value);
        expect(r.text.endsWith(`${sep}${d}号`)).toBe(true);
        expectOutsidePreserved(text, r);
      }),
      { numRuns: 400 },
    );
  });

  it('values written in full-width digits or with zero-width characters inside are removed', () => {
    const fullWidth = (v: string): string => v.replace(/[0-9X]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
    const zeroWidth = (v: string): string => [...v].join('\u200b');
    fc.assert(
      fc.property(context, fc.oneof(cnId, mobile, card), fc.boolean(), context, (before, value, full, after) => {
        const written = full ? fullWidth(value) : zeroWidth(value);
        const text = `${before}${written}${after}`;
        const r = redact(text);
        expect(r.redactions.length, JSON.stringify(text)).toBeGreaterThan(0);
        expect(r.text).not.toContain(written);
        expectOutsidePreserved(text, r);
      }),
      { numRuns: 300 },
    );
  });

  it('handles long inputs of repeated digits, letters and @ without blowing up', () => {
    for (const text of ['1'.repeat(20000), 'a'.repeat(20000) + '@', '@'.repeat(5000), `${'a.'.repeat(5000)}@x.com`, '路1号'.repeat(3000), '1 A '.repeat(5000) + 'Street']) {
      expectOutsidePreserved(text, redact(text));
    }
  });
});

describe('scanTerms / guardText: properties', () => {
  it('never throw; hits are sorted, disjoint and quote the scanned text', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const hits = scanTerms(text);
        let end = 0;
        for (const h of hits) {
          expect(h.start).toBeGreaterThanOrEqual(end);
          expect(h.end).toBeGreaterThan(h.start);
          expect(text.slice(h.start, h.end)).toBe(h.match);
          end = h.end;
        }
        const g = guardText(text);
        for (const h of g.hits) expect(g.redacted.text.slice(h.start, h.end)).toBe(h.match);
        expect(new Set(g.flags).size).toBe(g.flags.length);
      }),
      { numRuns: 500 },
    );
  });
});
