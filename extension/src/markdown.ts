/**
 * Text-level work on Markdown and plain-text documents, with no `vscode` import (tested on strings): finding the
 * pipe table around a line, locating cells, and turning an InsertionPlan's blocks into document text.
 *
 * Model output is inserted as text: in Markdown, characters that would start inline HTML, links, emphasis or
 * code are backslash-escaped, so the preview shows exactly what the model wrote and never renders markup from it.
 */
import type { PlanBlock } from '../../shared/host/port';
import { parseMarkdownTable } from '../../shared/source';
import type { HeadingStyle } from '../../shared/templates/schema';

/** How a document's text is written. */
export type DocumentFlavour = 'markdown' | 'plaintext';

/** The flavour of a VS Code language id: Markdown for `markdown`/`mdx`, plain text for everything else. */
export function flavourOf(languageId: string): DocumentFlavour {
  return languageId === 'markdown' || languageId === 'mdx' ? 'markdown' : 'plaintext';
}

/** Escapes model text for Markdown: inline HTML, links, emphasis, code and line-leading block markers. */
export function escapeMarkdown(text: string): string {
  return text
    .split('\n')
    .map((line) => {
      const escaped = line.replace(/[\\`*_[\]<>]/g, (c) => `\\${c}`);
      // A line that would start a heading, a quote or a fenced block is kept as a paragraph.
      return escaped.replace(/^(\s{0,3})(#{1,6}(?=\s|$)|~~~|=+\s*$|-{3,}\s*$)/, '$1\\$2');
    })
    .join('\n');
}

const MARKDOWN_HEADING: Record<HeadingStyle, (text: string) => string> = {
  Title: (t) => `# ${t}`,
  Heading1: (t) => `# ${t}`,
  Subtitle: (t) => `## ${t}`,
  Heading2: (t) => `## ${t}`,
  Heading3: (t) => `### ${t}`,
  Heading4: (t) => `#### ${t}`,
  Strong: (t) => `**${t}**`,
  Normal: (t) => t,
};

/** One block (heading + paragraphs) as document text, without surrounding blank lines. */
export function renderBlock(block: PlanBlock, flavour: DocumentFlavour): string {
  if (flavour === 'plaintext') return [block.heading, ...block.paragraphs].filter((p) => p !== '').join('\n\n');
  const heading = MARKDOWN_HEADING[block.headingStyle](escapeMarkdown(block.heading));
  return [heading, ...block.paragraphs.map(escapeMarkdown)].filter((p) => p !== '').join('\n\n');
}

/** A title line above a batch record (one employee below a table). */
export function renderTitle(title: string, flavour: DocumentFlavour): string {
  return flavour === 'markdown' ? `## ${escapeMarkdown(title)}` : title;
}

/**
 * Blank-line separation around text inserted at the end of a line, chosen per inserted piece so that each piece
 * stays a separate paragraph even when the writer unchecks others in the refactor preview.
 */
export function separators(lineText: string, nextLineText: string | undefined): { before: string; after: string } {
  const before = lineText.trim() === '' ? '\n' : '\n\n';
  const after = nextLineText !== undefined && nextLineText.trim() !== '' ? '\n' : '';
  return { before, after };
}

/** Whether a line contains an unescaped pipe (a table row candidate). */
function hasPipe(line: string): boolean {
  return /(^|[^\\])\|/.test(line);
}

/** A Markdown pipe table located in a document's lines. */
export interface LocatedTable {
  /** Line of the header row. */
  headerLine: number;
  /** Last line of the table (the last body row, or the delimiter row when there is no body). */
  lastLine: number;
  /** Rows as cell text, header first (the delimiter row left out), as `parseMarkdownTable` returns them. */
  rows: string[][];
}

/**
 * The pipe table whose lines include `line`, or undefined. A table is a run of consecutive lines with pipes;
 * its header is the first line followed by a delimiter row (`| --- | --- |`).
 */
export function locateTable(lines: readonly string[], line: number): LocatedTable | undefined {
  if (line < 0 || line >= lines.length || !hasPipe(lines[line] ?? '')) return undefined;
  let first = line;
  while (first > 0 && hasPipe(lines[first - 1] ?? '') && (lines[first - 1] ?? '').trim() !== '') first -= 1;
  let last = line;
  while (last + 1 < lines.length && hasPipe(lines[last + 1] ?? '') && (lines[last + 1] ?? '').trim() !== '') last += 1;
  for (let h = first; h < last; h += 1) {
    if (!parseMarkdownTable(`${lines[h]}\n${lines[h + 1]}`)) continue;
    const rows = parseMarkdownTable(lines.slice(h, last + 1).join('\n'));
    if (!rows) return undefined;
    // parseMarkdownTable stops at a line that starts another block; rows[k] (k >= 1) is on line h + 1 + k.
    const lastLine = h + rows.length;
    if (line > lastLine) return undefined;
    return { headerLine: h, lastLine, rows };
  }
  return undefined;
}

/** The table row index (into `LocatedTable.rows`) of a document line, or undefined for the delimiter row. */
export function rowOfLine(table: LocatedTable, line: number): number | undefined {
  if (line === table.headerLine) return 0;
  if (line === table.headerLine + 1 || line < table.headerLine || line > table.lastLine) return undefined;
  return line - table.headerLine - 1;
}

/** The document line of a table row index. */
export function lineOfRow(table: LocatedTable, rowIndex: number): number {
  return rowIndex === 0 ? table.headerLine : table.headerLine + 1 + rowIndex;
}

/** Character ranges (half-open, in the line) of each cell's content between its pipes. */
export function cellRanges(line: string): Array<{ start: number; end: number }> {
  const pipes: number[] = [];
  for (let i = 0; i < line.length; i += 1) {
    if (line[i] === '\\' && line[i + 1] === '|') {
      i += 1;
      continue;
    }
    if (line[i] === '|') pipes.push(i);
  }
  const ranges: Array<{ start: number; end: number }> = [];
  const leading = line.trimStart().startsWith('|');
  const trailing = line.trimEnd().endsWith('|') && !line.trimEnd().endsWith('\\|');
  const bounds = [leading ? (pipes.shift() as number) : -1, ...pipes];
  if (!trailing) bounds.push(line.length);
  for (let k = 0; k + 1 < bounds.length; k += 1) ranges.push({ start: (bounds[k] as number) + 1, end: bounds[k + 1] as number });
  return ranges;
}

/** Text that goes into a table cell: paragraphs joined with `<br>`, pipes escaped, one line. */
export function cellText(paragraphs: readonly string[], flavour: DocumentFlavour): string {
  return paragraphs
    .map((p) => (flavour === 'markdown' ? escapeMarkdown(p) : p).replace(/\|/g, '\\|').replace(/\n/g, '<br>'))
    .join('<br>');
}
