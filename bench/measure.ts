import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildRun } from '../src/compare/child-run.js';
import { seconds } from '../src/compare/format.js';
import { interleave } from '../src/compare/stats.js';
import type { Client } from './clients.js';

export type Log = (line: string) => void;

/**
 * One untimed warm-up per program (its widest client: page cache, server sockets, the
 * program's own files), then every client once per pass, `repeat` passes, so that drift
 * on the machine spreads over all clients alike. Runs go one at a time: on two cores a
 * second process would take the first one's CPU.
 */
export async function measureClients(scenario: string, clients: readonly Client[], repeat: number, log: Log): Promise<ChildRun[][]> {
  const tempRoot = await mkdtemp(join(tmpdir(), `flags-bench-${scenario}-`));
  try {
    const widest = new Map<string, Client>();
    for (const client of clients) {
      const known = widest.get(client.program);
      if (known === undefined || client.inFlight > known.inFlight) widest.set(client.program, client);
    }
    for (const client of widest.values()) {
      const run = await client.run(tempRoot);
      if (run.failure !== undefined) log(`  warm-up ${client.name} FAILED: ${run.failure}`);
    }
    const runs: ChildRun[][] = clients.map(() => []);
    const order = interleave(clients.map((client, index) => ({ client, index })), repeat);
    for (const [position, { client, index }] of order.entries()) {
      const run = await client.run(tempRoot);
      runs[index]!.push(run);
      const outcome = run.failure === undefined ? seconds(run.wallMs) : `FAILED: ${run.failure}`;
      log(`  [${scenario} ${position + 1}/${order.length}] ${client.name}: ${outcome}`);
    }
    return runs;
  } finally {
    await rm(tempRoot, { recursive: true, force: true });
  }
}
