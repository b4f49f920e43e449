import type { ChildRun } from '../src/compare/child-run.js';
import { seconds } from '../src/compare/format.js';
import { measureInterleaved } from '../src/compare/measure.js';
import type { Client } from './clients.js';

export type Log = (line: string) => void;

/** A scenario's runs: one untimed warm-up per program (its widest client), then the interleaved passes. */
export function measureClients(scenario: string, clients: readonly Client[], repeat: number, log: Log): Promise<ChildRun[][]> {
  const widest = new Map<string, Client>();
  for (const client of clients) {
    const known = widest.get(client.program);
    if (known === undefined || client.inFlight > known.inFlight) widest.set(client.program, client);
  }
  return measureInterleaved({
    name: `bench-${scenario}`,
    items: clients,
    warmUps: [...widest.values()],
    repeat,
    run: (client, tempRoot) => client.run(tempRoot),
    onWarmUp: (client, run) => {
      if (run.failure !== undefined) log(`  warm-up ${client.name} FAILED: ${run.failure}`);
    },
    onRun: (client, run, position, total) => {
      const outcome = run.failure === undefined ? seconds(run.wallMs) : `FAILED: ${run.failure}`;
      log(`  [${scenario} ${position}/${total}] ${client.name}: ${outcome}`);
    },
  });
}
