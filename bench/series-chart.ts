import type { ChartSeries, ChartSpec } from '../src/compare/chart.js';
import type { BenchRow } from './rows.js';

export interface SeriesChartOptions {
  title: string;
  xLabel: string;
  x(row: BenchRow): number;
  xScale?: 'linear' | 'log2';
  /** Drawn dashed, in steps: the latency bound at each x, which only falls as x grows. */
  bound?: { name: string; points: { x: number; y: number }[] };
}

/** Median wall time (s) with its min-max, one line per series of rows (a program or a flags mode). */
export function seriesChart(rows: readonly BenchRow[], options: SeriesChartOptions): ChartSpec {
  const groups = new Map<string, BenchRow[]>();
  for (const row of rows) if (row.medianMs !== null) groups.set(row.series, [...(groups.get(row.series) ?? []), row]);
  const series: ChartSeries[] = [...groups].map(([name, members]) => ({
    name,
    points: members.map((row) => ({ x: options.x(row), y: row.medianMs! / 1000, min: row.minMs! / 1000, max: row.maxMs! / 1000 })),
  }));
  if (options.bound && options.bound.points.length > 0) {
    series.push({ name: options.bound.name, dashed: true, steps: true, points: options.bound.points.map(({ x, y }) => ({ x, y: y / 1000 })) });
  }
  return { title: options.title, xLabel: options.xLabel, yLabel: 'wall time, whole process (s)', xScale: options.xScale ?? 'log2', series };
}
