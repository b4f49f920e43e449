import type { ChildRun } from './child-run.js';
import { efficiency, medianOfPresent, summarize } from './stats.js';

/** What repeated runs of one config come to: the figures of a row, in compare and in the bench. */
export interface RunFigures {
  /** Runs whose times count, and runs that failed (left out of every figure below), each with its reason. */
  runs: number;
  failed: number;
  failures: string[];
  /** null when no run succeeded. */
  medianMs: number | null;
  minMs: number | null;
  maxMs: number | null;
  samplesMs: number[];
  /** ceil(flags / in flight) × latency: only when the server's latency is fixed and known. */
  boundMs: number | null;
  efficiency: number | null;
  /** Medians over the counted runs; worker figures only for the pool. */
  workersStarted: number | null;
  workerStartupMs: number | null;
  peakRssBytes: number | null;
  /** User plus system CPU time of the whole process, where GNU time measured it. */
  cpuMs: number | null;
}

export function runFigures(runs: readonly ChildRun[], boundMs: number | null, pool: boolean): RunFigures {
  const counted = runs.filter((run) => run.failure === undefined);
  const times = counted.map((run) => run.wallMs);
  const summary = times.length > 0 ? summarize(times) : undefined;
  return {
    runs: counted.length,
    failed: runs.length - counted.length,
    failures: runs.flatMap((run, index) => (run.failure === undefined ? [] : [`run ${index + 1}: ${run.failure}`])),
    medianMs: summary?.median ?? null,
    minMs: summary?.min ?? null,
    maxMs: summary?.max ?? null,
    samplesMs: times,
    boundMs,
    efficiency: boundMs !== null && summary ? efficiency(boundMs, summary.median) : null,
    workersStarted: pool ? medianOfPresent(counted.map((run) => run.report?.workersStarted)) : null,
    workerStartupMs: pool ? medianOfPresent(counted.map((run) => run.report?.workerStartupMs)) : null,
    peakRssBytes: medianOfPresent(counted.map((run) => run.peakRssBytes)),
    cpuMs: medianOfPresent(counted.map((run) => run.cpuMs)),
  };
}
