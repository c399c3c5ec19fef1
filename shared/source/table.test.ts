import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { contentOf, isMissingValue, missingFields, parseMarkdownTable, recordToText, tableToRecords } from './index';
import type { TableReadResult } from './index';

interface TalentCase {
  id: string;
  row: Record<string, string>;
  expected: { flags: string[]; nine_box: { sources: string[] }; strengths: Array<{ sources: string[] }> };
}
const talentCases = (
  JSON.parse(readFileSync(fileURLToPath(new URL('../../../shared/fixtures/talent-reviews.json', import.meta.url)), 'utf8')) as {
    cases: TalentCase[];
  }
).cases;

function ok(result: TableReadResult): Extract<TableReadResult, { ok: true }> {
  if (!result.ok) throw new Error(`expected ok, got ${result.reason}: ${result.message}`);
  return result;
}

describe('tableToRecords on the talent-review fixtures', () => {
  it.each(talentCases.map((c) => [c.id, c] as const))('%s: header + one row round-trips into a record', (_, c) => {
    const header = Object.keys(c.row);
    const result = ok(tableToRecords([header, header.map((h) => c.row[h] ?? '')]));
    expect(result.header).toEqual(header);
    expect(result.headerRow).toBe(0);
    expect(result.records).toEqual([{ rowIndex: 1, fields: c.row }]);
    expect(result.problems).toEqual([]);
    // Every field the expected answer cites is a field name of the record.
    const cited = [...c.expected.nine_box.sources, ...c.expected.strengths.flatMap((s) => s.sources)];
    for (const name of cited) expect(result.header).toContain(name);
    const text = recordToText(result.records[0]!, result.header);
    expect(text.split('\n')).toEqual(header.map((h) => `${h}: ${c.row[h] ?? ''}`));
  });

  it('finds the missing 绩效 and 潜力 of TR3 and nothing missing in TR1/TR2/TR4', () => {
    const expected = ['绩效', '潜力'];
    for (const c of talentCases) {
      const missing = missingFields({ fields: c.row }, expected);
      expect(missing, c.id).toEqual(c.expected.flags.includes('MISSING_DATA') ? ['绩效', '潜力'] : []);
    }
  });

  it('reads several employees from one Word table, with paragraph and cell marks', () => {
    const rows = [
      ['岗位\r\u0007', '绩效\u0007', '潜力', '备注'],
      ['P7高级架构师', 'A/A-', '高', '主导两次架构升级\r牵头故障复盘\u000b（2024）\r\u0007'],
      ['P6资深测试工程师', 'B+/A', '中', ''],
    ];
    const result = ok(tableToRecords(rows));
    expect(result.header).toEqual(['岗位', '绩效', '潜力', '备注']);
    expect(result.records.map((r) => r.fields['备注'])).toEqual(['主导两次架构升级\n牵头故障复盘\n（2024）', '']);
    expect(recordToText(result.records[0]!, result.header)).toBe(
      '岗位: P7高级架构师\n绩效: A/A-\n潜力: 高\n备注: 主导两次架构升级\n  牵头故障复盘\n  （2024）',
    );
    expect(recordToText(result.records[1]!, result.header).split('\n').at(-1)).toBe('备注:');
  });
});

