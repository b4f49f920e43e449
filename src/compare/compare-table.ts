import { cell, mebibytes, medianWithRange, percent, seconds, times } from './format.js';
import { plural } from '../report/plural.js';
import type { CompareRow } from './rows.js';
import type { Column } from './text-table.js';

/** A column and how a row shows in it. */
type Field = readonly [Column, (row: CompareRow) => string];

export interface TableShape {
  columns: Column[];
  cells: string[][];
  /** The first columns, which name a row: a table cut into blocks repeats them. */
  key?: number;
}

/** The columns `--wide` adds: figures the reading under the table sums up. */
export const WIDE_COLUMNS = 'flags/s, bound, worker start-up and peak memory';

/**
 * The comparison as columns and cells for the terminal: by default what a config is and its time
 * (with efficiency against the bound when there is one, rendering when the runs rendered PNGs);
 * `wide` adds the figures of WIDE_COLUMNS. The partition column only appears when partitions are
 * compared: with one it would repeat the same word.
 */
export function compareTable(rows: readonly CompareRow[], baselineLabel: string | undefined, wide = false): TableShape {
  const withPartition = new Set(rows.filter((row) => row.mode === 'threads').map((row) => row.partition)).size > 1;
  const withRender = rows.some((row) => row.renderMs !== null);
  const withBound = rows.some((row) => row.boundMs !== null);
  const key: Field[] = [
    [{ header: 'mode', align: 'left' }, (row) => row.mode],
    ...(withPartition ? [[{ header: 'partition', align: 'left' }, (row: CompareRow) => (row.mode === 'threads' ? row.partition : '—')] as Field] : []),
    [{ header: 'threads', align: 'right' }, (row) => (row.mode === 'threads' ? String(row.threads) : '—')],
    [{ header: 'in flight', align: 'right' }, (row) => String(row.inFlight)],
  ];
  const figures: (Field | false)[] = [
    [{ header: 'median wall\n(min-max)', align: 'right' }, timeCell],
    [{ header: `speedup${baselineLabel ? `\nvs ${baselineLabel}` : ''}`, align: 'right' }, (row) => cell(row.speedup, times)],
    wide && [{ header: 'flags/s', align: 'right' }, (row) => cell(row.flagsPerSecond, (rate) => rate.toFixed(rate >= 100 ? 0 : 1))],
    wide && withBound && [{ header: 'bound', align: 'right' }, (row) => cell(row.boundMs, seconds)],
    withBound && [{ header: 'efficiency', align: 'right' }, (row) => cell(row.efficiency, percent)],
    withRender && [{ header: 'rendering\n(summed)', align: 'right' }, (row) => cell(row.renderMs, seconds)],
    wide && [{ header: 'worker\nstart-up', align: 'right' }, workerCell],
    wide && [{ header: 'peak\nmemory', align: 'right' }, (row) => cell(row.peakRssBytes, mebibytes)],
  ];
  const shown = [...key, ...figures.filter((figure): figure is Field => figure !== false)];
  return {
    columns: shown.map(([column]) => column),
    cells: rows.map((row) => shown.map(([, show]) => show(row))),
    key: key.length,
  };
}

function timeCell(row: CompareRow): string {
  if (row.notRun) return 'not run';
  if (row.medianMs === null || row.minMs === null || row.maxMs === null) return row.failed === 1 ? 'its 1 run failed' : `all ${plural(row.failed, 'run')} failed`;
  const time = medianWithRange(row.medianMs, row.minMs, row.maxMs);
  return row.failed > 0 ? `${time} [${row.failed} failed]` : time;
}

function workerCell(row: CompareRow): string {
  return cell(row.workerStartupMs, (ms) => `${Math.round(ms)} ms${row.workersStarted !== null && row.workersStarted < row.threads ? ` (${row.workersStarted} up)` : ''}`);
}
