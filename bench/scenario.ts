import type { ChartSpec } from '../src/compare/chart.js';
import type { TableShape } from '../src/compare/compare-table.js';
import type { FlagsBuild } from './clients.js';
import type { Log } from './measure.js';
import type { Peer, Tool } from './peers.js';
import type { TargetResult } from './targets.js';

/** What every scenario gets: the run's size, the peers and the renderer found, and where to say what it does. */
export interface ScenarioContext {
  quick: boolean;
  /** Timed runs per client (5 or more; fewer in --quick). */
  repeat: number;
  peers: readonly Peer[];
  /** rsvg-convert, for the peer that renders. */
  renderer: Tool;
  log: Log;
  /** `--baseline DIR`: another build of flags, timed beside this one where a scenario supports it (files, seed, startup). */
  baseline?: FlagsBuild;
}

export interface ScenarioResult {
  name: string;
  title: string;
  /** What was run, in a sentence or two, for the results file. */
  method: string;
  table: TableShape;
  charts: { name: string; spec: ChartSpec }[];
  targets: TargetResult[];
  notes: string[];
  /** The figures behind the table, for the JSON results. */
  data: unknown;
}
