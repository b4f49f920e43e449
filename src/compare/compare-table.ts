import { cell, mebibytes, medianWithRange, percent, seconds, times } from './format.js';
import type { CompareRow } from './rows.js';
import type { Column } from './text-table.js';

export interface TableShape {
  columns: Column[];
  cells: string[][];
}

/**
 * The comparison as columns and cells, for the terminal or Markdown. The partition column
 * only appears when partitions are compared: with one it would repeat the same word; the
 * render column only when the runs rendered PNGs.
 */
export function compareTable(rows: readonly CompareRow[], baselineLabel: string | undefined): TableShape {
  const withPartition = new Set(rows.filter((row) => row.mode === 'threads').map((row) => row.partition)).size > 1;
  const withRender = rows.some((row) => row.renderMs !== null);
  const columns: Column[] = [
    { header: 'mode', align: 'left' },
    ...(withPartition ? [{ header: 'partition', align: 'left' } as const] : []),
    { header: 'threads', align: 'right' },
    { header: 'in flight/thread', align: 'right' },
    { header: 'median wall (min-max)', align: 'right' },
    { header: `speedup${baselineLabel ? ` vs ${baselineLabel}` : ''}`, align: 'right' },
    { header: 'flags/s', align: 'right' },
    { header: 'bound', align: 'right' },
    { header: 'efficiency', align: 'right' },
    ...(withRender ? [{ header: 'rendering (summed)', align: 'right' } as const] : []),
    { header: 'worker start-up', align: 'right' },
    { header: 'peak memory', align: 'right' },
  ];
  const cells = rows.map((row) => [
    row.mode,
    ...(withPartition ? [row.mode === 'threads' ? row.partition : '—'] : []),
    row.mode === 'threads' ? String(row.threads) : '—',
    String(row.concurrency),
    timeCell(row),
    cell(row.speedup, times),
    cell(row.flagsPerSecond, (rate) => rate.toFixed(rate >= 100 ? 0 : 1)),
    cell(row.boundMs, (ms) => `${(ms / 1000).toFixed(2)} s`),
    cell(row.efficiency, percent),
    ...(withRender ? [cell(row.renderMs, seconds)] : []),
    cell(row.workerStartupMs, (ms) => `${Math.round(ms)} ms${row.workersStarted !== null && row.workersStarted < row.threads ? ` (${row.workersStarted} up)` : ''}`),
    cell(row.peakRssBytes, mebibytes),
  ]);
  return { columns, cells };
}

function timeCell(row: CompareRow): string {
  if (row.medianMs === null || row.minMs === null || row.maxMs === null) return `all ${row.failed} runs failed`;
  const time = medianWithRange(row.medianMs, row.minMs, row.maxMs);
  return row.failed > 0 ? `${time} [${row.failed} failed]` : time;
}
