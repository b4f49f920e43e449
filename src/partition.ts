import type { Partition } from './types.js';

/** Codes waiting to be handed to a worker. Several tasks may share one queue. */
export class CodeQueue {
  readonly #codes: string[];
  constructor(codes: Iterable<string> = []) {
    this.#codes = [...codes].reverse();
  }
  take(): string | undefined {
    return this.#codes.pop();
  }
  /** Puts codes back in front, to be taken next (a failed worker's unfinished codes). */
  putBack(codes: Iterable<string>): void {
    this.#codes.push(...[...codes].reverse());
  }
  drain(): string[] {
    return this.#codes.splice(0).reverse();
  }
  get size(): number {
    return this.#codes.length;
  }
}

/** Contiguous slices whose sizes differ by at most one. */
export function chunks(codes: readonly string[], parts: number): string[][] {
  const base = Math.floor(codes.length / parts);
  const extra = codes.length % parts;
  const slices: string[][] = [];
  for (let part = 0, start = 0; part < parts; part++) {
    const size = base + (part < extra ? 1 : 0);
    slices.push(codes.slice(start, start + size));
    start += size;
  }
  return slices;
}

/** Code i goes to part i mod parts. */
export function roundRobin(codes: readonly string[], parts: number): string[][] {
  return Array.from({ length: parts }, (_, part) => codes.filter((_, index) => index % parts === part));
}

/**
 * One queue per worker task. `chunks` and `round-robin` fix each task's share up front; `dynamic`
 * gives every task the same queue, so codes go to whichever worker asks first and a worker that
 * starts late (or is slow) simply takes fewer.
 */
export function queuesFor(codes: readonly string[], parts: number, partition: Partition): CodeQueue[] {
  if (partition === 'dynamic') {
    const shared = new CodeQueue(codes);
    return Array.from({ length: parts }, () => shared);
  }
  const split = partition === 'chunks' ? chunks(codes, parts) : roundRobin(codes, parts);
  return split.map((share) => new CodeQueue(share));
}
