import { availableParallelism } from 'node:os';
import type { ChartSpec } from '../../src/compare/chart.js';
import type { ChildRun } from '../../src/compare/child-run.js';
import type { TableShape } from '../../src/compare/compare-table.js';
import { seconds } from '../../src/compare/format.js';
import { configLabel, type RunConfig } from '../../src/compare/plan.js';
import { medianOfPresent } from '../../src/compare/stats.js';
import type { RunReport } from '../../src/types.js';
import { type Client, flagsClient, type FlagsExtras, peerClient } from '../clients.js';
import { asyncConfig, sequentialConfig, threadsConfig } from '../configs.js';
import { withServer } from '../embedded.js';
import { measureClients } from '../measure.js';
import { renderCommand, renderingPeer } from '../peers.js';
import { type BenchRow, benchRows, failureNotes } from '../rows.js';
import type { ScenarioContext, ScenarioResult } from '../scenario.js';
import { seriesChart } from '../series-chart.js';
import { ratioTarget, speedupTarget } from '../targets.js';
import { timeTable } from '../time-table.js';
import { workFor } from '../work.js';

const WIDTH = 640;
const IN_FLIGHT = 20;
const LATENCY_MS = 300;

/** One server latency's runs: the rows, and the time flags says it spent rendering. */
interface LatencySet {
  latencyMs: number;
  rows: BenchRow[];
  /** Per flags client: the median over its runs of renderMs summed over the flags. */
  renderMs: Record<string, number | null>;
}

/**
 * Every flag downloaded and rendered to a PNG 640 px wide: without latency the CPU decides and
 * the threads' second core shows; at 300 ms waiting and rendering mix. flags against curl
 * --parallel followed by rsvg-convert on every core through xargs, one shell job.
 */
export async function renderScenario({ quick, repeat, peers, renderer, log }: ScenarioContext): Promise<ScenarioResult> {
  const processes = availableParallelism();
  const curl = peers.find((peer) => peer.name === 'curl --parallel')!;
  const peer = renderingPeer(curl, renderer, WIDTH, processes);
  const splits = quick ? [2, IN_FLIGHT] : [1, 2, 4, IN_FLIGHT];
  const configs = (latencyMs: number): RunConfig[] => [
    // At 300 ms, one request after another takes over a minute a run and shows only that floor.
    ...(quick || latencyMs > 0 ? [] : [sequentialConfig]),
    asyncConfig(IN_FLIGHT),
    ...splits.map((threads) => threadsConfig(threads, IN_FLIGHT / threads)),
  ];
  const latencies = quick ? [0] : [0, LATENCY_MS];

  const sets: LatencySet[] = [];
  for (const latencyMs of latencies) {
    sets.push(
      await withServer(latencyMs, async (server) => {
        const work = workFor(server.baseUrl, { args: [], all: true });
        const extras: FlagsExtras = { args: ['--png', String(WIDTH)], check: (report) => checkRendered(report, work.expected.size) };
        const clients: Client[] = [
          ...configs(latencyMs).map((config) => flagsClient(work, config, config.mode, extras)),
          // One load only: the name needs no count.
          ...(peer.available ? [peerClient(work, peer, IN_FLIGHT, peer.name)] : []),
        ];
        const runs = await measureClients(`render-${latencyMs}ms`, clients, repeat, log);
        return { latencyMs, rows: benchRows(clients, runs, latencyMs), renderMs: renderTimes(clients, runs) };
      }),
    );
  }

  const flags = sets[0]!.rows[0]!.flags;
  const local = sets[0]!.rows;
  const median = (client: string) => local.find((row) => row.client === client)?.medianMs ?? null;
  const subject = { label: 'threads 2×10', value: median('flags threads 2×10') };
  const job = `all ${flags} flags at ${WIDTH} px, no latency`;
  const targets = [
    speedupTarget(
      'render',
      `${job}: threads 2 × 10 at least 1.7 × faster than async ${IN_FLIGHT}`,
      1.7,
      subject,
      { label: `async ${IN_FLIGHT}`, value: median(`flags async ${IN_FLIGHT}`) },
      seconds,
    ),
    ratioTarget('render', `${job}: threads 2 × 10 ahead of ${peer.name} -w ${WIDTH}`, 1, subject, { label: peer.name, value: median(peer.name) }, seconds),
  ];

  const notes = [
    ...(peer.available ? [] : [`${peer.name} is skipped: ${peer.install}.`]),
    ...sets.map(
      ({ latencyMs, renderMs }) =>
        `Render time inside flags at ${latency(latencyMs)}, summed over the ${flags} flags (median of runs): ${Object.entries(renderMs)
          .map(([client, ms]) => `${client.replace(/^flags /, '')} ${ms === null ? '—' : seconds(ms)}`)
          .join(', ')}.`,
    ),
    ...(quick ? [] : [`Sequential runs without latency only: at ${LATENCY_MS} ms its ${flags} requests one after another take over a minute and show only that floor.`]),
    ...sets.flatMap(({ latencyMs, rows }) => failureNotes(rows).map((note) => `${latency(latencyMs)}: ${note}`)),
  ];
  return {
    name: 'render',
    title: `render: all ${flags} flags to PNG at ${WIDTH} px, ${latencies.map(latency).join(' and ')}`,
    method:
      `Embedded server, ${latencies.map(latency).join(', then ')} (no jitter); flags ${configs(0)
        .map((config) => configLabel(config, false))
        .join(', ')}, ` +
      `each with --png ${WIDTH} and checked for ${flags} flags ok and rendered; ${peer.name}: curl --parallel at ${IN_FLIGHT} in flight into a folder, ` +
      `then \`${renderCommand(WIDTH, processes)}\` in it, one \`sh -c\` job timed whole (its peak memory: the largest single process), checked for every SVG and PNG, none empty.`,
    table: latencyTable(sets, peer.name),
    // Nothing to draw when every threads run failed; the table and notes say why.
    charts: sets.some(({ rows }) => rows.some((row) => row.mode === 'threads' && row.medianMs !== null)) ? [{ name: 'render', spec: threadsChart(sets, flags, peer.name) }] : [],
    targets,
    notes,
    data: { width: WIDTH, inFlight: IN_FLIGHT, processes, renderer: renderer.version ?? null, sets },
  };
}

