import { createHash } from 'node:crypto';
import { listName, readList, withChecksums } from '../api/download.js';
import { checkDownloadOptions, type DownloadOptions } from '../api/download-options.js';
import { checked, flag } from '../options/option-checks.js';
import { UsageError } from '../errors.js';
import { flagItems } from '../input/items.js';
import type { Item } from '../types.js';
import { parseQueueAddress } from './address.js';
import { loadBullmq, openRedis } from './connection.js';
import { perHostOption, rateOption } from './queue-options.js';
import { type QueueRun, saveRun } from './run-settings.js';

/** A flag is a few kilobytes; a list's file may be any size (as in a local run). */
const DEFAULT_FLAG_MAX_BYTES = 5_000_000;

/** Jobs sent to Redis in one round trip: large enough that 100,000 items take seconds, small enough to bound memory. */
const BULK = 2000;

/** What a local run takes, less what each worker decides for itself (dest, threads, concurrency) and the embedded server. */
type TravellingOptions = Omit<
  DownloadOptions,
  'dest' | 'mode' | 'threads' | 'concurrency' | 'partition' | 'timeline' | 'signal' | 'onStart' | 'onRetry' | 'onBytes' | 'latency' | 'jitter' | 'errorRate' | 'seed'
>;

export interface EnqueueOptions extends TravellingOptions {
  /** `redis://HOST:PORT/NAME`; default: the `FLAGS_QUEUE` environment variable. */
  queue?: string;
  /** Jobs started per second over all workers together (BullMQ's limiter); default: no limit. */
  rate?: number;
  /** Requests in flight to one host in each worker (not across workers); default: no limit. */
  perHost?: number;
  /** Put the queue's failed jobs back to be tried again, and enqueue nothing else. */
  retryFailed?: boolean;
}

export interface EnqueueSummary {
  /** The queue, as `redis://HOST:PORT/NAME` without a password. */
  queue: string;
  /** Items in the list (or failed jobs put back, with `retryFailed`). */
  items: number;
  /** New jobs: an item whose URL the queue already has adds none. */
  added: number;
  elapsedMs: number;
}

/**
 * Adds one job per item to the queue, in bulk, each with an id made from its URL, so that the same
 * URL twice is one job; and stores the run's download options with the queue, for every worker.
 * Options are checked as `download()` checks them (UsageError); an unreachable Redis is a QueueError.
 */
export async function enqueue(options: EnqueueOptions): Promise<EnqueueSummary> {
  const { queue: given, rate: typedRate, perHost: typedPerHost, retryFailed: typedRetry, ...download } = options;
  const address = parseQueueAddress(given);
  const rate = checked<number | undefined>(rateOption.rate, typedRate);
  const perHost = checked<number | undefined>(perHostOption['per-host'], typedPerHost);
  const retryFailed = flag('retry-failed', typedRetry);
  if (retryFailed) {
    const extra = Object.entries(download).find(([, value]) => value !== undefined && value !== false);
    const limit = rate !== undefined ? 'rate' : perHost !== undefined ? 'perHost' : undefined;
    if (extra || limit) throw new UsageError(`--retry-failed puts the failed jobs back as they were: it takes no other option (${extra?.[0] ?? limit})`);
  }
  const run = retryFailed ? undefined : checkDownloadOptions(download);
  if (run?.source && 'embedded' in run.source) {
    throw new UsageError('flags enqueue needs a server that every worker can reach (--server URL) or a list (--input): an embedded server ends with this command');
  }
  const started = performance.now();
  const redis = await openRedis(address);
  const { Queue } = await loadBullmq();
  const queue = new Queue(address.name, { connection: redis });
  try {
    const before = await totalJobs(queue);
    let items: number;
    if (run === undefined) {
      items = (await queue.getJobCounts('failed')).failed ?? 0;
      await queue.retryJobs({ state: 'failed' });
    } else {
      const list = run.input === undefined ? undefined : await readList(run);
      const all = withChecksums(list ?? flagItems(run.codes, (run.source as { url: string }).url, run.ext), await manifest(run.checksums));
      const settings: QueueRun = {
        server: list ? listName(run.input!) : (run.source as { url: string }).url,
        items: list ? 'file' : 'flag',
        fetch: {
          timeoutMs: run.timeoutMs,
          maxBytes: run.maxBytes ?? (list ? Number.POSITIVE_INFINITY : DEFAULT_FLAG_MAX_BYTES),
          retries: run.retries,
          retryDelayMs: run.retryDelayMs,
          existing: run.existing,
          ca: run.ca,
          insecure: run.insecure,
          png: run.png,
          maxPixels: run.maxPixels,
          renderTimeoutMs: run.renderTimeoutMs,
          resume: run.resume,
          sha256: run.sha256,
        },
        rate,
        perHost,
      };
      // Before the jobs: a worker already waiting must find the settings with its first job.
      await saveRun(redis, address.name, settings);
      for (let start = 0; start < all.length; start += BULK) {
        await queue.addBulk(all.slice(start, start + BULK).map((item) => ({ name: 'item', data: item, opts: { jobId: jobId(item) } })));
      }
      items = all.length;
    }
    const added = (await totalJobs(queue)) - before;
    return { queue: address.label, items, added: run === undefined ? 0 : added, elapsedMs: Math.round(performance.now() - started) };
  } finally {
    await queue.close();
    redis.disconnect();
  }
}

/** One job per URL: its id is the URL's hash, which BullMQ refuses to add twice. */
export const jobId = (item: Item) => createHash('sha256').update(item.url).digest('hex').slice(0, 32);

async function manifest(path: string | undefined): Promise<Map<string, string> | undefined> {
  return path === undefined ? undefined : (await import('../store/checksums.js')).readChecksums(path);
}

/** Jobs in the queue in any state. */
async function totalJobs(queue: import('bullmq').Queue): Promise<number> {
  const counts = await queue.getJobCounts();
  return Object.values(counts).reduce((sum, count) => sum + count, 0);
}
