import { compareTable } from './compare-table.js';
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
}

/** The table, a bar chart of its medians, what it shows in words, and every failed run with its reason. */
export function comparisonText({ rows, baseline, boundNote, chart }: ComparisonText): string {
  const withPartition = new Set(rows.map((row) => row.partition)).size > 1;
  const { columns, cells } = compareTable(rows, baseline?.label);
  const parts = [textTable(columns, cells), ''];
  const medians = rows.flatMap((row) => (row.medianMs === null ? [] : [{ label: configLabel(row, withPartition), value: row.medianMs }]));
  if (chart && medians.length > 0) parts.push('Median wall time:', ...terminalBarChart(medians, chart), '');
  parts.push(...readRows(rows, baseline));
  if (boundNote) parts.push(boundNote);
  const failures = rows.flatMap((row) => row.failures.map((failure) => `  ${configLabel(row, withPartition)}: ${failure}`));
  if (failures.length > 0) parts.push('', `${failures.length} failed run${failures.length === 1 ? '' : 's'}, left out of the times above:`, ...failures);
  return parts.join('\n');
}
