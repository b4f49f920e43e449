import { realpath } from 'node:fs/promises';
import { hostname } from 'node:os';
import type { Job } from 'bullmq';
import { OptionError } from '../errors.js';
import { DEFAULT_THREADS } from '../options/download-schema.js';
import { workSchema } from '../options/queue-schema.js';
import { checkOptions, type GivenOptions } from '../options/schema.js';
import { prepareDestination, sweepStaleTempFiles, sweepTempFiles, tempPrefixFor } from '../store/destination.js';
import type { ItemNoun } from '../input/items.js';
import { wholeNumber } from '../options/checks.js';
import type { Item, ItemResult, RetryNotice, RunReport, ScheduleOptions } from '../types.js';
import { checkInstalled } from '../paths.js';
import { RENDERING } from '../render/render-limits.js';
import { parseQueueAddress } from './address.js';
import { lastingConnection, loadBullmq, openRedis, reason } from './connection.js';
import { JobFeed } from './job-feed.js';
import { limiterFor } from './limiter.js';
import { loadRun } from './run-settings.js';

/** A result as a queue job returns it: a local run's, and which machine and worker process did it. */
export interface QueueResult extends ItemResult {
  host: string;
  /** The worker's process id on `host`: with `thread`, the thread that did it, among all workers. */
  pid: number;
}

/** A job's data: the item, and once it failed for good, the result that says why (for the report). */
export interface JobData extends Item {
  result?: QueueResult;
}

/** What `work()` takes besides its options: how to stop it, and what to hear of it as it goes. */
export interface WorkEvents {
  /** Stops the worker cleanly: it takes no new job and finishes those in hand (the second Ctrl-C of the CLI is the way out at once). */
  signal?: AbortSignal;
  onStart?(start: WorkStart): void | Promise<void>;
  /** Each job's result, as it is recorded in the queue. */
  onResult?(result: QueueResult): void;
  onRetry?(notice: RetryNotice): void;
  onBytes?(bytes: number): void;
  /** The queue's Redis went away (the worker retries until it is back), or another error of the connection. */
  onQueueError?(message: string): void;
}

/** What `work()` takes, each option documented where it is defined (src/options/queue-schema.ts). */
export type WorkOptions = GivenOptions<typeof workSchema> & WorkEvents;

/** Every key of WorkEvents, each once: one left out fails to compile. */
const EVENTS = Object.keys({ signal: true, onStart: true, onResult: true, onRetry: true, onBytes: true, onQueueError: true } satisfies Record<keyof WorkEvents, true>);

/** What a worker prints first. */
export interface WorkStart {
  queue: string;
  host: string;
  server: string;
  items: ItemNoun;
  threads: number;
  concurrency: number;
  dest: string;
  rate?: number;
  perHost?: number;
}

/** What one worker did, counted as a local run's report counts. */
export interface WorkSummary extends Pick<RunReport, 'ok' | 'notFound' | 'notModified' | 'skipped' | 'error' | 'bytes' | 'elapsedMs'> {
  queue: string;
  host: string;
  done: number;
}

/**
 * How long a worker's hold on a job lasts unless renewed, and how often the stalled jobs of dead
 * workers are looked for: BullMQ's 30 s by default; `FLAGS_QUEUE_LOCK_MS` shortens it (tests).
 */
function lockMs(env: NodeJS.ProcessEnv = process.env): number {
  if (env.FLAGS_QUEUE_LOCK_MS === undefined) return 30_000;
  try {
    return wholeNumber(100)(env.FLAGS_QUEUE_LOCK_MS, 'FLAGS_QUEUE_LOCK_MS');
  } catch {
    throw new OptionError('queue', () => `FLAGS_QUEUE_LOCK_MS must be a whole number >= 100, got ${JSON.stringify(env.FLAGS_QUEUE_LOCK_MS)}`);
  }
}

/** How often an idle worker with `exitWhenDrained` asks whether the whole queue is done. */
const DRAIN_POLL_MS = 500;

/** Connection errors are said at most this often while Redis is away. */
const QUEUE_ERROR_EVERY_MS = 5000;

/**
 * Pulls the queue's jobs into a Piscina pool, as a local run's main thread hands out its list, and
 * records each result as its job's outcome: completed (ok, not found, kept) or failed (an error).
 * A worker that dies leaves its jobs to BullMQ's stalled-job recovery: another worker takes them.
 */
