import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ChildRun, runFlagsChild } from './child-run.js';
import { seconds } from './format.js';
import { configArgs, configLabel, inFlight, type RunConfig } from './plan.js';
import { interleave } from './stats.js';

export interface MeasureOptions {
  configs: readonly RunConfig[];
  /** What every run shares: the codes, `--server <url>` and transfer options. */
  commonArgs: readonly string[];
  repeat: number;
  log(line: string): void;
  /** Aborted on Ctrl-C: the run in progress is dropped and no new one starts. */
  signal: AbortSignal;
}

/**
 * Runs every config `repeat` times in interleaved order after one untimed warm-up, and gives
 * each config's runs in plan order. Every run gets a fresh folder under one temporary root,
 * which is gone when this returns, however it ends.
 */
export async function measureConfigs({ configs, commonArgs, repeat, log, signal }: MeasureOptions): Promise<ChildRun[][]> {
  const tempRoot = await mkdtemp(join(tmpdir(), 'flags-compare-'));
  const withPartition = new Set(configs.map((config) => config.partition)).size > 1;
  const label = (config: RunConfig) => configLabel(config, withPartition);
  const argsOf = (config: RunConfig) => [...commonArgs, ...configArgs(config)];
  try {
    // The widest config touches every code path (the pool, the workers' imports) and the page cache.
    const warmUp = configs.reduce((widest, config) => (inFlight(config) >= inFlight(widest) ? config : widest));
    const warm = await runFlagsChild(argsOf(warmUp), tempRoot);
    log(`warm-up (${label(warmUp)}, not counted): ${warm.failure === undefined ? seconds(warm.wallMs) : `FAILED: ${warm.failure}`}`);

    const runs: ChildRun[][] = configs.map(() => []);
    const order = interleave(configs.map((config, index) => ({ config, index })), repeat);
    const width = String(order.length).length;
    for (const [position, { config, index }] of order.entries()) {
      const run = await runFlagsChild(argsOf(config), tempRoot);
      // A run cut short by Ctrl-C says nothing about its config.
      if (signal.aborted) break;
      runs[index]!.push(run);
      const outcome = run.failure === undefined ? seconds(run.wallMs) : `FAILED after ${seconds(run.wallMs)}: ${run.failure}`;
      log(`[${String(position + 1).padStart(width)}/${order.length}] ${label(config)}: ${outcome}`);
    }
    return runs;
  } finally {
    await rm(tempRoot, { recursive: true, force: true });
  }
}
