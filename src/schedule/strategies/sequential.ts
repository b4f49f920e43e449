import { getItem } from '../get-item.js';
import { RequestLimits } from '../limits.js';
import type { Strategy } from '../../types.js';

/** One item after another on the main thread: the baseline (`--rate` spaces them; `--per-host` cannot bind). */
export const sequential: Strategy = async (items, options, { onResult, onRetry, onBytes, signal }) => {
  const limits = RequestLimits.of(options, signal);
  try {
    for (const item of items) {
      if (signal.aborted) break;
      const result = await getItem({ item, options, cancel: signal, events: { onRetry, onBytes }, gate: limits?.gate });
      if (!limits || limits.finished(result)) onResult(result);
    }
  } finally {
    limits?.close();
  }
  return { threads: 0, workersStarted: 0, workerStartupMs: null, workers: [] };
};