export async function work(options: WorkOptions): Promise<WorkSummary> {
  const checked = checkOptions(workSchema, options, EVENTS);
  const address = parseQueueAddress(checked.queue);
  const { threads = DEFAULT_THREADS, concurrency } = checked;
  const lock = lockMs();
  const redis = await openRedis(address);
  const run = await loadRun(redis, address.name, address.label).finally(() => redis.disconnect());
  if (run.fetch.png !== undefined) checkInstalled(['@resvg/resvg-wasm'], RENDERING);
  const dest = await realpath(await prepareDestination(checked.dest));
  await sweepStaleTempFiles(dest);
  const host = hostname();
  await options.onStart?.({ queue: address.label, host, server: run.server, items: run.items, threads, concurrency, dest, rate: run.rate, perHost: run.perHost });

  const summary: WorkSummary = { queue: address.label, host, done: 0, ok: 0, notFound: 0, notModified: 0, skipped: 0, error: 0, bytes: 0, elapsedMs: 0 };
  const counter = { ok: 'ok', not_found: 'notFound', not_modified: 'notModified', skipped: 'skipped', error: 'error' } as const;
  const started = performance.now();
  const feed = new JobFeed<Item>();
  // The jobs handed to the pool, by URL (one job per URL), waiting for its result: a job whose lock
  // lapsed (Redis away longer than the lock) may come back here while its first run is still under way.
  const inHand = new Map<string, ((result: QueueResult) => void)[]>();
  const tempPrefix = tempPrefixFor();
  // `perHost` holds in this worker's pool as in a local run (a slot waits for room on its item's host); the rate is BullMQ's, over all workers.
  const settings: ScheduleOptions = { ...run.fetch, mode: 'threads', threads, concurrency, partition: 'dynamic', dest, tempPrefix, perHost: run.perHost };
  const { threadsFrom } = await import('../schedule/strategies/threads.js');
  const pool = threadsFrom(feed)([], settings, {
    onResult(result) {
      const recorded = { ...result, host, pid: process.pid };
      summary.done++;
      summary[counter[result.status]]++;
      summary.bytes += result.bytes;
      for (const resolve of inHand.get(result.url) ?? []) resolve(recorded);
      inHand.delete(result.url);
      options.onResult?.(recorded);
    },
    onRetry: (notice) => options.onRetry?.(notice),
    onBytes: (bytes) => options.onBytes?.(bytes),
    // The pool is never cut short: a stopping worker finishes the jobs it holds.
    signal: new AbortController().signal,
  });

  const { Queue, Worker } = await loadBullmq();
  const processor = async (job: Job<JobData>): Promise<QueueResult> => {
    const item = itemOf(job.data);
    const result = await new Promise<QueueResult>((resolve) => {
      const waiting = inHand.get(item.url);
      if (waiting) waiting.push(resolve);
      else {
        inHand.set(item.url, [resolve]);
        feed.push(item);
      }
    });
    if (result.status !== 'error') return result;
    // The report shows a failed job's whole result, not BullMQ's reason alone.
    await job.updateData({ ...item, result });
    throw new Error(result.error ?? 'failed');
  };
  let lastError = 0;
  const onError = (error: unknown) => {
    if (performance.now() - lastError < QUEUE_ERROR_EVERY_MS) return;
    lastError = performance.now();
    options.onQueueError?.(`the queue at ${address.label}: ${reason(error)}; retrying until it answers`);
  };
  const worker = new Worker<JobData, QueueResult>(address.name, processor, {
    connection: lastingConnection(address),
    name: `${host}:${process.pid}`,
    concurrency: threads * concurrency,
    limiter: run.rate === undefined ? undefined : limiterFor(run.rate),
    lockDuration: lock,
    stalledInterval: lock,
  });
  worker.on('error', onError);
  const queue = new Queue(address.name, { connection: lastingConnection(address) });
  queue.on('error', onError);

  let requestStop = () => {};
  const stopRequested = new Promise<void>((resolve) => (requestStop = resolve));
  options.signal?.addEventListener('abort', requestStop, { once: true });
  if (options.signal?.aborted) requestStop();
  const poll = checked.exitWhenDrained ? setInterval(() => void drained(queue, inHand).then((yes) => yes && requestStop(), onError), Math.min(DRAIN_POLL_MS, lock)) : undefined;
  try {
    // The pool ends only once the feed does: before that, only a failure ends it, and then the
    // jobs in hand are closed on at once (below) and stall, to go to another worker.
    await Promise.race([stopRequested, pool]);
    clearInterval(poll);
    // No new job; the processors of those in hand return once the pool has their results.
    await worker.close();
    feed.end();
    await pool;
  } finally {
    clearInterval(poll);
    options.signal?.removeEventListener('abort', requestStop);
    await worker.close(true);
    await queue.close();
    await sweepTempFiles(dest, tempPrefix);
  }
  summary.elapsedMs = Math.round(performance.now() - started);
  return summary;
}

/** The item alone: a job put back by `--retry-failed` still carries its last result. */
function itemOf({ url, file, cc, line, sha256 }: JobData): Item {
  return { url, file, ...(cc === undefined ? {} : { cc }), ...(line === undefined ? {} : { line }), ...(sha256 === undefined ? {} : { sha256 }) };
}

/** Nothing in hand here, and nothing waiting, delayed or active anywhere: every job has its final state. */
async function drained(queue: import('bullmq').Queue, inHand: Map<string, unknown>): Promise<boolean> {
  if (inHand.size > 0) return false;
  const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children');
  return inHand.size === 0 && Object.values(counts).every((count) => count === 0);
}
