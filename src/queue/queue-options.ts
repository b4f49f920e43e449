import { limitOptions } from '../options/definitions.js';

/** `--queue`, which every queue command takes. */
export const queueOption = {
  queue: { type: 'string', requiresArg: true, describe: 'The queue: redis://HOST:PORT/NAME (default: the FLAGS_QUEUE environment variable)' },
} as const;

/** `--rate`, checked as a local run's, but one limit for the whole queue (BullMQ's limiter), whatever the number of workers. */
export const rateOption = {
  rate: {
    ...limitOptions.rate,
    describe: 'Start at most this many jobs per second over all workers together, e.g. 20 or 0.5 (retries inside a job come on top) [number]',
  },
} as const;

/** `--per-host`, checked as a local run's; on a queue it holds in each worker, not across them. */
export const perHostOption = {
  'per-host': {
    ...limitOptions['per-host'],
    describe: 'At most this many requests in flight to one host in each worker (not across workers: W workers, W times it) [number]',
  },
} as const;

/** BullMQ's limiter for `rate` jobs a second: whole jobs per window, the window stretched to fit (0.5: 1 job per 2 s). */
export function limiterFor(rate: number): { max: number; duration: number } {
  const max = Math.max(1, Math.ceil(rate));
  return { max, duration: Math.round((max / rate) * 1000) };
}
