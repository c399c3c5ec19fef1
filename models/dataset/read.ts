/**
 * Reading the admin's records: a CSV with the columns `input,output` (the lora-scripts format, as Excel and WPS
 * save it), or JSONL with one `{"input": …, "output": …}` object per line. Bytes in, rows out: the caller reads
 * the file. Whole-file problems (empty file, not UTF-8, wrong columns) throw a {@link DatasetReadError} whose
 * message says what to do; problems of single rows are returned with their row and line numbers, so one broken
 * row never hides the others.
 */
import Papa from 'papaparse';
import type { ExampleKind } from './prompt';

/** One record as read, before validation. */
export interface RawRow {
  /** 1-based position among the data rows (the header is not counted): what the report calls "row N". */
  row: number;
  /** 1-based line of the file where the row starts (rows may span lines: newlines inside quoted cells). */
  line: number;
  input: string;
  output: string;
  /** From the optional `kind` column: `transcript` or `notes`. */
  kind?: ExampleKind;
}

/** A problem with one row that makes it unusable as read. */
export interface RowReadProblem {
  row: number;
  line: number;
  message: string;
}

/** What {@link readRecords} found. */
export interface ReadResult {
  format: 'csv' | 'jsonl';
  rows: RawRow[];
  problems: RowReadProblem[];
}

/** A problem that makes the whole file unreadable. */
export class DatasetReadError extends Error {
  override readonly name = 'DatasetReadError';
}

/** Columns a file may have: the two required ones and the optional source kind. */
export const REQUIRED_COLUMNS = ['input', 'output'] as const;
export const OPTIONAL_COLUMNS = ['kind'] as const;
const KINDS: readonly ExampleKind[] = ['transcript', 'notes'];

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/**
 * Decodes UTF-8 strictly (a BOM is dropped). On invalid bytes the error names the line (and, for CSV, the data
 * row) where they are, since Excel's default "CSV" on Chinese Windows is GBK, not UTF-8.
 */
export function decodeUtf8(bytes: Uint8Array, format: 'csv' | 'jsonl'): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    // Find the line with the first invalid byte (a multi-byte character never contains a newline byte).
    const strict = new TextDecoder('utf-8', { fatal: true });
    let lineStart = 0;
    let line = 1;
    for (let i = 0; i <= bytes.length; i++) {
      if (i !== bytes.length && bytes[i] !== 10) continue;
      try {
        strict.decode(bytes.subarray(lineStart, i));
      } catch {
        throw new DatasetReadError(
          `the file is not valid UTF-8: invalid bytes on line ${line}${format === 'csv' ? ` (${csvRowAt(strict.decode(bytes.subarray(0, lineStart)))})` : ` (record ${jsonlRowAt(strict.decode(bytes.subarray(0, lineStart)))})`}. ` +
            'Save the file as "CSV UTF-8" (Excel: File > Save As > CSV UTF-8; WPS: choose UTF-8 encoding): ' +
            'a CSV saved as GBK/ANSI looks like this.',
        );
      }
      lineStart = i + 1;
      line++;
    }
    throw new DatasetReadError('the file is not valid UTF-8; save it as "CSV UTF-8"');
  }
}

