/**
 * Table rows -> records: one employee per row (talent review, batch runs), keyed by header names that the
 * model then cites as sources. Word hands over cell text with its own separators and merged cells; this reads
 * it the way a person would and says what it repaired.
 */
import { cleanInline, hasHan, joinLines } from './text';
import type { TableReadResult, TableRecord } from './types';
import fieldAliases from './field-aliases.json';

/** Options of `tableToRecords`. */
export interface TableReadOptions {
  /** Index of the header row; by default the first row whose cells are mostly filled and distinct. */
  headerRow?: number;
  /** Language of generated column names (`列3` / `Column 3`); by default detected from the other headers. */
  language?: 'zh' | 'en';
}

/** Paragraph separators inside a Word cell's text: \r paragraphs, \v line breaks, \u0007 end-of-cell marks. */
// eslint-disable-next-line no-control-regex -- matching Word's control characters is the point
const CELL_BREAK = /\r\n|[\n\r\v\f\u0007\u0085\u2028\u2029]/;

/** A cell as cleaned paragraphs (never throws, whatever the host passed). */
function cellParagraphs(cell: unknown): string[] {
  const raw = typeof cell === 'string' ? cell : typeof cell === 'number' || typeof cell === 'boolean' ? String(cell) : '';
  return raw
    .split(CELL_BREAK)
    .map(cleanInline)
    .filter((p) => p !== '');
}

function rowArray(row: unknown): unknown[] {
  return Array.isArray(row) ? row : [];
}

/** Cleaned cell values of a row, `width` long (missing cells are ''). */
function cellValues(row: unknown, width: number): string[] {
  const cells = rowArray(row);
  const out: string[] = [];
  for (let j = 0; j < width; j += 1) out.push(cellParagraphs(cells[j]).join('\n'));
  return out;
}

function lastFilled(values: readonly string[]): number {
  for (let j = values.length - 1; j >= 0; j -= 1) if (values[j] !== '') return j;
  return -1;
}

/** A header row has its cells mostly filled (at least half the table's width) and mostly distinct. */
function looksLikeHeader(values: readonly string[], width: number): boolean {
  const filled = values.filter((v) => v !== '');
  if (filled.length === 0) return false;
  if (filled.length < Math.ceil(width / 2)) return false;
  return new Set(filled).size >= Math.ceil((filled.length * 2) / 3);
}

function uniqueName(base: string, taken: ReadonlySet<string>, language: 'zh' | 'en'): string {
  for (let k = 2; ; k += 1) {
    const candidate = language === 'zh' ? `${base}(${k})` : `${base} (${k})`;
    if (!taken.has(candidate)) return candidate;
  }
}

function rowRange(from: number, to: number): string {
  return from === to ? `Row ${from + 1}` : `Rows ${from + 1}–${to + 1}`;
}

/**
 * Reads table rows (as Word's `table.values` or `parseMarkdownTable` give them) into records.
 *
 * - Header: `options.headerRow`, or the first row whose cells are mostly filled and distinct (a merged title
 *   row above it is skipped and reported).
 * - Cells: Word paragraph marks (\r, \n, \v, \u0007) become `\n` between trimmed paragraphs; invisibles go,
 *   whitespace runs collapse; an empty cell is `''`.
 * - Header names are unique and non-empty: a repeated name becomes `绩效(2)` (`Rating (2)`), an empty header
 *   over a column with data becomes `列3` / `Column 3`; empty columns with no header are dropped.
 * - Rows: a short row (merged cells) is padded with `''`; an all-empty row and a repeat of the header are
 *   skipped. Each repair is reported in `problems`.
 *
 * Never throws.
 */
