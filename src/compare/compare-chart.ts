import { type ChartSeries, type ChartSpec, PALETTE } from './chart.js';
import type { CompareRow } from './rows.js';

/**
 * Each line's colour, the same whatever the order of `--modes` and `--partition`: the pool's
 * blues and purple, the event loop's vermillion, one at a time in green, the bound in black.
 */
const COLOURS: Record<string, string> = {
  threads: PALETTE[0],
  'threads (dynamic)': PALETTE[0],
  'threads (chunks)': PALETTE[5],
  'threads (round-robin)': PALETTE[3],
  async: PALETTE[1],
  sequential: PALETTE[2],
  'lower bound': PALETTE[6],
};
const ORDER = Object.keys(COLOURS);

/**
 * Wall time against requests in flight (threads × requests per thread), one line per mode and
 * partition, with the latency bound dashed: async sits at the same x as the pool it is compared
 * with. The bound falls in steps, so it is drawn as steps, not as a slope between its points.
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
    colour: COLOURS[name]!,
    points: members.map((row) => ({ x: row.inFlight, y: row.medianMs! / 1000, min: row.minMs! / 1000, max: row.maxMs! / 1000 })),
  }));
  const bounds = new Map(rows.flatMap((row) => (row.boundMs === null ? [] : [[row.inFlight, row.boundMs / 1000] as const])));
  if (bounds.size > 0) {
    series.push({ name: 'lower bound', colour: COLOURS['lower bound']!, dashed: true, steps: true, points: [...bounds].map(([x, y]) => ({ x, y })) });
  }
  series.sort((a, b) => ORDER.indexOf(a.name) - ORDER.indexOf(b.name));
  const concurrency = rows.find((row) => row.mode === 'threads')?.concurrency ?? 1;
  return {
    title,
    xLabel: concurrency === 1 ? 'threads = requests in flight (async: requests in flight)' : `requests in flight (threads × ${concurrency})`,
    yLabel: 'wall time, whole process (s)',
    xScale: 'log2',
    series,
  };
}

/**
 * e.g. `20 flags, 300 ms latency, PNG 640 px: wall time by requests in flight`: what was run,
 * with the latency when the server's is known (`latencyMs`, 0: none) and the `--png` width.
 */
export function compareChartTitle(count: number, noun: string, latencyMs: number | undefined, png: number | undefined): string {
  const latency = latencyMs === undefined ? '' : latencyMs === 0 ? ', no latency' : `, ${latencyMs} ms latency`;
  const render = png === undefined ? '' : `, PNG ${png} px`;
  return `${count} ${noun}${latency}${render}: wall time by requests in flight`;
}
