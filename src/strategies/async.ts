import { getFlag } from '../get-flag.js';
import { WorkQueue } from '../partition.js';
import { runSlots } from '../slots.js';
import type { Strategy } from '../types.js';

/** The main thread's event loop alone, with up to `concurrency` requests in flight. */
export const asyncStrategy: Strategy = async (codes, options, { onResult, onRetry, signal }) => {
  const queue = new WorkQueue(codes);
  const next = () => (signal.aborted ? undefined : queue.take());
  await runSlots(options.concurrency, next, (cc) => getFlag(cc, options, signal, onRetry), onResult);
  return { threads: 0, workersStarted: 0, workerStartupMs: null, workers: [] };
};
