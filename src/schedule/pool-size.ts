/** Threads and requests in flight per thread (threads mode) or in all (async), as asked. */
export interface PoolSize {
  threads: number;
  concurrency: number;
}

/**
 * The one place that caps a run's threads and concurrency: never more than the items can fill.
 * (With `--split`, an item's ranges can fill more.) A thread or a slot beyond them would only cost its start-up and sit idle. A run fed as it goes
 * (the queue worker's jobs) cannot know its items: it keeps what it was asked for.
 */
export function poolSize(asked: PoolSize, items: number | 'fed', split = 1): PoolSize {
  if (items === 'fed') return asked;
  // Each item may become `split` ranges, each in a slot of its own, on any thread.
  const work = items * split;
  return { threads: Math.min(asked.threads, work), concurrency: Math.min(asked.concurrency, work) };
}
