import type { Redis } from 'ioredis';
import type { ItemNoun } from '../input/items.js';
import type { FetchOptions } from '../types.js';
import { QueueError } from './queue-error.js';

/**
 * What travels with a queue, set by `flags enqueue`, so that every worker downloads alike: how to
 * fetch (its own `dest` aside), the queue-wide rate, and how the report names the source.
 */
export interface QueueRun {
  /** The server or the list the items came from. */
  server: string;
  items: ItemNoun;
  fetch: Omit<FetchOptions, 'dest' | 'tempPrefix'>;
  /** Jobs started per second over all workers (BullMQ's limiter); absent: no limit. */
  rate?: number;
  /** Requests in flight to one host, in each worker (a local run's `--per-host`, worker by worker); absent: no limit. */
  perHost?: number;
}

const runKey = (name: string) => `flags:${name}:run`;

export async function saveRun(redis: Redis, name: string, run: QueueRun): Promise<void> {
  await redis.set(runKey(name), JSON.stringify(run));
}

/** The run enqueued on `name`; a queue nothing was enqueued on has none, and a worker could not know how to fetch. */
export async function loadRun(redis: Redis, name: string, label: string): Promise<QueueRun> {
  const text = await redis.get(runKey(name));
  if (text === null) throw new QueueError(`nothing was ever enqueued on ${label}: run flags enqueue first`);
  const run = JSON.parse(text) as QueueRun;
  // JSON has no Infinity (a list's files have no cap): it comes back as null.
  return { ...run, fetch: { ...run.fetch, maxBytes: run.fetch.maxBytes ?? Number.POSITIVE_INFINITY } };
}