export function tableToRecords(rows: readonly (readonly string[])[], options: TableReadOptions = {}): TableReadResult {
  const table: readonly unknown[] = Array.isArray(rows) ? rows : [];
  // Width = up to the last filled cell of any row: trailing empty cells (Word pads) make no columns.
  // Array.from, not map: a sparse array's holes must become empty rows, not holes.
  const cleaned = Array.from(table, (row) => cellValues(row, rowArray(row).length));
  const width = cleaned.reduce((w, values) => Math.max(w, lastFilled(values) + 1), 0);
  if (width === 0) return { ok: false, reason: 'empty', message: 'The table has no text.' };
  const grid = cleaned.map((values) => Array.from({ length: width }, (_, j) => values[j] ?? ''));

  let headerRow: number;
  const explicit = options.headerRow;
  if (explicit !== undefined) {
    if (!Number.isInteger(explicit) || explicit < 0 || explicit >= grid.length || lastFilled(grid[explicit] ?? []) < 0) {
      return { ok: false, reason: 'no-header', message: `Row ${String(explicit + 1)} cannot be the header: it is missing or empty.` };
    }
    headerRow = explicit;
  } else {
    headerRow = grid.findIndex((values) => looksLikeHeader(values, width));
    if (headerRow < 0) {
      return { ok: false, reason: 'no-header', message: 'No row looks like a header (a row whose cells are mostly filled and distinct).' };
    }
  }

  const problems: string[] = [];
  if (headerRow > 0 && explicit === undefined) {
    problems.push(`${rowRange(0, headerRow - 1)} above the header skipped (a title or merged row).`);
  } else if (headerRow > 0) {
    problems.push(`${rowRange(0, headerRow - 1)} above the header skipped.`);
  }

  const headerCells = rowArray(table[headerRow]);
  const headerTexts: string[] = [];
  for (let j = 0; j < width; j += 1) headerTexts.push(joinLines(cellParagraphs(headerCells[j])));
  const language = options.language ?? (headerTexts.some(hasHan) ? 'zh' : headerTexts.some((h) => /[A-Za-z]/.test(h)) ? 'en' : 'zh');

  const dataRows: number[] = [];
  for (let i = headerRow + 1; i < grid.length; i += 1) dataRows.push(i);
  const columnHasData = (j: number): boolean => dataRows.some((i) => (grid[i]?.[j] ?? '') !== '');

  // Columns kept: named ones, and unnamed ones that hold data (a blank spacer column is dropped).
  const columns: Array<{ index: number; name: string }> = [];
  const reserved = new Set(headerTexts.filter((h) => h !== ''));
  const taken = new Set<string>();
  for (let j = 0; j < width; j += 1) {
    const written = headerTexts[j] ?? '';
    if (written === '' && !columnHasData(j)) continue;
    let name = written;
    if (name === '') {
      name = language === 'zh' ? `列${j + 1}` : `Column ${j + 1}`;
      if (taken.has(name) || reserved.has(name)) name = uniqueName(name, new Set([...taken, ...reserved]), language);
      problems.push(`Column ${j + 1} has no header; named ${name}.`);
    } else if (taken.has(name)) {
      name = uniqueName(written, new Set([...taken, ...reserved]), language);
      problems.push(`Header ${written} repeats; column ${j + 1} named ${name}.`);
    }
    taken.add(name);
    columns.push({ index: j, name });
  }
  const lastColumn = columns.reduce((m, c) => Math.max(m, c.index), -1);

  const records: TableRecord[] = [];
  for (const i of dataRows) {
    const values = grid[i] ?? [];
    if (lastFilled(values) < 0) {
      problems.push(`Row ${i + 1} is empty (merged or spacer row); skipped.`);
      continue;
    }
    if (columns.every((c) => values[c.index] === headerTexts[c.index])) {
      problems.push(`Row ${i + 1} repeats the header; skipped.`);
      continue;
    }
    const length = rowArray(table[i]).length;
    if (length <= lastColumn) {
      problems.push(`Row ${i + 1} has ${length} of ${lastColumn + 1} cells (merged cells?); the missing cells were left empty.`);
    }
    records.push({ rowIndex: i, fields: Object.fromEntries(columns.map((c) => [c.name, values[c.index] ?? ''])) });
  }

  if (records.length === 0) {
    return { ok: false, reason: 'no-data', message: 'The table has a header but no data rows.' };
  }
  return { ok: true, header: columns.map((c) => c.name), headerRow, records, problems };
}

/**
 * A record as `字段: 值` lines in header order (the source text of a table-row template; the field names are
 * what the model cites). A multi-paragraph value continues on indented lines; fields missing from `header`
 * follow at the end, so nothing is dropped.
 */
