import { wholeNumber } from '../numbers.js';

/** `--queue`, which every queue command takes. */
export const queueOption = {
  queue: { type: 'string', requiresArg: true, describe: 'The queue: redis://HOST:PORT/NAME (default: the FLAGS_QUEUE environment variable)' },
} as const;

/** `--rate`: BullMQ's limiter, one for the whole queue, whatever the number of workers. */
export const rateOption = {
  rate: {
    requiresArg: true,
    coerce: wholeNumber('rate'),
    describe: 'Start at most this many jobs per second over all workers together (retries inside a job are not counted) [number]',
  },
} as const;
