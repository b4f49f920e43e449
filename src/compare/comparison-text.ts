import { DEFAULT_COLUMNS, wrapWords } from '../report/terminal-width.js';
import { compareTable, WIDE_COLUMNS } from './compare-table.js';
import { plural } from '../report/plural.js';
import { configLabel } from './plan.js';
import { readRows } from './reading.js';
import type { Baseline, CompareRow } from './rows.js';
import { type TerminalChartOptions, terminalBarChart } from './terminal-chart.js';
import { textTable } from './text-table.js';

export interface ComparisonText {
  rows: readonly CompareRow[];
  baseline: Baseline;
  /** Why there is no bound column to read, when there is none. */
  boundNote?: string;
  /** How to draw the bar chart of the medians under the table; none without it. */
  chart?: TerminalChartOptions;
  /** Columns a line may take (default 80): the table goes on in blocks, sentences wrap between words. */
  width?: number;
  /** Every column of the table, not only the essential ones. */
  wide?: boolean;
}

/** The table, a bar chart of its medians, what it shows in words, and every failed run with its reason. */
export function comparisonText({ rows, baseline, boundNote, chart, width = DEFAULT_COLUMNS, wide = false }: ComparisonText): string {
  const withPartition = new Set(rows.map((row) => row.partition)).size > 1;
  const { columns, cells, key } = compareTable(rows, baseline?.label, wide);
  const parts = [textTable(columns, cells, { width, key })];
  if (!wide) parts.push(...wrapWords(`(--wide adds ${WIDE_COLUMNS})`, width));
  parts.push('');
  const medians = rows.flatMap((row) => (row.medianMs === null ? [] : [{ label: configLabel(row, withPartition), value: row.medianMs }]));
  if (chart && medians.length > 0) parts.push('Median wall time:', ...terminalBarChart(medians, chart), '');
  parts.push(...readRows(rows, baseline).flatMap((sentence) => wrapWords(sentence, width)));
  if (boundNote) parts.push(...wrapWords(boundNote, width));
  const failures = rows.flatMap((row) => row.failures.map((failure) => wrapWords(failure, width, `  ${configLabel(row, withPartition)}: `)));
  if (failures.length > 0) parts.push('', `${plural(failures.length, 'failed run')}, left out of the times above:`, ...failures.flat());
  return parts.join('\n');
}