describe('tableToRecords on broken tables', () => {
  it('fails clearly on an empty table, a header only, and no header', () => {
    expect(tableToRecords([])).toMatchObject({ ok: false, reason: 'empty' });
    expect(tableToRecords([[], ['', ' ', '\r\u0007']])).toMatchObject({ ok: false, reason: 'empty' });
    expect(tableToRecords([['岗位', '绩效']])).toMatchObject({ ok: false, reason: 'no-data' });
    expect(tableToRecords([['岗位', '绩效'], ['', ''], ['\u0007', ' ']])).toMatchObject({ ok: false, reason: 'no-data' });
    expect(tableToRecords([['x', 'x', 'x'], ['y', '', '']])).toMatchObject({ ok: false, reason: 'no-header' });
    expect(tableToRecords([['a', 'b']], { headerRow: 3 })).toMatchObject({ ok: false, reason: 'no-header' });
    const failed = tableToRecords([['岗位']]);
    expect(!failed.ok && failed.message.length > 0).toBe(true);
  });

  it('skips a merged title row, pads ragged rows, skips empty rows, reports each', () => {
    const rows = [
      ['2024年度人才盘点'],
      ['姓名', '岗位', '绩效', '潜力'],
      ['甲', 'P7', 'A'],
      ['', '', '', ''],
      ['乙', 'P6', 'B', '中'],
    ];
    const result = ok(tableToRecords(rows));
    expect(result.headerRow).toBe(1);
    expect(result.records).toEqual([
      { rowIndex: 2, fields: { 姓名: '甲', 岗位: 'P7', 绩效: 'A', 潜力: '' } },
      { rowIndex: 4, fields: { 姓名: '乙', 岗位: 'P6', 绩效: 'B', 潜力: '中' } },
    ]);
    expect(result.problems).toEqual([
      'Row 1 above the header skipped (a title or merged row).',
      'Row 3 has 3 of 4 cells (merged cells?); the missing cells were left empty.',
      'Row 4 is empty (merged or spacer row); skipped.',
    ]);
  });

  it('treats a title repeated across merged cells as a title, not a header', () => {
    const result = ok(tableToRecords([['盘点', '盘点', '盘点'], ['岗位', '绩效', '潜力'], ['P5', 'C/B', '高']]));
    expect(result.headerRow).toBe(1);
  });

  it('makes duplicate and blank headers unique, in the headers’ language', () => {
    const zh = ok(tableToRecords([['绩效', '绩效', ' ', '潜力', '绩效(2)'], ['A', 'B', 'x', '高', 'C']]));
    expect(zh.header).toEqual(['绩效', '绩效(3)', '列3', '潜力', '绩效(2)']);
    const en = ok(tableToRecords([['Rating', 'Rating', '', 'Potential'], ['A', 'B', 'x', 'High']]));
    expect(en.header).toEqual(['Rating', 'Rating (2)', 'Column 3', 'Potential']);
    expect(en.problems).toEqual(['Header Rating repeats; column 2 named Rating (2).', 'Column 3 has no header; named Column 3.']);
    expect(ok(tableToRecords([['Rating', ''], ['A', 'x']], { language: 'zh' })).header).toEqual(['Rating', '列2']);
  });

  it('accepts an explicit header row, drops blank unnamed columns, names extra cells', () => {
    const result = ok(tableToRecords([['绩效', '绩效'], ['A', 'B', '', '多出来的']], { headerRow: 0 }));
    expect(result.header).toEqual(['绩效', '绩效(2)', '列4']);
    expect(result.records[0]!.fields).toEqual({ 绩效: 'A', '绩效(2)': 'B', 列4: '多出来的' });
  });

  it('skips a repeated header row and tolerates non-string cells and sparse rows', () => {
    const sparse: string[] = [];
    sparse[2] = '高';
    const rows = [['岗位', '绩效', '潜力'], ['岗位', '绩效', '潜力'], ['P7', 7 as unknown as string, null as unknown as string], sparse];
    const result = ok(tableToRecords(rows));
    expect(result.records).toEqual([
      { rowIndex: 2, fields: { 岗位: 'P7', 绩效: '7', 潜力: '' } },
      { rowIndex: 3, fields: { 岗位: '', 绩效: '', 潜力: '高' } },
    ]);
    expect(result.problems[0]).toBe('Row 2 repeats the header; skipped.');
  });

  it('keeps a field named like an Object.prototype member as data', () => {
    const result = ok(tableToRecords([['__proto__', 'constructor'], ['x', '']]));
    const record = result.records[0]!;
    expect(Object.hasOwn(record.fields, '__proto__')).toBe(true);
    expect(record.fields['__proto__']).toBe('x');
    expect(missingFields(record, ['constructor', '__proto__', 'toString'])).toEqual(['constructor', 'toString']);
  });
});

describe('isMissingValue / missingFields', () => {
  it('treats placeholders as missing and real values as present', () => {
    for (const v of ['', '  ', '—', '-', '--', 'N/A', 'n/a', '待评估', '未参评', '—(试用期未参评)', '—（试用期未参评）', 'N/A (new hire)', 'TBD', undefined]) {
      expect(isMissingValue(v), String(v)).toBe(true);
    }
    for (const v of ['A', '低(本人希望走专家路线)', '3份(均值3.8/5)', '0', '无意愿', '-5%', '4个月']) {
      expect(isMissingValue(v), v).toBe(false);
    }
  });

  it('matches names exactly, then case-insensitively, and reports absent fields', () => {
    const record = { fields: { Rating: 'A', Potential: 'pending' } };
    expect(missingFields(record, ['rating', 'Potential', 'Mobility'])).toEqual(['Potential', 'Mobility']);
  });
});

