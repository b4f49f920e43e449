import { flag, text } from './checks.js';
import { DEFAULT_THREADS, downloadSchema, MAX_SPLIT } from './download-schema.js';
import { option, pick } from './schema.js';

/** The queue every queue command names. */
const queue = option({
  type: 'text',
  check: text,
  describe: 'The queue: redis://HOST:PORT/NAME (default: the FLAGS_QUEUE environment variable)',
  group: 'queue',
});

/** `status()`'s and `report()`'s, and `flags status` and `flags report`'s. */
export const queueSchema = {
  /** `redis://HOST:PORT/NAME`; default: the `FLAGS_QUEUE` environment variable. */
  queue,
};

/**
 * What `enqueue()` and `flags enqueue` take: the queue, a local run's options less what each
 * worker decides for itself (its folder, threads and slots) and the embedded server (which ends
 * with the command), and the queue's own limits.
 */
export const enqueueSchema = {
  /** `redis://HOST:PORT/NAME`; default: the `FLAGS_QUEUE` environment variable. */
  queue,
  ...pick(downloadSchema, 'codes', 'all', 'every', 'limit'),
  input: { ...downloadSchema.input, describe: 'Enqueue the files of this URL list (- reads standard input), checked whole first' },
  layout: { ...downloadSchema.layout, describe: 'With --input: flat or tree, as for a local run' },
  allowMissing: { ...downloadSchema.allowMissing, describe: 'With --input: a URL that answers 404 is a completed job, not found, instead of a failed one (HTTP 404 Not Found)' },
  server: {
    ...downloadSchema.server,
    describe: 'The base URL of a server with {URL}/{cc}/{cc}.{ext} that every worker can reach: an embedded profile would end with this command [not with --input]',
  },
  ...pick(downloadSchema, 'ext', 'timeout', 'maxSize', 'retries', 'retryDelay', 'update', 'skipExisting', 'ca', 'insecure'),
  ...pick(downloadSchema, 'png', 'maxPixels', 'renderTimeout'),
  continue: { ...downloadSchema.continue, describe: 'Keep the bytes of a broken transfer in {file}.part and resume it' },
  sha256: { ...downloadSchema.sha256, describe: 'Hash each file as it streams (the digest is in each job’s result)' },
  checksums: { ...downloadSchema.checksums, describe: 'A sha256sum manifest: a file whose bytes do not match its line is an error' },
  split: {
    ...downloadSchema.split,
    describe: `Fetch a file larger than --split-min whose server answers ranges as up to this many ranges at once, over the free slots of the worker that takes its job, into one file (1 to ${MAX_SPLIT}) [number]`,
  },
  splitMin: downloadSchema.splitMin,
  /** Jobs started per second over all workers together (BullMQ's limiter); default: no limit. */
  rate: {
    ...downloadSchema.rate,
    describe: 'Start at most this many jobs per second over all workers together, e.g. 20 or 0.5 (retries inside a job come on top) [number]',
  },
  /** Requests in flight to one host in each worker (not across workers); default: no limit. */
  perHost: {
    ...downloadSchema.perHost,
    describe: 'At most this many requests in flight to one host in each worker (not across workers: W workers, W times it) [number]',
  },
  /** Put the queue's failed jobs back to be tried again, and enqueue nothing else. */
  retryFailed: option({
    type: 'boolean',
    check: flag,
    default: false,
    describe: 'Put the failed jobs back in the queue, to be tried again; enqueue nothing else',
    group: 'queue',
  }),
};

/** What `work()` and `flags worker` take: how this machine works on a queue. */
export const workSchema = {
  /** `redis://HOST:PORT/NAME`; default: the `FLAGS_QUEUE` environment variable. */
  queue,
  /** This machine's destination folder (default `downloaded`). */
  dest: downloadSchema.dest,
  /** Worker threads in the pool (default 20). */
  threads: { ...downloadSchema.threads, describe: `Worker threads [number] [default: ${DEFAULT_THREADS}]` },
  /** Requests in flight per thread (default 1): the worker holds `threads × concurrency` jobs at once. */
  concurrency: { ...downloadSchema.concurrency, describe: 'Jobs in hand per worker thread: the worker holds threads × concurrency at once [number]' },
  /** Stop once the queue has no job waiting, delayed or active on any worker. */
  exitWhenDrained: option({
    type: 'boolean',
    check: flag,
    default: false,
    describe: 'Stop once no job is left waiting, delayed or active on any worker',
    group: 'queue',
  }),
};
