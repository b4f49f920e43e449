import type { Partition } from '../types.js';

/**
 * Where a pool task takes its work from: a list known up front (`WorkQueue`), or a feed whose
 * `take` may wait for work to arrive (the queue worker's jobs). `size` is never 0 while more may come.
 */
export interface WorkSource<T> {
  take(): T | undefined | Promise<T | undefined>;
  putBack(work: Iterable<T>): void;
  drain(): T[];
  readonly size: number;
}

/** Work waiting to be handed to a worker, in order. Several tasks may share one queue. */
export class WorkQueue<T> implements WorkSource<T> {
  readonly #work: T[];
  constructor(work: Iterable<T> = []) {
    this.#work = [...work].reverse();
  }
  take(): T | undefined {
    return this.#work.pop();
  }
  /** The first item that `fits`, taken out of turn: those before it wait on. */
  takeFirst(fits: (work: T) => boolean): T | undefined {
    for (let index = this.#work.length - 1; index >= 0; index--) {
      if (fits(this.#work[index]!)) return this.#work.splice(index, 1)[0];
    }
    return undefined;
  }
  /** Puts work back in front, to be taken next (a failed worker's unfinished items). */
  putBack(work: Iterable<T>): void {
    this.#work.push(...[...work].reverse());
  }
  drain(): T[] {
    return this.#work.splice(0).reverse();
  }
  get size(): number {
    return this.#work.length;
  }
}

/** Contiguous slices whose sizes differ by at most one. */
export function chunks<T>(codes: readonly T[], parts: number): T[][] {
  const base = Math.floor(codes.length / parts);
  const extra = codes.length % parts;
  const slices: T[][] = [];
  for (let part = 0, start = 0; part < parts; part++) {
    const size = base + (part < extra ? 1 : 0);
    slices.push(codes.slice(start, start + size));
    start += size;
  }
  return slices;
}

/** Item i goes to part i mod parts. */
export function roundRobin<T>(codes: readonly T[], parts: number): T[][] {
  return Array.from({ length: parts }, (_, part) => codes.filter((_, index) => index % parts === part));
}

/**
 * One queue per worker task. `chunks` and `round-robin` fix each task's share up front; `dynamic`
 * gives every task the same queue, so items go to whichever worker asks first and a worker that
 * starts late (or is slow) simply takes fewer.
 */
export function queuesFor<T>(codes: readonly T[], parts: number, partition: Partition): WorkQueue<T>[] {
  if (partition === 'dynamic') {
    const shared = new WorkQueue(codes);
    return Array.from({ length: parts }, () => shared);
  }
  const split = partition === 'chunks' ? chunks(codes, parts) : roundRobin(codes, parts);
  return split.map((share) => new WorkQueue(share));
}
