import type { Mode, Strategy } from '../../types.js';

/**
 * Each strategy is loaded only when chosen: the threads mode's main thread never needs node-fetch,
 * and every module it skips leaves the CPU to the workers that are starting.
 */
export async function loadStrategy(mode: Mode): Promise<Strategy> {
  switch (mode) {
    case 'sequential':
      return (await import('./sequential.js')).sequential;
    case 'async':
      return (await import('./async.js')).asyncStrategy;
    case 'threads':
      return (await import('./threads.js')).threads;
  }
}
