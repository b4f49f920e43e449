import type { TableShape } from '../src/compare/compare-table.js';
import { cell, mebibytes, medianWithRange, percent } from '../src/compare/format.js';
import type { RunFigures } from '../src/compare/run-figures.js';
import type { BenchRow } from './rows.js';

/** The median wall time with its range, and the runs counted (failed ones beside them): every table's two cells. */
export const wallCells = (row: RunFigures): [string, string] => [
  row.medianMs === null ? `all ${row.failed} runs failed` : medianWithRange(row.medianMs, row.minMs!, row.maxMs!),
  row.failed > 0 ? `${row.runs} (+${row.failed} failed)` : String(row.runs),
];

/**
 * A scenario's rows, grouped by work and requests in flight so that every program at one load
 * sits together, each with its time over `reference`'s at the same load (wget2 where installed).
 */
export function timeTable(rows: readonly BenchRow[], reference: string | undefined): TableShape {
  const ordered = [...rows].sort((a, b) => a.flags - b.flags || a.inFlight - b.inFlight);
  const referenceFor = (row: BenchRow) => rows.find((other) => other.program === reference && other.inFlight === row.inFlight && other.flags === row.flags)?.medianMs ?? null;
  const withFlags = new Set(rows.map((row) => row.flags)).size > 1;
  return {
    columns: [
      ...(withFlags ? [{ header: 'flags', align: 'right' } as const] : []),
      { header: 'client', align: 'left' },
      { header: 'in flight', align: 'right' },
      { header: 'median wall (min-max)', align: 'right' },
      { header: 'runs', align: 'right' },
      { header: 'bound', align: 'right' },
      { header: 'efficiency', align: 'right' },
      { header: reference ? `÷ ${reference}` : '÷ reference', align: 'right' },
      { header: 'worker start-up', align: 'right' },
      { header: 'peak memory', align: 'right' },
    ],
    cells: ordered.map((row) => {
      const base = referenceFor(row);
      return [
        ...(withFlags ? [String(row.flags)] : []),
        row.client,
        String(row.inFlight),
        ...wallCells(row),
        cell(row.boundMs, (ms) => `${(ms / 1000).toFixed(2)} s`),
        cell(row.efficiency, percent),
        row.medianMs !== null && base !== null ? `${(row.medianMs / base).toFixed(2)}×` : '—',
        cell(row.workerStartupMs, (ms) => `${Math.round(ms)} ms`),
        cell(row.peakRssBytes, mebibytes),
      ];
    }),
  };
}
