import { getItem } from '../get-item.js';
import { WorkQueue } from '../partition.js';
import { runSlots } from '../slots.js';
import type { Strategy } from '../types.js';

/** The main thread's event loop alone, with up to `concurrency` requests in flight. */
export const asyncStrategy: Strategy = async (items, options, { onResult, onRetry, onBytes, signal }) => {
  const queue = new WorkQueue(items);
  const next = () => (signal.aborted ? undefined : queue.take());
  await runSlots(options.concurrency, next, (item) => getItem(item, options, signal, { onRetry, onBytes }), onResult);
  return { threads: 0, workersStarted: 0, workerStartupMs: null, workers: [] };
};
