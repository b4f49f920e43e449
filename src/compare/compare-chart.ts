import type { ChartSeries, ChartSpec } from './chart.js';
import type { CompareRow } from './rows.js';

/**
 * Wall time against requests in flight (threads × requests per thread), one line per mode and
 * partition, with the latency bound dashed: async sits at the same x as the pool it is compared with.
 */
export function compareChart(rows: readonly CompareRow[], title: string): ChartSpec {
  const groups = new Map<string, CompareRow[]>();
  const withPartition = new Set(rows.filter((row) => row.mode === 'threads').map((row) => row.partition)).size > 1;
  for (const row of rows) {
    if (row.medianMs === null) continue;
    const name = row.mode === 'threads' && withPartition ? `threads (${row.partition})` : row.mode;
    groups.set(name, [...(groups.get(name) ?? []), row]);
  }
  const series: ChartSeries[] = [...groups].map(([name, members]) => ({
    name,
    points: members.map((row) => ({ x: row.inFlight, y: row.medianMs! / 1000, min: row.minMs! / 1000, max: row.maxMs! / 1000 })),
  }));
  const bounds = new Map(rows.flatMap((row) => (row.boundMs === null ? [] : [[row.inFlight, row.boundMs / 1000] as const])));
  if (bounds.size > 0) {
    series.push({ name: 'lower bound', dashed: true, points: [...bounds].map(([x, y]) => ({ x, y })) });
  }
  const concurrency = rows.find((row) => row.mode === 'threads')?.concurrency ?? 1;
  return {
    title,
    xLabel: concurrency === 1 ? 'threads = requests in flight (async: requests in flight)' : `requests in flight (threads × ${concurrency})`,
    yLabel: 'wall time, whole process (s)',
    xScale: 'log2',
    series,
  };
}
