import { MAX_DURATION_MS } from './numbers.js';
import type { WorkQueue } from './partition.js';
import type { Item, ItemResult } from './types.js';

/** `--per-host` and `--rate`: how hard a run may press on servers, whatever its threads and concurrency. */
export interface LimitOptions {
  /** Requests in flight to one origin (scheme, host and port) at most, across all threads. */
  perHost?: number;
  /** Requests started per second at most, across all threads. */
  rate?: number;
}

/**
 * The rate's bucket holds a tenth of a second's worth of requests, at least one: the first
 * `burstOf(rate)` requests start at once, then one every 1/rate s. A timer that fires late keeps
 * that much credit, instead of losing it; any window of one second sees at most rate + burst starts.
 */
export const burstOf = (rate: number) => Math.max(1, Math.ceil(rate / 10));

/** Leave to make each request of an item, the first and every retry: a retry is a new request. */
export interface RequestGate {
  /** Waits for leave to make the item's next request; false when the run was stopped meanwhile. */
  acquire(item: Item): Promise<boolean>;
  /** The request is over (its body saved or failed): the permit goes back. */
  release(item: Item): void;
}

/** A request waiting for a permit: `tryNow` grants it and says true, or says false and it waits on. */
interface Waiter {
  owner: unknown;
  queue?: WorkQueue<Item>;
  tryNow(): boolean;
  /** The run stopped, or its holder went away: answer without a permit. */
  drop(): void;
}

/**
 * Leave to make requests, given out on the main thread alone: a permit per request in flight to an
 * origin (`perHost`), a token per request started (`rate`).
 *
 * The permit comes with the item: a slot is handed only an item whose origin has room, its first
 * request's permit taken, so that no slot holds a URL it may not start and another origin's item
 * goes ahead of one whose origin is full. The token is taken as each request starts (`acquire`),
 * not when its item is handed out: a worker thread still starting, or busy rendering a PNG, would
 * send the requests it was handed late and together, closer than the bucket allowed. A retry
 * asks for both.
 *
 * Waiters are served in the order they asked. Stopping the run answers every waiter at once and
 * clears the bucket's timer: nothing keeps the process alive after the run.
 */
export class RequestLimits {
  readonly #perHost: number;
  readonly #rate: number | undefined;
  readonly #burst: number;
  #tokens: number;
  #refilledAt = performance.now();
  #timer: NodeJS.Timeout | undefined;
  readonly #inFlight = new Map<string, number>();
  /** The URLs holding a permit now: a list has each URL once, and an item makes one request at a time. */
  readonly #held = new Map<string, string>();
  #waiters: Waiter[] = [];
  /**
   * Queues searched in vain since the last permit came back: every item's origin was full, and
   * stays full until one does. A list of 100 000 URLs of one full host is not searched at every ask.
   */
  readonly #stuck = new Set<WorkQueue<Item>>();
  readonly #signal: AbortSignal;

  /** Limits for a run, or undefined when it has none. */
  static of(options: LimitOptions, signal: AbortSignal): RequestLimits | undefined {
    return options.perHost === undefined && options.rate === undefined ? undefined : new RequestLimits(options, signal);
  }

  constructor({ perHost, rate }: LimitOptions, signal: AbortSignal) {
    this.#perHost = perHost ?? Number.POSITIVE_INFINITY;
    this.#rate = rate;
    this.#burst = rate === undefined ? 0 : burstOf(rate);
    this.#tokens = this.#burst;
    this.#signal = signal;
    signal.addEventListener('abort', this.close, { once: true });
  }

