import { seconds } from '../../src/compare/format.js';
import { type Client, flagsClient, peerClients } from '../clients.js';
import { asyncConfig, sequentialConfig, splitsOf, threadsConfig } from '../configs.js';
import { withServer } from '../embedded.js';
import { measureClients } from '../measure.js';
import { type BenchRow, benchRows, failureNotes } from '../rows.js';
import type { ScenarioContext, ScenarioResult } from '../scenario.js';
import { seriesChart } from '../series-chart.js';
import { ratioTarget } from '../targets.js';
import { timeTable } from '../time-table.js';
import { workFor } from '../work.js';

const LATENCY_MS = 300;
const TOP = 20;

/** The 20 default flags at 300 ms: sequential, async and the thread ladder, every split of 20 in flight, and the peers. */
export async function seedScenario({ quick, repeat, peers, log, baseline }: ScenarioContext): Promise<ScenarioResult> {
  const ladder = quick ? [4, TOP] : [1, 2, 4, 8, TOP];
  const { rows, clients } = await withServer(LATENCY_MS, async (server) => {
    const work = workFor(server.baseUrl, { args: [] });
    const splits = splitsOf(TOP).filter((config) => config.concurrency > 1 && (!quick || config.threads <= 2));
    const timedPeers = peers.filter((peer) => peer.name !== 'curl --parallel-immediate');
    const clients: Client[] = [
      flagsClient(work, sequentialConfig),
      // One request in flight on the event loop is the sequential run over again.
      ...ladder.filter((n) => n > 1).map((n) => flagsClient(work, asyncConfig(n))),
      ...ladder.map((n) => flagsClient(work, threadsConfig(n))),
      ...splits.map((config) => flagsClient(work, config, 'split')),
      // The baseline build at the target's loads: the splits, before and after in the same passes.
      ...(baseline === undefined ? [] : splits.map((config) => flagsClient(work, config, 'split', undefined, baseline))),
      ...peerClients(work, timedPeers, ladder),
      // The variant only matters where several connections open at once: the target's load.
      ...peerClients(
        work,
        peers.filter((peer) => peer.name === 'curl --parallel-immediate'),
        [TOP],
      ),
    ];
    const runs = await measureClients('seed', clients, repeat, log);
    return { rows: benchRows(clients, runs, LATENCY_MS), clients };
  });

  const at20 = rows.filter((row) => row.inFlight === TOP);
  const best = bestThreads(at20);
  const oneEach = at20.find((row) => row.program === 'flags' && row.mode === 'threads' && row.threads === TOP) ?? null;
  const peer = (name: string) => at20.find((row) => row.program === name)?.medianMs ?? null;
  const bestLabel = best ? best.client : 'best split';
  const targets = [
    ratioTarget(
      'seed',
      `best threads × requests at ${TOP} in flight within 1.3 × wget2`,
      1.3,
      { label: bestLabel, value: best?.medianMs ?? null },
      { label: 'wget2', value: peer('wget2') },
      seconds,
    ),
    ratioTarget(
      'seed',
      `best threads × requests at ${TOP} in flight ahead of curl --parallel`,
      1,
      { label: bestLabel, value: best?.medianMs ?? null },
      { label: 'curl --parallel', value: peer('curl --parallel') },
      seconds,
    ),
    ratioTarget(
      'seed',
      `${TOP} threads × 1 request within 1.6 × curl --parallel`,
      1.6,
      { label: oneEach?.client ?? `threads ${TOP}×1`, value: oneEach?.medianMs ?? null },
      { label: 'curl --parallel', value: peer('curl --parallel') },
      seconds,
    ),
  ];
  const immediate = peer('curl --parallel-immediate');
  const notes = [
    `Async at 1 in flight is not run: one request at a time on the event loop is the sequential run.`,
    `curl --parallel-immediate runs at ${TOP} in flight only; ${immediate !== null && best?.medianMs != null ? `there it took ${seconds(immediate)}, and flags' best split ${(best.medianMs / immediate).toFixed(2)}× as long` : 'it was not measured'}.`,
  ];
  const bound = [...new Set(rows.map((row) => row.inFlight))].map((x) => ({ x, y: Math.ceil(TOP / x) * LATENCY_MS }));
  return {
    name: 'seed',
    title: `seed: the ${TOP} default flags, ${LATENCY_MS} ms fixed latency`,
    method: `Embedded server, profile delay with ${LATENCY_MS} ms latency and no jitter; flags sequential, async and threads × 1 request at ${ladder.join(', ')} in flight, every split of ${TOP} in flight into threads × requests${baseline === undefined ? '' : ` (and the same splits of the baseline build, ${baseline.cli})`}, and the peers at the same loads.`,
    table: timeTable(rows, 'wget2'),
    charts: [
      {
        name: 'seed',
        spec: seriesChart(
          rows.filter((row) => !row.series.endsWith(' split')),
          {
            title: `${TOP} flags at ${LATENCY_MS} ms: wall time by requests in flight`,
            xLabel: 'requests in flight (flags threads: one per thread)',
            x: (row) => row.inFlight,
            bound: { name: 'lower bound', points: bound },
          },
        ),
      },
    ],
    targets,
    notes: [...notes, ...failureNotes(rows)],
    data: { latencyMs: LATENCY_MS, flags: TOP, clients: clients.length, rows },
  };
}

/** The fastest flags threads split among `rows`, by median. */
export function bestThreads(rows: readonly BenchRow[]): BenchRow | undefined {
  return rows
    .filter((row) => row.program === 'flags' && row.mode === 'threads' && row.medianMs !== null)
    .reduce<BenchRow | undefined>((best, row) => (best === undefined || row.medianMs! < best.medianMs! ? row : best), undefined);
}
