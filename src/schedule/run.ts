import { setMaxListeners } from 'node:events';
import { sweepTempFiles } from '../store/destination.js';
import { DuplicateResult } from './pool-errors.js';
import type { Item, ItemEvents, ItemResult, RunReport, ScheduleOptions, Strategy, StrategyOutcome, WorkerStart } from '../types.js';

export interface RunSettings extends ScheduleOptions {
  /** How the report names the server. */
  server: string;
  strategy: Strategy;
}

/**
 * The harness every strategy runs in: it times the run, takes each result exactly once, sweeps
 * temporary files left by an interruption, and builds the report, its results in the order of `items`.
 */
export async function runDownload(
  items: readonly Item[],
  settings: RunSettings,
  {
    onResult = () => {},
    onRetry = () => {},
    onBytes = () => {},
    signal = new AbortController().signal,
  }: { onResult?: (result: ItemResult) => void; signal?: AbortSignal } & Partial<ItemEvents> = {},
): Promise<RunReport> {
  const { strategy, server, ...options } = settings;
  // Every slot on this thread listens to it at once (a request, a backoff wait): no leak past 10.
  setMaxListeners(0, signal);
  // By URL: a list has each URL once, and a flag's URL holds its code.
  const results = new Map<string, ItemResult>();
  const take = (result: ItemResult) => {
    if (results.has(result.url)) throw new DuplicateResult(result.url);
    results.set(result.url, result);
    onResult(result);
  };
  const started = performance.now();
  const { threads, workersStarted, workerStartupMs, workers } = await strategy(items, options, { onResult: take, onRetry, onBytes, signal });
  const elapsedMs = Math.round(performance.now() - started);
  await sweepTempFiles(options.dest, options.tempPrefix);
  const ordered = items.flatMap((item) => results.get(item.url) ?? []);
  const count = (status: ItemResult['status']) => ordered.filter((result) => result.status === status).length;
  return {
    server,
    mode: options.mode,
    threads,
    concurrency: options.mode === 'sequential' ? 1 : options.concurrency,
    partition: options.partition,
    requested: items.length,
    ok: count('ok'),
    notFound: count('not_found'),
    notModified: count('not_modified'),
    skipped: count('skipped'),
    error: count('error'),
    bytes: ordered.reduce((sum, result) => sum + result.bytes, 0),
    elapsedMs,
    workersStarted,
    workerStartupMs,
    png: options.png ?? null,
    renderMs: ordered.reduce((sum, result) => sum + (result.renderMs ?? 0), 0),
    processStart: performance.timeOrigin,
    workers: withFirstRequests(workers, ordered),
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    interrupted: signal.aborted,
    results: ordered,
  };
}

/** Each worker's start with the start of its first request: the end of its start-up on a timeline. */
function withFirstRequests(workers: StrategyOutcome['workers'], results: readonly ItemResult[]): WorkerStart[] {
  const first = new Map<number, number>();
  for (const { thread, startedAt } of results) first.set(thread, Math.min(startedAt, first.get(thread) ?? Number.POSITIVE_INFINITY));
  return workers.map((worker) => ({ ...worker, firstRequestAt: first.get(worker.thread) ?? null }));
}
