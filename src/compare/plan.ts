import type { Mode, Partition } from '../types.js';

/** One way of running the download: what a row of the comparison measures. */
export interface RunConfig {
  mode: Mode;
  /** Worker threads; 0 for the modes that use the main thread alone. */
  threads: number;
  /** Requests in flight per worker thread (threads) or in all (async, sequential). */
  concurrency: number;
  /** Only threads mode splits the work; the others carry the default so that rows compare alike. */
  partition: Partition;
}

export interface PlanOptions {
  modes: readonly Mode[];
  threads: readonly number[];
  concurrency: number;
  partitions: readonly Partition[];
}

/** Requests outstanding at once: what the server's latency bound depends on. */
export function inFlight(config: RunConfig): number {
  return config.mode === 'threads' ? config.threads * config.concurrency : config.concurrency;
}

/**
 * Every config to measure: sequential once; async at each requests-in-flight count the thread
 * ladder reaches, so that the event loop and the pool are compared under the same load; the
 * thread ladder once per partition.
 */
export function planConfigs({ modes, threads, concurrency, partitions }: PlanOptions): RunConfig[] {
  const configs: RunConfig[] = [];
  if (modes.includes('sequential')) configs.push({ mode: 'sequential', threads: 0, concurrency: 1, partition: partitions[0]! });
  if (modes.includes('async')) {
    for (const count of threads) configs.push({ mode: 'async', threads: 0, concurrency: count * concurrency, partition: partitions[0]! });
  }
  if (modes.includes('threads')) {
    for (const partition of partitions) {
      for (const count of threads) configs.push({ mode: 'threads', threads: count, concurrency, partition });
    }
  }
  return configs;
}

/** The download command's options that select this config. */
export function configArgs(config: RunConfig): string[] {
  const args = ['--mode', config.mode];
  if (config.mode === 'threads') args.push('--threads', String(config.threads), '--partition', config.partition);
  if (config.mode !== 'sequential') args.push('--concurrency', String(config.concurrency));
  return args;
}

/** e.g. `threads-4x5-chunks`, `async-20`, `sequential`: a file name for what the config wrote (its timeline). */
export function configFileName(config: RunConfig, withPartition: boolean): string {
  return configLabel(config, withPartition).replaceAll(' ', '-').replace('×', 'x');
}

/** e.g. `threads 4×5 chunks`, `async 20`, `sequential`: for progress lines and chart legends. */
export function configLabel(config: RunConfig, withPartition: boolean): string {
  if (config.mode === 'sequential') return 'sequential';
  if (config.mode === 'async') return `async ${config.concurrency}`;
  return `threads ${config.threads}×${config.concurrency}${withPartition ? ` ${config.partition}` : ''}`;
}
