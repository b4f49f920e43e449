import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ChildRun, runFlagsChild } from './child-run.js';
import { seconds } from './format.js';
import { configArgs, configFileName, configLabel, inFlight, type RunConfig } from './plan.js';
import type { SignalRelay } from './signal-relay.js';
import { interleave } from './stats.js';

export interface InterleavedOptions<T> {
  /** Names the temporary root that holds every run's folder. */
  name: string;
  items: readonly T[];
  /** Run once each, untimed, first: the page cache, the server's sockets, the program's own files. */
  warmUps: readonly T[];
  repeat: number;
  run(item: T, tempRoot: string): Promise<ChildRun>;
  onWarmUp(item: T, run: ChildRun): void;
  /** After each timed run: its place in the order (from 1) and the order's length. */
  onRun(item: T, run: ChildRun, position: number, total: number): void;
  /** Aborted on Ctrl-C or another stop signal: the run in progress is dropped and no new one starts. */
  signal?: AbortSignal;
}

/**
 * The method shared by `flags compare` and the bench: warm-ups, then every item once per pass,
 * `repeat` passes in shuffled orders (`interleave`), so that drift on the machine and what a run
 * leaves for the next spread over all items alike, one run at a time
 * (on two cores a second process would take the first one's CPU). Gives each item's runs in
 * item order; the temporary root is gone when this returns, however it ends.
 */
export async function measureInterleaved<T>(options: InterleavedOptions<T>): Promise<ChildRun[][]> {
  const { items, repeat, run, signal } = options;
  const tempRoot = await mkdtemp(join(tmpdir(), `flags-${options.name}-`));
  try {
    const runs: ChildRun[][] = items.map(() => []);
    for (const item of options.warmUps) {
      const result = await run(item, tempRoot);
      if (signal?.aborted) return runs;
      options.onWarmUp(item, result);
    }
    const order = interleave(
      items.map((item, index) => ({ item, index })),
      repeat,
    );
    for (const [position, { item, index }] of order.entries()) {
      if (signal?.aborted) break;
      const result = await run(item, tempRoot);
      // A run cut short by a signal says nothing about its item.
      if (signal?.aborted) break;
      runs[index]!.push(result);
      options.onRun(item, result, position + 1, order.length);
    }
    return runs;
  } finally {
    await rm(tempRoot, { recursive: true, force: true });
  }
}

export interface MeasureOptions {
  configs: readonly RunConfig[];
  /** What every run shares: the codes, `--server <url>` and transfer options. */
  commonArgs: readonly string[];
  repeat: number;
  /** A folder for one timeline per config: each run writes `<config>.svg`, so the last run's stays. */
  timelines?: string;
  log(line: string): void;
  signal: AbortSignal;
  /** Hands each run in progress the signals we receive. */
  relay: SignalRelay;
}

/** `flags compare`'s runs: the real CLI per config, after one warm-up of the widest config. */
export function measureConfigs({ configs, commonArgs, repeat, timelines, log, signal, relay }: MeasureOptions): Promise<ChildRun[][]> {
  const withPartition = new Set(configs.map((config) => config.partition)).size > 1;
  const label = (config: RunConfig) => configLabel(config, withPartition);
  const timeline = (config: RunConfig) => (timelines === undefined ? [] : ['--timeline', join(timelines, `${configFileName(config, withPartition)}.svg`)]);
  // The widest config touches every code path (the pool, the workers' imports) and the page cache.
  const widest = configs.reduce((wide, config) => (inFlight(config) >= inFlight(wide) ? config : wide));
  return measureInterleaved({
    name: 'compare',
    items: configs,
    warmUps: [widest],
    repeat,
    signal,
    run: (config, tempRoot) => runFlagsChild([...commonArgs, ...configArgs(config), ...timeline(config)], tempRoot, relay),
    onWarmUp: (config, run) => log(`warm-up (${label(config)}, not counted): ${run.failure === undefined ? seconds(run.wallMs) : `FAILED: ${run.failure}`}`),
    onRun: (config, run, position, total) => {
      const outcome = run.failure === undefined ? seconds(run.wallMs) : `FAILED after ${seconds(run.wallMs)}: ${run.failure}`;
      log(`[${String(position).padStart(String(total).length)}/${total}] ${label(config)}: ${outcome}`);
    },
  });
}