function latency(latencyMs: number): string {
  return latencyMs === 0 ? 'no latency' : `${latencyMs} ms latency`;
}

/** The runs count only when every flag came back and was rendered at the width asked for. */
function checkRendered(report: RunReport, expected: number): string | undefined {
  if (report.ok !== expected) return `${report.ok} of ${expected} flags ok`;
  if (report.png !== WIDTH) return `report says png ${report.png}, not ${WIDTH}`;
  const rendered = renderMsOf(report).length;
  if (rendered !== expected) return `${rendered} of ${expected} flags rendered`;
  return undefined;
}

/** Each result's render time, for the results that have one. */
function renderMsOf(report: RunReport): number[] {
  return report.results.flatMap((result) => (result.renderMs === undefined ? [] : [result.renderMs]));
}

function renderTimes(clients: readonly Client[], runs: readonly ChildRun[][]): Record<string, number | null> {
  const times: Record<string, number | null> = {};
  clients.forEach((client, index) => {
    if (client.program !== 'flags') return;
    const counted = (runs[index] ?? []).filter((run) => run.failure === undefined && run.report !== undefined);
    times[client.name] = medianOfPresent(counted.map((run) => renderMsOf(run.report!).reduce((sum, ms) => sum + ms, 0)));
  });
  return times;
}

/** One table for both latencies, the latency first in each row. */
function latencyTable(sets: readonly LatencySet[], reference: string): TableShape {
  const tables = sets.map(({ latencyMs, rows }) => ({ label: latency(latencyMs), table: timeTable(rows, reference) }));
  return {
    columns: [{ header: 'server', align: 'left' }, ...tables[0]!.table.columns],
    cells: tables.flatMap(({ label, table }) => table.cells.map((cells) => [label, ...cells])),
  };
}

/**
 * Wall time by worker threads (20 requests in flight split among them) at each latency, with
 * async and the peer, which have no thread count, as flat dashed levels across it. Short names:
 * the legend's column fits about 24 characters.
 */
function threadsChart(sets: readonly LatencySet[], flags: number, peerName: string): ChartSpec {
  const threadRows = sets.flatMap(({ latencyMs, rows }) =>
    rows.filter((row) => row.mode === 'threads' && row.medianMs !== null).map((row) => ({ ...row, series: `flags threads, ${latencyMs} ms` })),
  );
  const spec = seriesChart(threadRows, {
    title: `${flags} flags to PNG at ${WIDTH} px, ${IN_FLIGHT} in flight: wall time by worker threads`,
    xLabel: `worker threads (${IN_FLIGHT} requests in flight split among them); server latency in the legend`,
    x: (row) => row.threads!,
  });
  const xs = threadRows.map((row) => row.threads!);
  const span = [Math.min(...xs), Math.max(...xs)];
  for (const { latencyMs, rows } of sets) {
    for (const row of rows) {
      const name = row.mode === 'async' ? row.client : row.program === peerName ? 'curl + rsvg' : undefined;
      if (name === undefined || row.medianMs === null) continue;
      spec.series.push({ name: `${name}, ${latencyMs} ms`, dashed: true, points: span.map((x) => ({ x, y: row.medianMs! / 1000 })) });
    }
  }
  return spec;
}
