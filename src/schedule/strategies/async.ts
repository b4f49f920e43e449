import { getItem } from '../get-item.js';
import { RequestLimits } from '../limits.js';
import { WorkQueue } from '../partition.js';
import { runSlots } from '../slots.js';
import type { Strategy } from '../../types.js';

/** The main thread's event loop alone, with up to `concurrency` requests in flight (and within `--per-host` and `--rate`). */
export const asyncStrategy: Strategy = async (items, options, { onResult, onRetry, onBytes, signal }) => {
  const queue = new WorkQueue(items);
  const limits = RequestLimits.of(options, signal);
  const next = () => (limits ? limits.next(queue) : signal.aborted ? undefined : queue.take());
  try {
    await runSlots({
      concurrency: options.concurrency,
      next,
      download: (item) => getItem({ item, options, cancel: signal, events: { onRetry, onBytes }, gate: limits?.gate }),
      onResult: (result) => {
        if (!limits || limits.finished(result)) onResult(result);
      },
    });
  } finally {
    limits?.close();
  }
  return { threads: 0, workersStarted: 0, workerStartupMs: null, workers: [] };
};
