import { seconds } from '../../src/compare/format.js';
import { type Client, flagsClient, peerClients } from '../clients.js';
import { asyncConfig, threadsConfig } from '../configs.js';
import { withServer } from '../embedded.js';
import { measureClients } from '../measure.js';
import { benchRows, failureNotes } from '../rows.js';
import type { ScenarioContext, ScenarioResult } from '../scenario.js';
import { ratioTarget } from '../targets.js';
import { timeTable } from '../time-table.js';
import { workFor } from '../work.js';
import { bestThreads } from './seed.js';

const IN_FLIGHT = 20;

/** Every flag with no latency: what each client's own overhead costs when the server answers at once. */
export async function burstScenario({ quick, repeat, peers, log }: ScenarioContext): Promise<ScenarioResult> {
  const loads = quick ? [IN_FLIGHT] : [1, IN_FLIGHT];
  const { rows, flags } = await withServer(0, async (server) => {
    const work = workFor(server.baseUrl, { args: [], all: true });
    const clients: Client[] = [
      ...loads.map((n) => flagsClient(work, asyncConfig(n))),
      ...loads.map((n) => flagsClient(work, threadsConfig(n))),
      flagsClient(work, threadsConfig(1, IN_FLIGHT), 'split'),
      flagsClient(work, threadsConfig(2, IN_FLIGHT / 2), 'split'),
      ...peerClients(work, peers, loads),
    ];
    const runs = await measureClients('burst', clients, repeat, log);
    return { rows: benchRows(clients, runs), flags: work.codes.length };
  });
  const at = rows.filter((row) => row.inFlight === IN_FLIGHT);
  const best = bestThreads(at);
  const aria2c = at.find((row) => row.program === 'aria2c')?.medianMs ?? null;
  return {
    name: 'burst',
    title: `burst: all ${flags} flags, no latency`,
    method: `Embedded server, profile local (answers at once); flags async and threads at ${loads.join(' and ')} in flight, two other splits of ${IN_FLIGHT}, and the peers at the same loads.`,
    table: timeTable(rows, 'curl --parallel'),
    charts: [],
    targets: [
      ratioTarget(
        'burst',
        `best threads × requests at ${IN_FLIGHT} in flight within 1.5 × aria2c`,
        1.5,
        { label: best?.client ?? 'flags threads', value: best?.medianMs ?? null },
        { label: 'aria2c', value: aria2c },
        seconds,
      ),
    ],
    notes: failureNotes(rows),
    data: { flags, rows },
  };
}