  /**
   * Hands `grant` the first item of `queue` whose origin has room, its first request's permit
   * taken, at once or when one has; `undefined` when the queue is empty, the run stops, or `owner`
   * is withdrawn.
   */
  take(queue: WorkQueue<Item>, grant: (item: Item | undefined) => void, owner?: unknown): void {
    this.#wait({
      owner,
      queue,
      tryNow: () => {
        if (queue.size === 0) {
          grant(undefined);
          return true;
        }
        const item = queue.takeFirst((candidate) => this.#hasRoom(originOf(candidate.url)));
        if (item === undefined) return false;
        this.#hold(item.url);
        grant(item);
        return true;
      },
      drop: () => grant(undefined),
    });
  }

  /**
   * Hands `grant` true once the item at `url` may start a request: a token taken, and a permit
   * unless it holds one (its first request's); false if the run stops or `owner` is withdrawn.
   */
  acquire(url: string, grant: (granted: boolean) => void, owner?: unknown): void {
    this.#wait({
      owner,
      tryNow: () => {
        const holds = this.#held.has(url);
        if (!this.#hasToken() || !(holds || this.#hasRoom(originOf(url)))) return false;
        if (!holds) this.#hold(url);
        if (this.#rate !== undefined) this.#tokens -= 1;
        grant(true);
        return true;
      },
      drop: () => grant(false),
    });
  }

  /** Answers the asks of `owner` (a pool task whose worker went away) without a permit. */
  withdraw(owner: unknown): void {
    const gone = this.#waiters.filter((waiter) => waiter.owner === owner);
    this.#waiters = this.#waiters.filter((waiter) => waiter.owner !== owner);
    for (const waiter of gone) waiter.drop();
  }

  /** Gives back the permit `url` holds, if it holds one. */
  release(url: string): void {
    const origin = this.#held.get(url);
    if (origin === undefined) return;
    this.#held.delete(url);
    this.#inFlight.set(origin, this.#inFlight.get(origin)! - 1);
    this.#stuck.clear();
    this.#serve();
  }

  /** The gate of the requests made on the main thread (async and sequential modes). */
  readonly gate: RequestGate = {
    acquire: (item) => new Promise((resolve) => this.acquire(item.url, resolve)),
    release: (item) => this.release(item.url),
  };

  /** A slot's next item on the main thread, with its first permit. */
  next(queue: WorkQueue<Item>): Promise<Item | undefined> {
    return new Promise((resolve) => this.take(queue, resolve));
  }

  /**
   * An item is done: a permit it still holds goes back (an item kept by `--skip-existing` makes no
   * request). False for an item that the run's stop caught before its first request: it was not
   * attempted, and is not reported.
   */
  finished(result: ItemResult): boolean {
    this.release(result.url);
    return !(result.status === 'error' && result.attempts === 0);
  }

  /** Answers every waiter without a permit and stops the bucket's timer. */
  readonly close = (): void => {
    this.#signal.removeEventListener('abort', this.close);
    clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const waiter of this.#waiters.splice(0)) waiter.drop();
  };

  #wait(waiter: Waiter): void {
    if (this.#signal.aborted) {
      waiter.drop();
      return;
    }
    this.#waiters.push(waiter);
    this.#serve();
  }

  /** Grants what can be granted now, in the order asked. */
  #serve(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#waiters = this.#waiters.filter((waiter) => {
      // An empty queue is answered at once, stuck or not: the slot has nothing left to wait for.
      if (waiter.queue !== undefined && waiter.queue.size > 0 && this.#stuck.has(waiter.queue)) return true;
      if (waiter.tryNow()) return false;
      if (waiter.queue !== undefined) this.#stuck.add(waiter.queue);
      return true;
    });
    if (this.#rate !== undefined && this.#waiters.length > 0 && !this.#hasToken()) {
      // Past Node's longest timer it would fire at once: a very low rate waits in several steps.
      const ms = Math.min(MAX_DURATION_MS, Math.ceil(((1 - this.#tokens) / this.#rate) * 1000));
      this.#timer = setTimeout(() => this.#serve(), ms);
    }
  }

  #hasToken(): boolean {
    if (this.#rate === undefined) return true;
    const now = performance.now();
    this.#tokens = Math.min(this.#burst, this.#tokens + ((now - this.#refilledAt) / 1000) * this.#rate);
    this.#refilledAt = now;
    return this.#tokens >= 1;
  }

  #hasRoom(origin: string): boolean {
    return (this.#inFlight.get(origin) ?? 0) < this.#perHost;
  }

  #hold(url: string): void {
    const origin = originOf(url);
    this.#held.set(url, origin);
    this.#inFlight.set(origin, (this.#inFlight.get(origin) ?? 0) + 1);
  }
}

/** What `--per-host` counts by: scheme, host and port (a default port is the same origin as none). */
const originOf = (url: string) => new URL(url).origin;
