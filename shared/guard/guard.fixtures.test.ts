/**
 * The guard against the synthetic fixtures in ../shared/fixtures: personal data is removed before prompting,
 * every expected redaction and guard flag is found, and every `must_not_contain` string that is still in the
 * redacted source is flagged, so the pipeline can keep it out of the record.
 */
import { describe, expect, it } from 'vitest';
import { exitInterviewCases, talentReviewCases, talentRowText, turnLine } from '../../test/fixtures';
import { guardText } from './guard';

/**
 * Personal data in the sense of the redactor: phone numbers, ID numbers, bank cards (runs of 7+ digits, maybe
 * grouped), e-mail addresses, street addresses. Everything else in a `must_not_contain` list (third-party
 * names, health or family details, stereotypes) is not removed by the guard but flagged for the writer/pipeline.
 */
function isPersonalData(s: string): boolean {
  return /\d(?:[ -]?\d){6,}/.test(s) || s.includes('@') || /(?:路|街|大道|弄|小区)\d+号/.test(s);
}

/**
 * Flags that are the pipeline's job, not the guard's: `MISSING:<field>` / `MISSING_DATA` (compared with the
 * template's expected fields), `CONTRADICTION` and `FIELD_CONFLICT` (need reading the whole source), and
 * `LOW_INFORMATION` (shared/source `assessInformation`). The guard is not asked to raise them.
 */
function isPipelineFlag(flag: string): boolean {
  return flag.startsWith('MISSING') || ['CONTRADICTION', 'FIELD_CONFLICT', 'LOW_INFORMATION'].includes(flag);
}

const exitCases = exitInterviewCases();
const talentCases = talentReviewCases();

describe('guard on the exit-interview fixtures', () => {
  it('has fixtures to test', () => {
    expect(exitCases.length).toBeGreaterThanOrEqual(4);
  });

  for (const c of exitCases) {
    describe(`${c.id}: ${c.title}`, () => {
      const result = guardText(c.source);
      const redacted = result.redacted.text;

      it('removes the personal data listed in must_not_contain', () => {
        const pii = c.expected.must_not_contain.filter(isPersonalData);
        for (const s of pii) expect(redacted, s).not.toContain(s);
        // The digits of a phone or ID number must not survive in any spacing either.
        for (const s of pii) if (/\d/.test(s)) expect(redacted.replace(/\D/g, '')).not.toContain(s.replace(/\D/g, ''));
      });

      it('flags every other must_not_contain string that is in the source', () => {
        const others = c.expected.must_not_contain.filter((s) => !isPersonalData(s) && redacted.includes(s));
        for (const s of others) {
          const at = redacted.indexOf(s);
          const covered = result.hits.some((h) => h.start <= at && at + s.length <= h.end);
          expect(covered, `"${s}" is not inside any guard hit: ${JSON.stringify(result.hits.map((h) => h.match))}`).toBe(true);
        }
      });

      it('finds exactly the expected redactions, each in the expected turn', () => {
        const expected = c.expected.redactions;
        expect(result.redacted.redactions.map((r) => r.type).sort()).toEqual(expected.map((r) => r.type).sort());
        for (const e of expected) {
          const line = turnLine(c.source, e.source);
          expect(line, `turn ${e.source}`).toBeDefined();
          const r = result.redacted.redactions.find((x) => x.type === e.type && line && x.start >= line.start && x.end <= line.end);
          expect(r, `${e.type} in ${e.source}`).toBeDefined();
          if (e.checksum_valid !== undefined) expect(r?.checksumValid).toBe(e.checksum_valid);
        }
      });

      it('raises the guard flags the fixture expects, and no others', () => {
        const expected = c.expected.flags.filter((f) => !isPipelineFlag(f));
        expect([...result.flags].sort()).toEqual([...expected].sort());
      });

      it('writes placeholders in the language of the source', () => {
        for (const r of result.redacted.redactions) {
          expect(redacted).toContain(r.replacement);
          expect(r.replacement).toMatch(c.lang === 'zh' ? /已隐去/ : /removed/);
        }
      });
    });
  }
});

describe('guard on the talent-review fixtures (row text via recordToText)', () => {
  it('has fixtures to test', () => {
    expect(talentCases.length).toBeGreaterThanOrEqual(4);
  });

  for (const c of talentCases) {
    describe(c.id, () => {
      const text = talentRowText(c);
      const result = guardText(text);

      it('raises the guard flags the fixture expects, and no others', () => {
        const expected = c.expected.flags.filter((f) => !isPipelineFlag(f));
        expect([...result.flags].sort()).toEqual([...expected].sort());
      });

      it('flags every must_not_contain string that is in the row, or removes it when it is personal data', () => {
        for (const s of c.expected.must_not_contain) {
          if (isPersonalData(s)) {
            expect(result.redacted.text).not.toContain(s);
            continue;
          }
          const at = result.redacted.text.indexOf(s);
          if (at < 0) continue; // e.g. 休假: a wording the model must not use, not a part of the row
          const covered = result.hits.some((h) => h.start <= at && at + s.length <= h.end);
          expect(covered, `"${s}" is not inside any guard hit`).toBe(true);
        }
      });

      it('leaves rows without personal data unchanged', () => {
        expect(result.redacted.redactions).toEqual([]);
        expect(result.redacted.text).toBe(text);
      });
    });
  }

  it('TR4: the maternity leave is blocked with a rewrite and the vague label gets a suggestion', () => {
    const tr4 = talentCases.find((c) => c.id === 'TR4');
    expect(tr4).toBeDefined();
    if (!tr4) return;
    const hits = guardText(talentRowText(tr4)).hits;
    const block = hits.find((h) => h.flag === 'BLOCK:MATERNITY');
    expect(block?.match).toContain('产假');
    expect(block?.rewrite).toBeTruthy();
    const warn = hits.find((h) => h.flag === 'WARN:VAGUE_LABEL');
    expect(warn?.match).toBe('状态一般');
    expect(warn?.message).toMatch(/[\u4e00-\u9fff]/);
  });
});

describe('guard on the expected records (one good answer per fixture)', () => {
  // The guard also runs on the model's output: a well-written record must pass it without a single alert, or
  // writers learn to ignore the alerts.
  it('raises nothing on the expected exit-interview sections', () => {
    for (const c of exitCases) {
      for (const [section, text] of Object.entries(c.expected.sections)) {
        const g = guardText(text);
        expect(g.hits.map((h) => `${h.flag}[${h.match}]`), `${c.id} ${section}`).toEqual([]);
        expect(g.redacted.redactions, `${c.id} ${section}`).toEqual([]);
      }
    }
  });

  it('raises nothing on the expected talent-review comments', () => {
    for (const c of talentCases) {
      const e = c.expected;
      const texts = [e.nine_box.label, ...e.strengths.map((s) => s.text), ...e.development.map((d) => d.text), ...(e.succession ? [e.succession.text] : [])];
      for (const text of texts) expect(guardText(text).hits.map((h) => `${h.flag}[${h.match}]`), `${c.id}: ${text}`).toEqual([]);
    }
  });
});
