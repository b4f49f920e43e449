import { seconds } from '../../src/compare/format.js';
import { lowerBoundMs } from '../../src/compare/stats.js';
import { type Client, flagsClient, peerClients } from '../clients.js';
import { asyncConfig, threadsConfig } from '../configs.js';
import { withServer } from '../embedded.js';
import { measureClients } from '../measure.js';
import { benchRows, failureNotes } from '../rows.js';
import type { ScenarioContext, ScenarioResult } from '../scenario.js';
import { seriesChart } from '../series-chart.js';
import { ratioTarget } from '../targets.js';
import { timeTable } from '../time-table.js';
import { workFor } from '../work.js';
import { bestThreads } from './seed.js';

const LATENCY_MS = 300;
const IN_FLIGHT = 20;

/**
 * Every flag of the catalogue at 300 ms: 20 threads × 1 request against the bound and the peers,
 * a thread ladder up to 64, and fixed chunks beside the dynamic hand-out to show what a split
 * made before the workers are up costs.
 */
export async function hundredsScenario({ quick, repeat, peers, log }: ScenarioContext): Promise<ScenarioResult> {
  const ladder = quick ? [IN_FLIGHT, 64] : [16, IN_FLIGHT, 32, 64];
  const splits = quick ? [1, 2] : [1, 2, 4];
  const { rows, flags } = await withServer(LATENCY_MS, async (server) => {
    const work = workFor(server.baseUrl, { args: [], all: true });
    const clients: Client[] = [
      ...ladder.map((n) => flagsClient(work, threadsConfig(n))),
      flagsClient(work, threadsConfig(IN_FLIGHT, 1, 'chunks'), 'threads chunks'),
      // All 20 requests in flight from the first workers up: what the ramp of 20 starting workers costs.
      ...splits.map((threads) => flagsClient(work, threadsConfig(threads, IN_FLIGHT / threads), 'split')),
      flagsClient(work, asyncConfig(IN_FLIGHT)),
      ...peerClients(work, peers, [IN_FLIGHT]),
    ];
    const runs = await measureClients('hundreds', clients, repeat, log);
    return { rows: benchRows(clients, runs, LATENCY_MS), flags: work.codes.length };
  });

  const bound = lowerBoundMs(flags, IN_FLIGHT, LATENCY_MS);
  const subject = rows.find((row) => row.mode === 'threads' && row.threads === IN_FLIGHT && row.series === 'flags threads');
  const wget2 = rows.find((row) => row.program === 'wget2')?.medianMs ?? null;
  const label = subject?.client ?? `threads ${IN_FLIGHT}×1`;
  const best = bestThreads(rows.filter((row) => row.inFlight === IN_FLIGHT));
  const targets = [
    ratioTarget(
      'hundreds',
      `best threads × requests at ${IN_FLIGHT} in flight within 1.05 × wget2`,
      1.05,
      { label: best?.client ?? 'best split', value: best?.medianMs ?? null },
      { label: 'wget2', value: wget2 },
      seconds,
    ),
    ratioTarget('hundreds', `${IN_FLIGHT} threads × 1 within 1.15 × wget2`, 1.15, { label, value: subject?.medianMs ?? null }, { label: 'wget2', value: wget2 }, seconds),
  ];
  const chunks = rows.find((row) => row.series === 'flags threads chunks');
  const notes =
    chunks?.medianMs != null && subject?.medianMs != null
      ? [
          `Fixed chunks at ${IN_FLIGHT} threads took ${seconds(chunks.medianMs)} against ${seconds(subject.medianMs)} for the dynamic hand-out: a chunk waits for its worker to start, while dynamic lets the workers already up take the codes.`,
        ]
      : [];
  const ladderRows = rows.filter((row) => row.series === 'flags threads');
  return {
    name: 'hundreds',
    title: `hundreds: all ${flags} flags, ${LATENCY_MS} ms fixed latency`,
    method: `Embedded server, ${LATENCY_MS} ms latency, no jitter; flags threads × 1 request at ${ladder.join(', ')} threads, ${IN_FLIGHT} threads with fixed chunks, ${splits.map((threads) => `${threads} × ${IN_FLIGHT / threads}`).join(', ')} (threads × requests), async at ${IN_FLIGHT}, and the peers at ${IN_FLIGHT} in flight.`,
    table: timeTable(rows, 'wget2'),
    charts: [
      {
        name: 'hundreds',
        spec: seriesChart(rows, {
          title: `${flags} flags at ${LATENCY_MS} ms: wall time by requests in flight`,
          xLabel: 'requests in flight (flags threads: one per thread)',
          x: (row) => row.inFlight,
          bound: { name: 'lower bound', points: ladderRows.map((row) => ({ x: row.inFlight, y: row.boundMs! })) },
        }),
      },
    ],
    targets,
    notes: [...notes, ...failureNotes(rows)],
    data: { latencyMs: LATENCY_MS, flags, boundMs: bound, rows },
  };
}
