import { createHash } from 'node:crypto';
import { listName, readList, withChecksums } from '../api/download.js';
import { checkDownloadOptions, fetchOptionsOf } from '../api/download-options.js';
import { OptionError } from '../errors.js';
import { flagItems } from '../input/items.js';
import { enqueueSchema } from '../options/queue-schema.js';
import { checkOptions, type GivenOptions } from '../options/schema.js';
import type { Item } from '../types.js';
import { parseQueueAddress } from './address.js';
import { loadBullmq, openRedis } from './connection.js';
import { type QueueRun, saveRun } from './run-settings.js';

/** Jobs sent to Redis in one round trip: large enough that 100,000 items take seconds, small enough to bound memory. */
const BULK = 2000;

/** What `enqueue()` takes, each option documented where it is defined (src/options/queue-schema.ts). */
export type EnqueueOptions = GivenOptions<typeof enqueueSchema>;

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
 * Options are checked as `download()` checks them (OptionError); an unreachable Redis is a QueueError.
 */
export async function enqueue(options: EnqueueOptions): Promise<EnqueueSummary> {
  const { queue: given, rate, perHost, retryFailed } = checkOptions(enqueueSchema, options);
  const address = parseQueueAddress(given);
  if (retryFailed) {
    // A flag set to false asks for nothing, as before the schema.
    const extra = Object.entries(options).find(([key, value]) => key !== 'queue' && key !== 'retryFailed' && value !== undefined && value !== false)?.[0];
    if (extra) throw new OptionError('retryFailed', (name) => `${name('retryFailed')} puts the failed jobs back as they were: it takes no other option (${extra})`);
  }
  // A local run's checks of the rest: what a local run would refuse, no worker could do.
  const { queue: _queue, rate: _forTheQueue, perHost: _forEachWorker, retryFailed: _retry, ...local } = options;
  const run = retryFailed ? undefined : checkDownloadOptions(local);
  if (run?.source && 'embedded' in run.source) {
    throw new OptionError(
      'server',
      (name) => `flags enqueue needs a server that every worker can reach (${name('server')} URL) or a list (${name('input')}): an embedded server ends with this command`,
    );
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
        // Each worker's proxy is its own machine's.
        fetch: { ...fetchOptionsOf(run, list ? 'file' : 'flag'), proxy: undefined },
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
