import { getItem } from '../get-item.js';
import type { Strategy } from '../types.js';

/** One item after another on the main thread: the baseline. */
export const sequential: Strategy = async (items, options, { onResult, onRetry, onBytes, signal }) => {
  for (const item of items) {
    if (signal.aborted) break;
    onResult(await getItem(item, options, signal, { onRetry, onBytes }));
  }
  return { threads: 0, workersStarted: 0, workerStartupMs: null, workers: [] };
};
