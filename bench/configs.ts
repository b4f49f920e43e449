import type { RunConfig } from '../src/compare/plan.js';
import type { Partition } from '../src/types.js';

export const sequentialConfig: RunConfig = { mode: 'sequential', threads: 0, concurrency: 1, partition: 'dynamic' };

export function asyncConfig(inFlight: number): RunConfig {
  return { mode: 'async', threads: 0, concurrency: inFlight, partition: 'dynamic' };
}

export function threadsConfig(threads: number, concurrency = 1, partition: Partition = 'dynamic'): RunConfig {
  return { mode: 'threads', threads, concurrency, partition };
}

/** Every way to split `inFlight` requests into threads × requests per thread, fewest threads first. */
export function splitsOf(inFlight: number): RunConfig[] {
  return Array.from({ length: inFlight }, (_, index) => index + 1)
    .filter((threads) => inFlight % threads === 0)
    .map((threads) => threadsConfig(threads, inFlight / threads));
}