/** Which data row the text after `prefix` belongs to (prefix: the valid lines before the bad one). */
function csvRowAt(prefix: string): string {
  const records = Papa.parse<string[]>(prefix.replace(/^\uFEFF/, ''), { header: false, skipEmptyLines: 'greedy' }).data;
  const insideQuotes = ((prefix.match(/"/g) ?? []).length % 2) === 1;
  const row = insideQuotes ? records.length - 1 : records.length;
  return row <= 0 ? 'the header line' : `data row ${row}`;
}

function jsonlRowAt(prefix: string): number {
  return prefix.split(/\r?\n/).filter((l) => l.trim() !== '').length + 1;
}

function parseKind(value: string | undefined, row: number, line: number, problems: RowReadProblem[]): ExampleKind | undefined {
  const v = (value ?? '').trim().toLowerCase();
  if (v === '') return undefined;
  if ((KINDS as readonly string[]).includes(v)) return v as ExampleKind;
  problems.push({ row, line, message: `kind: "${value ?? ''}" is not a source kind (use transcript or notes, or leave it empty)` });
  return undefined;
}

function readCsv(text: string): ReadResult {
  const records: { cells: string[]; start: number }[] = [];
  const parseProblems: { index: number; message: string }[] = [];
  let previousCursor = 0;
  Papa.parse<string[]>(text, {
    header: false,
    skipEmptyLines: false,
    step: (results) => {
      const index = records.length;
      const cells = results.data;
      records.push({ cells, start: previousCursor });
      previousCursor = results.meta.cursor;
      for (const e of results.errors) {
        // Quote errors are about the row being read; report them with it.
        parseProblems.push({ index, message: e.code === 'MissingQuotes' ? 'a quoted cell is never closed (an odd number of ")' : e.message });
      }
    },
  });
  // A blank line is no record (Excel adds one at the end; people leave gaps).
  const nonBlank = records.filter((r) => !(r.cells.length === 1 && (r.cells[0] ?? '').trim() === ''));
  if (nonBlank.length === 0) throw new DatasetReadError('the file is empty: expected a header line "input,output" and one row per record');

  const headerRecord = nonBlank[0];
  const header = (headerRecord?.cells ?? []).map((h) => h.trim().toLowerCase());
  const unknown = header.filter((h) => !(REQUIRED_COLUMNS as readonly string[]).includes(h) && !(OPTIONAL_COLUMNS as readonly string[]).includes(h));
  const missing = REQUIRED_COLUMNS.filter((c) => !header.includes(c));
  const repeated = header.filter((h, i) => header.indexOf(h) !== i);
  if (missing.length > 0 || unknown.length > 0 || repeated.length > 0) {
    const found = header.length > 0 ? header.map((h) => (h === '' ? '(empty)' : h)).join(',') : '(nothing)';
    const parts = [
      missing.length > 0 ? `missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}` : '',
      unknown.length > 0 ? `unknown column${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => (u === '' ? '(empty)' : u)).join(', ')}` : '',
      repeated.length > 0 ? `repeated column ${[...new Set(repeated)].join(', ')}` : '',
    ].filter((p) => p !== '');
    throw new DatasetReadError(
      `wrong columns: ${parts.join('; ')}. The first line must be the header "input,output" (optional: kind); found "${found}"`,
    );
  }
  const col = (name: string): number => header.indexOf(name);
  const rows: RawRow[] = [];
  const problems: RowReadProblem[] = [];
  nonBlank.slice(1).forEach((r, i) => {
    const row = i + 1;
    const line = lineAt(text, r.start);
    const recordIndex = records.indexOf(r);
    for (const p of parseProblems.filter((q) => q.index === recordIndex)) problems.push({ row, line, message: p.message });
    if (r.cells.length !== header.length) {
      problems.push({
        row,
        line,
        message: `has ${r.cells.length} cell${r.cells.length === 1 ? '' : 's'}, the header has ${header.length}` +
          ' (a comma inside a cell needs the cell in double quotes)',
      });
      return;
    }
    const kind = col('kind') >= 0 ? parseKind(r.cells[col('kind')], row, line, problems) : undefined;
    rows.push({ row, line, input: r.cells[col('input')] ?? '', output: r.cells[col('output')] ?? '', ...(kind ? { kind } : {}) });
  });
  return { format: 'csv', rows, problems };
}

function readJsonl(text: string): ReadResult {
  const rows: RawRow[] = [];
  const problems: RowReadProblem[] = [];
  const lines = text.split(/\r?\n/);
  let row = 0;
  lines.forEach((l, i) => {
    if (l.trim() === '') return;
    row++;
    const line = i + 1;
    let value: unknown;
    try {
      value = JSON.parse(l);
    } catch {
      problems.push({ row, line, message: 'not a JSON object (one {"input": …, "output": …} per line)' });
      return;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      problems.push({ row, line, message: 'not a JSON object (one {"input": …, "output": …} per line)' });
      return;
    }
    const o = value as Record<string, unknown>;
    const extra = Object.keys(o).filter((k) => !(REQUIRED_COLUMNS as readonly string[]).includes(k) && !(OPTIONAL_COLUMNS as readonly string[]).includes(k));
    if (extra.length > 0) {
      problems.push({ row, line, message: `unknown key${extra.length > 1 ? 's' : ''} ${extra.join(', ')} (allowed: input, output, kind)` });
      return;
    }
    if (typeof o.input !== 'string' || typeof o.output !== 'string') {
      problems.push({ row, line, message: '"input" and "output" must both be strings' });
      return;
    }
    const kind = parseKind(typeof o.kind === 'string' ? o.kind : o.kind === undefined ? undefined : String(o.kind), row, line, problems);
    rows.push({ row, line, input: o.input, output: o.output, ...(kind ? { kind } : {}) });
  });
  if (row === 0) throw new DatasetReadError('the file is empty: expected one {"input": …, "output": …} object per line');
  return { format: 'jsonl', rows, problems };
}

/** Reads CSV or JSONL records (`format` from the file name: `.jsonl`/`.ndjson` are JSONL, anything else CSV). */
export function readRecords(bytes: Uint8Array, fileName: string): ReadResult {
  const format = /\.(jsonl|ndjson)$/i.test(fileName) ? 'jsonl' : 'csv';
  if (bytes.length === 0) throw new DatasetReadError('the file is empty: expected a header line "input,output" and one row per record');
  const text = decodeUtf8(bytes, format).replace(/^\uFEFF/, '');
  return format === 'jsonl' ? readJsonl(text) : readCsv(text);
}
