import type { Redis } from 'ioredis';
import type { QueueAddress } from './address.js';
import { checkInstalled } from '../paths.js';
import { QueueError } from './queue-error.js';

/** What needs the queue's packages, as a MissingPackageError says it. */
const QUEUE_FEATURE = 'the queue (enqueue, worker, status, report)';

/**
 * BullMQ and ioredis are optional packages, loaded by the queue alone: a plain download never pays
 * for them. Both are checked before anything is asked of Redis, so that a missing one stops a
 * command before it starts.
 */
export function checkQueuePackages(): void {
  checkInstalled(['bullmq', 'ioredis'], QUEUE_FEATURE);
}

export async function loadBullmq(): Promise<Pick<typeof import('bullmq'), 'Queue' | 'Worker'>> {
  checkQueuePackages();
  const { Queue, Worker } = await import('bullmq');
  return { Queue, Worker };
}

/** How long a short command waits for Redis to answer before it says it cannot reach it. */
const CONNECT_TIMEOUT_MS = 5000;

/**
 * One connection for a command that runs once (enqueue, status, report): it fails at once, with
 * the reason, when Redis is not there, instead of retrying for ever as a worker's does.
 */
export async function openRedis(address: QueueAddress): Promise<Redis> {
  checkQueuePackages();
  const { Redis } = await import('ioredis');
  const redis = new Redis(address.redisUrl, { lazyConnect: true, connectTimeout: CONNECT_TIMEOUT_MS, maxRetriesPerRequest: 1, retryStrategy: () => null });
  // The socket's error says why (ECONNREFUSED); connect() only rejects with "Connection is closed".
  let socketError: unknown;
  redis.on('error', (error) => (socketError = error));
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    redis.disconnect();
    throw new QueueError(`cannot reach the queue at ${address.label}: ${reason(socketError ?? error)}`);
  }
  return redis;
}

/** A worker's connections: they retry for ever (BullMQ needs that of its blocking connection) and come back when Redis does. */
export const lastingConnection = (address: QueueAddress) => ({ url: address.redisUrl, maxRetriesPerRequest: null });

/**
 * A connection error in a few words: `ECONNREFUSED`, or the message. A server there that is not
 * Redis (an HTTP server on the port, say) makes ioredis's parser ask for a bug report: it is said instead.
 */
export const reason = (error: unknown) => {
  // A system error's code says it best (ECONNREFUSED); a numeric one (-1, after a reconnect) says nothing.
  const code: unknown = (error as NodeJS.ErrnoException | null)?.code;
  const words = typeof code === 'string' && code !== '' ? code : error instanceof Error && error.message !== '' ? error.message : String(error);
  const unknownType = /^Unknown RESP type (\d+)/.exec(words);
  if (unknownType === null) return words;
  const answer = JSON.stringify(String.fromCharCode(Number(unknownType[1])));
  return `what answers there is not Redis (its answer began ${answer}${answer === '"H"' ? ', as HTTP does' : ''}): check the host and port`;
};
