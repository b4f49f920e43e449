import type { CodeSelection } from '../../src/input/codes.js';
import { type Client, flagsClient, peerClients } from '../clients.js';
import { asyncConfig, threadsConfig } from '../configs.js';
import { withServer } from '../embedded.js';
import { measureClients } from '../measure.js';
import { benchRows, failureNotes } from '../rows.js';
import type { ScenarioContext, ScenarioResult } from '../scenario.js';
import { seriesChart } from '../series-chart.js';
import { timeTable } from '../time-table.js';
import { workFor } from '../work.js';

// Short enough that 676 codes fit in a few seconds, long enough that the latency and not the
// client's own work sets the pace: the bound then grows in steps of 20 codes, and what a client
// adds on top of it is its cost per code.
const LATENCY_MS = 100;
const IN_FLIGHT = 20;

const SIZES: { label: string; selection: CodeSelection }[] = [
  { label: '20 (default)', selection: { args: [] } },
  { label: '100', selection: { args: [], all: true, limit: 100 } },
  { label: 'all', selection: { args: [], all: true } },
  { label: 'every (676, mostly 404)', selection: { args: [], every: true } },
];

/** The same clients at 20 in flight over more and more codes: how the cost grows with the work. */
export async function scaleScenario({ quick, repeat, peers, log }: ScenarioContext): Promise<ScenarioResult> {
  const sizes = quick ? [SIZES[0]!, SIZES[2]!] : SIZES;
  const timedPeers = peers.filter((peer) => peer.name !== 'curl --parallel-immediate');
  const rows = await withServer(LATENCY_MS, async (server) => {
    const clients: Client[] = sizes.flatMap(({ selection }) => {
      const work = workFor(server.baseUrl, selection);
      return [
        flagsClient(work, threadsConfig(IN_FLIGHT)),
        flagsClient(work, asyncConfig(IN_FLIGHT)),
        ...peerClients(work, quick ? timedPeers.filter((peer) => peer.name === 'wget2') : timedPeers, [IN_FLIGHT]),
      ];
    });
    const runs = await measureClients('scale', clients, repeat, log);
    return benchRows(clients, runs, LATENCY_MS);
  });
  const boundPoints = [...new Map(rows.map((row) => [row.flags, row.boundMs!])).entries()].map(([x, y]) => ({ x, y }));
  return {
    name: 'scale',
    title: `scale: ${sizes.map((size) => size.label).join(', ')} codes at ${IN_FLIGHT} in flight, ${LATENCY_MS} ms latency`,
    method: `Embedded server, ${LATENCY_MS} ms latency, no jitter; flags threads ${IN_FLIGHT}×1 and async ${IN_FLIGHT}, and the peers at ${IN_FLIGHT} in flight, over each set of codes (404s answer after the same latency).`,
    table: timeTable(rows, 'wget2'),
    charts: [
      {
        name: 'scale',
        spec: seriesChart(rows, {
          title: `${IN_FLIGHT} in flight at ${LATENCY_MS} ms: wall time by number of codes`,
          xLabel: 'codes requested',
          x: (row) => row.flags,
          xScale: 'linear',
          bound: { name: 'lower bound', points: boundPoints },
        }),
      },
    ],
    targets: [],
    notes: failureNotes(rows),
    data: { latencyMs: LATENCY_MS, inFlight: IN_FLIGHT, rows },
  };
}
