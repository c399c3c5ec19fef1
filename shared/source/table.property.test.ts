/**
 * Property tests of the table reader on random and adversarial input (complementing table.test.ts): what a
 * host hands over may be anything (Word's `table.values` with control characters, a Markdown table from VS
 * Code, or junk), and neither reader may throw or drop a cell's text.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseMarkdownTable } from './markdown';
import { recordToText, tableToRecords } from './table';
import { contentOf } from './text';

/** Cell text as Word and Markdown produce it, plus arbitrary code units (lone surrogates included). */
const cell = fc.oneof(
  fc.constantFrom('', ' ', '绩效', '潜力', 'A/A-', '—(试用期未参评)', '9/10', '\r', '\r\u0007', '\u000b', '\u200b', '\u00a0', '高\r中', 'a|b', '\\|', '<br>', '#', '---', ':-:', '`', '\ud83d\ude00', '\ud800'),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 12 }),
);

describe('tableToRecords: properties', () => {
  it('never throws on values that are not a table of strings', () => {
    const junk = fc.oneof(
      fc.anything(),
      fc.array(fc.anything(), { maxLength: 6 }),
      fc.array(fc.array(fc.oneof(cell, fc.anything()), { maxLength: 6 }), { maxLength: 6 }),
      fc.sparseArray(fc.sparseArray(cell, { maxLength: 6 }), { maxLength: 6 }),
    );
    fc.assert(
      fc.property(junk, (rows) => {
        const r = tableToRecords(rows as unknown as string[][]);
        if (!r.ok) expect(r.message).not.toBe('');
      }),
      { numRuns: 500 },
    );
  });

  it('keeps the text of every header cell in the column names', () => {
    const grid = fc.array(fc.array(cell, { maxLength: 6 }), { minLength: 1, maxLength: 6 });
    fc.assert(
      fc.property(grid, (rows) => {
        const r = tableToRecords(rows);
        if (!r.ok) return;
        const header = rows[r.headerRow] ?? [];
        header.forEach((h) => {
          const c = contentOf(h);
          if (c === '') return;
          // A repeated name gets a suffix (绩效(2)); the written text stays in the name.
          expect(r.header.some((name) => contentOf(name).includes(c)), `${JSON.stringify(h)} in ${JSON.stringify(r.header)}`).toBe(true);
        });
      }),
      { numRuns: 500 },
    );
  });

  it('recordToText keeps every field name and value', () => {
    const grid = fc.array(fc.array(cell, { maxLength: 6 }), { minLength: 2, maxLength: 6 });
    fc.assert(
      fc.property(grid, (rows) => {
        const r = tableToRecords(rows);
        if (!r.ok) return;
        for (const record of r.records) {
          const text = contentOf(recordToText(record, r.header));
          const expected = contentOf(r.header.map((h) => `${h}:${record.fields[h] ?? ''}`).join(''));
          expect(text).toBe(expected);
        }
      }),
      { numRuns: 300 },
    );
  });
});

/** A Markdown table line from cells: pipes inside a cell escaped, as a writer (or an editor) would. */
function mdLine(cells: readonly string[]): string {
  return `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
}

/** Cell text that stays on one line (a Markdown row is one line). */
// eslint-disable-next-line no-control-regex -- removing Word's line-break characters is the point
const mdCell = cell.map((c) => c.replace(/[\r\n\u000b\f\u0085\u2028\u2029]/g, ' '));

describe('parseMarkdownTable: properties', () => {
  it('never throws on arbitrary text or non-text', () => {
    const parts = fc.array(fc.oneof(fc.constantFrom('|', '\\|', '\\', '---', ':-:', '-', '\n', '\r\n', '\r', ' ', '<br>', '<BR/>', '#', '> ', '```'), fc.string({ unit: 'binary', maxLength: 6 })), { maxLength: 40 });
    fc.assert(
      fc.property(fc.oneof(parts.map((p) => p.join('')), fc.anything()), (input) => {
        const rows = parseMarkdownTable(input as string);
        if (rows === undefined) return;
        expect(rows.length).toBeGreaterThanOrEqual(1);
        for (const row of rows) expect(row.length).toBeGreaterThanOrEqual(rows[0]?.length ?? 0);
      }),
      { numRuns: 500 },
    );
  });

  it('loses no cell text from Markdown to records, extra cells and escaped pipes included', () => {
    const headerNames = fc.uniqueArray(fc.stringMatching(/^[A-Za-z\u4e00-\u9fa5]{1,6}$/), { minLength: 1, maxLength: 5 });
    const body = fc.array(fc.array(mdCell, { minLength: 0, maxLength: 7 }), { minLength: 1, maxLength: 5 });
    fc.assert(
      fc.property(headerNames, body, fc.constantFrom('\n', '\r\n'), (header, rows, eol) => {
        const md = ['前言文字', '', mdLine(header), `|${' --- |'.repeat(header.length)}`, ...rows.map(mdLine), '', '后记'].join(eol);
        const parsed = parseMarkdownTable(md);
        expect(parsed, md).toBeDefined();
        if (!parsed) return;
        expect(parsed[0]).toEqual(header);
        expect(parsed).toHaveLength(rows.length + 1);
        // Cell by cell, the content survives (a cell's <br> becomes a line break, which is not content).
        rows.forEach((row, i) => {
          const got = parsed[i + 1] ?? [];
          row.forEach((c, j) => expect(contentOf(got[j] ?? '')).toBe(contentOf(c.replace(/<br\s*\/?>/gi, ''))));
        });

        // GFM defines the first row as the header, so a Markdown host says so (auto-detection can reject a
        // header that is narrower than rows with extra cells).
        const r = tableToRecords(parsed, { headerRow: 0 });
        if (!r.ok) {
          expect(r.reason).toBe('no-data'); // only when every body row is empty or repeats the header
          return;
        }
        expect(r.headerRow).toBe(0);
        const byRow = new Map(r.records.map((x) => [x.rowIndex, x]));
        parsed.slice(1).forEach((row, i) => {
          const content = contentOf(row.join(''));
          const record = byRow.get(i + 1);
          if (!record) {
            expect(content === '' || content === contentOf(header.join(''))).toBe(true);
            return;
          }
          expect(contentOf(r.header.map((h) => record.fields[h] ?? '').join(''))).toBe(content);
        });
      }),
      { numRuns: 400 },
    );
  });
});
