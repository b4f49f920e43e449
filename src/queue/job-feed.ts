import type { WorkSource } from '../schedule/partition.js';

/**
 * The queue worker's jobs on their way to the pool: `push` adds one as BullMQ hands it over, a pool
 * slot's `take` waits for one while none is here, and `end` sends every waiting slot home.
 */
export class JobFeed<T> implements WorkSource<T> {
  readonly #ready: T[] = [];
  readonly #waiting: ((work: T | undefined) => void)[] = [];
  #open = true;

  /** Hands `work` to the slot that has waited longest, or keeps it for the next `take`. */
  push(work: T): void {
    const waiting = this.#waiting.shift();
    if (waiting) waiting(work);
    else this.#ready.push(work);
  }

  take(): T | undefined | Promise<T | undefined> {
    if (this.#ready.length > 0) return this.#ready.shift();
    if (!this.#open) return undefined;
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  putBack(work: Iterable<T>): void {
    for (const one of work) this.push(one);
  }

  drain(): T[] {
    return this.#ready.splice(0);
  }

  /** What is here, plus one while more may come: a pool ends its tasks only once this is 0. */
  get size(): number {
    return this.#ready.length + (this.#open ? 1 : 0);
  }

  /** No more work: the slots waiting get none, and so will every later `take` once the rest is taken. */
  end(): void {
    this.#open = false;
    for (const waiting of this.#waiting.splice(0)) waiting(undefined);
  }
}
