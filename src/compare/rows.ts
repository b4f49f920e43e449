import type { Mode, Partition } from '../types.js';
import type { ChildRun } from './child-run.js';
import { inFlight, type RunConfig } from './plan.js';
import { type RunFigures, runFigures } from './run-figures.js';
import { lowerBoundMs, medianOfPresent } from './stats.js';

/** One line of the comparison, as printed and as `--json` gives it. */
export interface CompareRow extends RunFigures {
  mode: Mode;
  threads: number;
  concurrency: number;
  inFlight: number;
  partition: Partition;
  /** The baseline's median over this one: 2 means twice as fast. */
  speedup: number | null;
  flagsPerSecond: number | null;
  /** With `--png`: the median of the runs' render time, summed over their flags; null without. */
  renderMs: number | null;
  /** No run of this config finished, neither well nor failed: the comparison was stopped before. */
  notRun: boolean;
}

export interface RowContext {
  flags: number;
  /** The server's fixed latency, or undefined when it varies or is not known (a real server). */
  latencyMs?: number;
}

export type Baseline = { label: string; row: CompareRow } | undefined;

/** Rows in plan order, each from the runs of its config (matched by position in `configs`). */
export function buildRows(configs: readonly RunConfig[], runs: readonly ChildRun[][], context: RowContext): CompareRow[] {
  const rows = configs.map((config, index) => rowOf(config, runs[index] ?? [], context));
  const baseline = baselineOf(rows);
  return rows.map((row) => ({
    ...row,
    speedup: baseline?.row.medianMs != null && row.medianMs != null ? baseline.row.medianMs / row.medianMs : null,
  }));
}

/** Speedups are over sequential when it ran, else over a single worker thread. */
export function baselineOf(rows: readonly CompareRow[]): Baseline {
  const sequential = rows.find((row) => row.mode === 'sequential' && row.medianMs !== null);
  if (sequential) return { label: 'sequential', row: sequential };
  const oneThread = rows.find((row) => row.mode === 'threads' && row.threads === 1 && row.medianMs !== null);
  return oneThread ? { label: '1 thread', row: oneThread } : undefined;
}

function rowOf(config: RunConfig, runs: readonly ChildRun[], { flags, latencyMs }: RowContext): CompareRow {
  const requests = inFlight(config);
  const boundMs = latencyMs !== undefined && latencyMs > 0 ? lowerBoundMs(flags, requests, latencyMs) : null;
  const figures = runFigures(runs, boundMs, config.mode === 'threads');
  return {
    ...config,
    inFlight: requests,
    ...figures,
    speedup: null,
    flagsPerSecond: figures.medianMs === null ? null : flags / (figures.medianMs / 1000),
    notRun: runs.length === 0,
    renderMs: medianOfPresent(runs.filter((run) => run.failure === undefined).map((run) => (run.report?.png == null ? undefined : run.report.renderMs))),
  };
}