export function recordToText(record: Pick<TableRecord, 'fields'>, header?: readonly string[]): string {
  const fields = record.fields;
  const names = [...(header ?? [])];
  for (const name of Object.keys(fields)) if (!names.includes(name)) names.push(name);
  return names
    .map((name) => {
      const value = Object.hasOwn(fields, name) ? (fields[name] ?? '') : '';
      const [first = '', ...rest] = value.split('\n');
      const line = first === '' ? `${name}:` : `${name}: ${first}`;
      return [line, ...rest.map((r) => `  ${r}`)].join('\n');
    })
    .join('\n');
}

/** Values that stand for "no data" (compared case-insensitively, after a trailing note in brackets is removed). */
const PLACEHOLDERS = new Set([
  '', '-', '--', '—', '——', '–', '/', '?', '？', '…', '...', '无数据', '暂无', '待评估', '待定', '未评估', '未参评', '未评', '未知', '不详', '空',
  'n/a', 'na', 'n.a.', 'none', 'null', 'nil', 'tbd', 'tbc', 'pending', 'unknown', 'not rated', 'not assessed', 'not evaluated',
]);

/**
 * True when a cell value means "no data": empty, a dash, `N/A`, `待评估`, `未参评`, also with a note such as
 * `—(试用期未参评)` or `N/A (new hire)`.
 */
export function isMissingValue(value: string | undefined): boolean {
  if (value === undefined) return true;
  const text = cleanInline(value).toLowerCase();
  if (PLACEHOLDERS.has(text)) return true;
  // A placeholder followed by an explanation in brackets: `—(试用期未参评)`, `待评估（下季度）`.
  const head = text.replace(/\s*[(（][^()（）]*[)）]$/u, '');
  return head !== text && (PLACEHOLDERS.has(head) || isMissingValue(head));
}

/**
 * A header name reduced for matching: bracketed notes dropped (`绩效(近三期)`, `Rating [2025]`), case folded,
 * spacing and punctuation removed.
 */
export function fieldKey(name: string): string {
  return name
    .replace(/[(（[【<《][^)）\]】>》]{0,40}[)）\]】>》]/gu, '')
    .toLowerCase()
    .replace(/[\s\p{P}\p{S}]+/gu, '');
}

const ALIAS_GROUP: ReadonlyMap<string, number> = new Map(
  (fieldAliases as { groups: string[][] }).groups.flatMap((group, i) => group.map((name) => [fieldKey(name), i] as const)),
);

/**
 * The header name in `names` that stands for the expected field `name`: the same name; else the same after
 * {@link fieldKey} (`绩效` ↔ `绩效(近三期)`, `performance` ↔ `Performance`); else a name in the same alias group
 * (./field-aliases.json: `Rating` ↔ `Performance`); else a name that starts with the expected one (`绩效等级` for
 * `绩效`). Undefined when none does.
 */
export function matchField(names: readonly string[], name: string): string | undefined {
  if (names.includes(name)) return name;
  const key = fieldKey(name);
  if (key === '') return undefined;
  const keys = names.map((n) => fieldKey(n));
  const same = keys.indexOf(key);
  if (same >= 0) return names[same];
  const group = ALIAS_GROUP.get(key);
  if (group !== undefined) {
    const alias = keys.findIndex((k) => ALIAS_GROUP.get(k) === group);
    if (alias >= 0) return names[alias];
  }
  const prefixed = keys.findIndex((k) => k.startsWith(key));
  return prefixed >= 0 ? names[prefixed] : undefined;
}

/**
 * The names in `expected` whose value in `record` is absent or a placeholder (see `isMissingValue`), in the
 * order of `expected`. Names match as {@link matchField} says, so `绩效(近三期)` fills `绩效` and `Rating` fills
 * `Performance`.
 */
export function missingFields(record: Pick<TableRecord, 'fields'>, expected: readonly string[]): string[] {
  const fields = record.fields;
  const names = Object.keys(fields);
  return expected.filter((name) => {
    const key = matchField(names, name);
    return key === undefined || isMissingValue(fields[key]);
  });
}
