/** Columns of numbers read best right-aligned, so that their digits line up. */
export type Align = 'left' | 'right';

export interface Column {
  header: string;
  align: Align;
}

/** A plain-text table for the terminal: padded columns, a rule under the header. */
export function textTable(columns: readonly Column[], rows: readonly string[][]): string {
  const widths = columns.map((column, index) => Math.max(column.header.length, ...rows.map((row) => (row[index] ?? '').length)));
  const line = (cells: readonly string[]) =>
    columns
      .map((column, index) => pad(cells[index] ?? '', widths[index]!, column.align))
      .join('  ')
      .trimEnd();
  return [line(columns.map((column) => column.header)), widths.map((width) => '─'.repeat(width)).join('  '), ...rows.map(line)].join('\n');
}

/** The same table in GitHub Markdown, for result files and the README. */
export function markdownTable(columns: readonly Column[], rows: readonly string[][]): string {
  const line = (cells: readonly string[]) => `| ${cells.map((cell) => cell.replaceAll('|', '\\|')).join(' | ')} |`;
  const rule = `|${columns.map((column) => (column.align === 'right' ? '---:' : ':---')).join('|')}|`;
  return [line(columns.map((column) => column.header)), rule, ...rows.map(line)].join('\n');
}

function pad(text: string, width: number, align: Align): string {
  return align === 'right' ? text.padStart(width) : text.padEnd(width);
}
