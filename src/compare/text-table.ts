/** Columns of numbers read best right-aligned, so that their digits line up. */
export type Align = 'left' | 'right';

export interface Column {
  /** A `\n` splits it over two lines in a text table (a narrow column under a long name); Markdown joins them. */
  header: string;
  align: Align;
}

export interface TextTableOptions {
  /** Columns a line may take: a wider table goes on in blocks under it, whole cells only. */
  width?: number;
  /** The first columns, which name the row: repeated in every block. */
  key?: number;
}

const GAP = '  ';

/**
 * A plain-text table for the terminal: padded columns, a rule under the header. Wider than
 * `width`, it is cut between columns into blocks that fit, one under the other, each led by the
 * `key` columns, so that no cell is ever broken across lines.
 */
export function textTable(columns: readonly Column[], rows: readonly string[][], { width = Number.POSITIVE_INFINITY, key = 0 }: TextTableOptions = {}): string {
  const widths = columns.map((column, index) => Math.max(...column.header.split('\n').map((line) => line.length), ...rows.map((row) => (row[index] ?? '').length)));
  const span = (indexes: readonly number[]) => indexes.reduce((sum, index) => sum + widths[index]!, 0) + GAP.length * Math.max(0, indexes.length - 1);
  const keys = columns.slice(0, key).map((_, index) => index);
  const blocks: number[][] = [];
  let block = [...keys];
  for (let index = key; index < columns.length; index++) {
    if (block.length > keys.length && span([...block, index]) > width) {
      blocks.push(block);
      block = [...keys];
    }
    block.push(index);
  }
  blocks.push(block);
  return blocks.map((indexes) => blockText(columns, rows, widths, indexes)).join('\n\n');
}

function blockText(columns: readonly Column[], rows: readonly string[][], widths: readonly number[], indexes: readonly number[]): string {
  const line = (cells: readonly string[]) =>
    indexes
      .map((index, at) => pad(cells[at] ?? '', widths[index]!, columns[index]!.align))
      .join(GAP)
      .trimEnd();
  const headerLines = Math.max(...indexes.map((index) => columns[index]!.header.split('\n').length));
  // A short header sits on the last of the header lines, next to the rule.
  const header = (row: number) =>
    indexes.map((index) => {
      const lines = columns[index]!.header.split('\n');
      return lines[row - (headerLines - lines.length)] ?? '';
    });
  return [
    ...Array.from({ length: headerLines }, (_, row) => line(header(row))),
    indexes.map((index) => '─'.repeat(widths[index]!)).join(GAP),
    ...rows.map((row) => line(indexes.map((index) => row[index] ?? ''))),
  ].join('\n');
}

/** The same table in GitHub Markdown, for result files and the README. */
export function markdownTable(columns: readonly Column[], rows: readonly string[][]): string {
  const line = (cells: readonly string[]) => `| ${cells.map((cell) => cell.replaceAll('|', '\\|')).join(' | ')} |`;
  const rule = `|${columns.map((column) => (column.align === 'right' ? '---:' : ':---')).join('|')}|`;
  return [line(columns.map((column) => column.header.replaceAll('\n', ' '))), rule, ...rows.map(line)].join('\n');
}

function pad(text: string, width: number, align: Align): string {
  return align === 'right' ? text.padStart(width) : text.padEnd(width);
}