describe('parseMarkdownTable', () => {
  it('reads a GFM table with alignment, escaped pipes, <br> and ragged rows', () => {
    const md = [
      'Talent review',
      '',
      '| Role | Rating \\| Trend | Notes |',
      '|:-----|:------:|------:|',
      '| P7 | A \\| A- | led migration<br>mentors two |',
      '| P6 | B+ |',
      '| P5 | C | late | extra |',
      '',
      'After the table.',
    ].join('\n');
    expect(parseMarkdownTable(md)).toEqual([
      ['Role', 'Rating | Trend', 'Notes'],
      ['P7', 'A | A-', 'led migration\nmentors two'],
      ['P6', 'B+', ''],
      ['P5', 'C', 'late', 'extra'],
    ]);
  });

  it('accepts tables without outer pipes and stops at another block', () => {
    expect(parseMarkdownTable('岗位 | 绩效\n--- | ---\nP7 | A\n# 下一节\n| x | y |')).toEqual([
      ['岗位', '绩效'],
      ['P7', 'A'],
    ]);
  });

  it('returns undefined without a valid table', () => {
    expect(parseMarkdownTable('')).toBeUndefined();
    expect(parseMarkdownTable('just | text')).toBeUndefined();
    expect(parseMarkdownTable('| a | b |\n| --- |\n| 1 | 2 |')).toBeUndefined();
    expect(parseMarkdownTable('Title\n---')).toBeUndefined();
  });

  it('feeds tableToRecords', () => {
    const rows = parseMarkdownTable('| 岗位 | 绩效 | 潜力 |\n|---|---|---|\n| M1运营主管 | —(试用期未参评) | 待评估 |')!;
    const result = ok(tableToRecords(rows));
    expect(missingFields(result.records[0]!, ['绩效', '潜力', '岗位'])).toEqual(['绩效', '潜力']);
  });
});

// --- properties ---------------------------------------------------------------------------------------

const cellText = fc.oneof(
  fc.constantFrom('', ' ', '绩效', '绩效', 'A', '—', '\r', '\n', '\u000b', '\u0007', '\r\u0007', '\u200b', '\u00a0', '高\r中', 'x y'),
  fc.string({ unit: 'binary', maxLength: 8 }),
);
const grid = fc.array(fc.array(cellText, { maxLength: 6 }), { maxLength: 8 });

describe('tableToRecords properties', () => {
  it('never throws and never loses the text of a data row', () => {
    fc.assert(
      fc.property(grid, fc.option(fc.integer({ min: -1, max: 9 }), { nil: undefined }), (rows, headerRow) => {
        const result = tableToRecords(rows, headerRow === undefined ? {} : { headerRow });
        if (!result.ok) {
          expect(['empty', 'no-header', 'no-data']).toContain(result.reason);
          return;
        }
        expect(new Set(result.header).size).toBe(result.header.length);
        for (const name of result.header) expect(name).not.toBe('');
        const byRow = new Map(result.records.map((r) => [r.rowIndex, r]));
        const headerContent = contentOf((rows[result.headerRow] ?? []).join(''));
        for (let i = result.headerRow + 1; i < rows.length; i += 1) {
          const rowContent = contentOf((rows[i] ?? []).join(''));
          const record = byRow.get(i);
          if (record === undefined) {
            // Only empty rows and repeats of the header are skipped.
            expect(rowContent === '' || rowContent === headerContent).toBe(true);
            continue;
          }
          expect(Object.keys(record.fields)).toEqual(result.header);
          expect(contentOf(result.header.map((h) => record.fields[h]).join(''))).toBe(rowContent);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('round-trips through Markdown', () => {
    const mdCell = fc
      .string({ unit: 'grapheme', maxLength: 10 })
      .filter((s) => !/[\r\n]|<br/i.test(s))
      .map((s) => s.trim());
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.array(fc.array(mdCell, { minLength: 5, maxLength: 5 }), { minLength: 1, maxLength: 6 }), (width, raw) => {
        const rows = raw.map((r) => r.slice(0, width));
        const line = (cells: string[]) => `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
        const md = [line(rows[0]!), `|${' --- |'.repeat(width)}`, ...rows.slice(1).map(line)].join('\n');
        expect(parseMarkdownTable(md)).toEqual(rows);
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on arbitrary Markdown', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constantFrom('|', '\\|', '---', ':-:', '\n', ' ', '<br>', '#'), fc.string({ maxLength: 5 })), { maxLength: 30 }), (parts) => {
        const rows = parseMarkdownTable(parts.join(''));
        if (rows !== undefined) for (const row of rows) expect(row.length).toBeGreaterThanOrEqual(rows[0]!.length);
      }),
    );
  });
});

describe('missingFields: expected fields match headers loosely', () => {
  it('a bracketed note, case and spacing do not make a field missing; aliases count', () => {
    expect(missingFields({ fields: { '绩效(近三期)': 'B/A/A', 潜力: '高', 岗位: '工程师' } }, ['岗位', '绩效', '潜力'])).toEqual([]);
    expect(missingFields({ fields: { Role: 'Engineer', Rating: 'A', potential: 'High' } }, ['Role', 'Performance', 'Potential'])).toEqual([]);
    expect(missingFields({ fields: { 考核结果: 'A', 岗位: 'x' } }, ['岗位', '绩效', '潜力'])).toEqual(['潜力']);
  });

  it('a placeholder value under a loosely matched name still counts as missing', () => {
    expect(missingFields({ fields: { '绩效（2025）': '—' } }, ['绩效'])).toEqual(['绩效']);
    expect(missingFields({ fields: { 备注: '很好' } }, ['绩效'])).toEqual(['绩效']);
  });
});
