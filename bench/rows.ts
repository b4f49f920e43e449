import type { ChildRun } from '../src/compare/child-run.js';
import { type RunFigures, runFigures } from '../src/compare/run-figures.js';
import { lowerBoundMs } from '../src/compare/stats.js';
import type { Client } from './clients.js';

/** One client's runs, summed up: the row of a scenario table and of the JSON results. */
export interface BenchRow extends RunFigures {
  client: string;
  program: string;
  series: string;
  mode: string | null;
  threads: number | null;
  concurrency: number | null;
  inFlight: number;
  flags: number;
}

/** `latencyMs`: the server's fixed latency, for the bound; 0 or undefined for none. */
export function benchRows(clients: readonly Client[], runs: readonly ChildRun[][], latencyMs?: number): BenchRow[] {
  return clients.map((client, index) => {
    const pool = client.config?.mode === 'threads';
    return {
      client: client.name,
      program: client.program,
      series: client.series,
      mode: client.config?.mode ?? null,
      threads: pool ? client.config!.threads : null,
      concurrency: client.config ? client.config.concurrency : null,
      inFlight: client.inFlight,
      flags: client.flags,
      ...runFigures(runs[index] ?? [], latencyMs ? lowerBoundMs(client.flags, client.inFlight, latencyMs) : null, pool),
    };
  });
}

/** One note per failed run, so that a left-out run is never silent. */
export function failureNotes(rows: readonly BenchRow[]): string[] {
  return rows.flatMap((row) => row.failures.map((failure) => `${row.client} failed, ${failure}`));
}
