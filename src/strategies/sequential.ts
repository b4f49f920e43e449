import { getFlag } from '../get-flag.js';
import type { Strategy } from '../types.js';

/** One flag after another on the main thread: the baseline. */
export const sequential: Strategy = async (codes, options, { onResult, onRetry, signal }) => {
  for (const cc of codes) {
    if (signal.aborted) break;
    onResult(await getFlag(cc, options, signal, onRetry));
  }
  return { threads: 0, workersStarted: 0, workerStartupMs: null, workers: [] };
};
