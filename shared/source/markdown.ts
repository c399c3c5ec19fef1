/**
 * GFM pipe tables -> rows, for hosts whose documents are Markdown (the VS Code extension). The rows then go
 * through `tableToRecords` like a Word table's values.
 */

/** Splits one table line into cells at unescaped pipes; `\|` becomes `|`, `<br>` a line break. */
function splitRow(line: string): string[] {
  let text = line.trim();
  if (text.startsWith('|')) text = text.slice(1);
  // A trailing pipe closes the row unless it is escaped.
  if (text.endsWith('|') && !text.endsWith('\\|')) text = text.slice(0, -1);
  const cells: string[] = [];
  let cell = '';
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i];
    if (ch === '\\' && text[i + 1] === '|') {
      cell += '|';
      i += 1;
    } else if (ch === '|') {
      cells.push(cell);
      cell = '';
    } else {
      cell += ch;
    }
  }
  cells.push(cell);
  return cells.map((c) => c.replace(/<br\s*\/?>/gi, '\n').trim());
}

function hasUnescapedPipe(line: string): boolean {
  return /(^|[^\\])\|/.test(line);
}

function isDelimiterRow(line: string): number | undefined {
  if (!line.includes('-') || !/^[\s|:-]+$/.test(line)) return undefined;
  const cells = splitRow(line);
  return cells.every((c) => /^:?-+:?$/.test(c)) ? cells.length : undefined;
}

/** A line that starts another Markdown block and so ends a table. */
function startsBlock(line: string): boolean {
  return /^\s{0,3}(?:#{1,6}(?:\s|$)|>|```|~~~)/.test(line);
}

/**
 * The first GFM pipe table in `markdown` as rows of cell text (header row first, the alignment row left
 * out), or undefined when there is none. Follows GFM: the header and the alignment row must have the same
 * number of cells; the table ends at a blank line or another block; a body row with fewer cells is padded
 * with ''. Unlike GFM, extra cells are kept (so no text is lost: `tableToRecords` names those columns).
 * Escaped pipes `\|` are literal; `<br>` inside a cell becomes a line break.
 */
export function parseMarkdownTable(markdown: string): string[][] | undefined {
  if (typeof markdown !== 'string') return undefined;
  const lines = markdown.split(/\r\n|\r|\n/);
  for (let i = 0; i + 1 < lines.length; i += 1) {
    const headerLine = lines[i] ?? '';
    if (!hasUnescapedPipe(headerLine) || startsBlock(headerLine)) continue;
    const delimiterCells = isDelimiterRow(lines[i + 1] ?? '');
    const header = splitRow(headerLine);
    if (delimiterCells === undefined || delimiterCells !== header.length) continue;
    const rows: string[][] = [header];
    for (let k = i + 2; k < lines.length; k += 1) {
      const line = lines[k] ?? '';
      if (line.trim() === '' || startsBlock(line)) break;
      const cells = splitRow(line);
      while (cells.length < header.length) cells.push('');
      rows.push(cells);
    }
    return rows;
  }
  return undefined;
}
