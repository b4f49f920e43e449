import { seconds } from './format.js';

/** A bar to draw: a median wall time in ms and what it is of. */
export interface LabelledValue {
  label: string;
  value: number;
}

/** Block characters need a UTF-8 terminal; anything else gets plain ASCII. */
export type Charset = 'unicode' | 'ascii';

export interface TerminalChartOptions {
  /** Columns of each line: the longest bar ends there. */
  width: number;
  charset: Charset;
}

// A cell split in eighths: a bar ends within a column, not only on its edges.
const EIGHTHS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];
const FULL_BLOCK = '█';

/**
 * Block characters only where the terminal can show them: the locale (LC_ALL over LC_CTYPE over
 * LANG, as the C library reads them) must name UTF-8, and neither NO_COLOR nor TERM=dumb asks
 * for plain output.
 */
export function chartCharset(env: NodeJS.ProcessEnv = process.env): Charset {
  if (env.NO_COLOR || env.TERM === 'dumb') return 'ascii';
  const locale = env.LC_ALL || env.LC_CTYPE || env.LANG || '';
  return /utf-?8/i.test(locale) ? 'unicode' : 'ascii';
}

/**
 * A horizontal bar chart, one line per value: the label, the value in seconds, then a bar as long
 * as the value relative to the largest one, which fills the line to `width` columns.
 */
export function terminalBarChart(values: readonly LabelledValue[], options: TerminalChartOptions): string[] {
  if (!Number.isInteger(options.width) || options.width < 1) {
    throw new RangeError(`terminalBarChart: width must be a positive whole number, got ${options.width}`);
  }
  for (const { label, value } of values) {
    if (!Number.isFinite(value) || value < 0) throw new RangeError(`terminalBarChart: ${label} has the value ${value}, not a time`);
  }
  const labelWidth = Math.max(0, ...values.map(({ label }) => label.length));
  const shown = values.map(({ value }) => seconds(value));
  const valueWidth = Math.max(0, ...shown.map((text) => text.length));
  // A terminal narrower than the labels still gets a bar of one column rather than none.
  const barWidth = Math.max(1, options.width - labelWidth - valueWidth - 4);
  const largest = Math.max(...values.map(({ value }) => value));
  return values.map(({ label, value }, index) => {
    const columns = largest > 0 ? (value / largest) * barWidth : 0;
    return `${label.padEnd(labelWidth)}  ${shown[index]!.padStart(valueWidth)}  ${bar(columns, options.charset)}`.trimEnd();
  });
}

/** A bar `columns` wide (a fraction included), at least a sliver when above zero so that it shows. */
function bar(columns: number, charset: Charset): string {
  if (charset === 'ascii') return '#'.repeat(columns > 0 ? Math.max(1, Math.round(columns)) : 0);
  const eighths = columns > 0 ? Math.max(1, Math.round(columns * 8)) : 0;
  return FULL_BLOCK.repeat(Math.floor(eighths / 8)) + EIGHTHS[eighths % 8]!;
}
