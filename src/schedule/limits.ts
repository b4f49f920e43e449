import { MAX_DURATION_MS } from '../options/checks.js';
import type { WorkQueue } from './partition.js';
import type { Item, ItemResult } from '../types.js';

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
 * that much credit, instead of losing it.
 */
export const burstOf = (rate: number) => Math.max(1, Math.ceil(rate / 10));

/**
 * The window in which the server sees at most `rate` requests (rounded up): one second, or the
 * time of one request when that is longer (at 0.5 a second, one request in any 2 s).
 */
export const windowOf = (rate: number) => {
  const ms = Math.max(1000, 1000 / rate);
  return { ms, most: Math.ceil((rate * ms) / 1000) };
};

/** Leave to make each request of an item, the first and every retry: a retry is a new request. */
export interface RequestGate {
  /** Waits for leave to make the item's next request; false when the run was stopped meanwhile. */
  acquire(item: Item): Promise<boolean>;
  /** The request is on the wire: from now its rate token counts in the window of what the server saw. */
  sent(item: Item): void;
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
  readonly #window: { ms: number; most: number } | undefined;
  #tokens: number;
  /** Requests given a token and not yet on the wire, by URL. */
  readonly #unsent = new Set<string>();
  /** When the requests of the last window went on the wire, oldest first. */
  #sentAt: number[] = [];
  #refilledAt = performance.now();
  #timer: NodeJS.Timeout | undefined;
  readonly #inFlight = new Map<string, number>();
  /** The URLs holding a permit now: a list has each URL once, and an item makes one request at a time. */
  readonly #held = new Map<string, string>();
  #waiters: Waiter[] = [];
  #serving = false;
  #again = false;
  /** A waiter of the last pass lacked a token or a place in the window: the rate, not a host, holds it. */
  #rateBlocked = false;
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
    this.#window = rate === undefined ? undefined : windowOf(rate);
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
        if (!this.#hasToken() || !this.#windowHasRoom()) {
          this.#rateBlocked = true;
          return false;
        }
        if (!(holds || this.#hasRoom(originOf(url)))) return false;
        if (!holds) this.#hold(url);
        if (this.#rate !== undefined) {
          this.#tokens -= 1;
          this.#unsent.add(url);
        }
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

  /** The request of `url` is on the wire: its token now counts from this moment in the window. */
  sent(url: string): void {
    if (this.#markSent(url)) this.#serve();
  }

  /** Moves `url`'s token from not yet sent to sent now; false when it held none. */
  #markSent(url: string): boolean {
    if (!this.#unsent.delete(url)) return false;
    this.#sentAt.push(performance.now());
    return true;
  }

  /** Gives back the permit `url` holds, if it holds one. */
  release(url: string): void {
    // A request that ended without going out (a refused connection) counts as sent now: the later is the safer.
    const marked = this.#markSent(url);
    const origin = this.#held.get(url);
    if (origin === undefined) {
      if (marked) this.#serve();
      return;
    }
    this.#held.delete(url);
    this.#inFlight.set(origin, this.#inFlight.get(origin)! - 1);
    this.#stuck.clear();
    this.#serve();
  }

  /** The gate of the requests made on the main thread (async and sequential modes). */
  readonly gate: RequestGate = {
    acquire: (item) => new Promise((resolve) => this.acquire(item.url, resolve)),
    sent: (item) => this.sent(item.url),
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
    // A grant may call back in (a request sent or ended at once): once this pass is over, another.
    if (this.#serving) {
      this.#again = true;
      return;
    }
    this.#serving = true;
    try {
      do {
        this.#again = false;
        this.#servePass();
      } while (this.#again);
    } finally {
      this.#serving = false;
    }
  }

  #servePass(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#rateBlocked = false;
    // Taken out while granting: a grant that asks again at once is added behind them, not lost.
    const waiting = this.#waiters;
    this.#waiters = [];
    const still = waiting.filter((waiter) => {
      // An empty queue is answered at once, stuck or not: the slot has nothing left to wait for.
      if (waiter.queue !== undefined && waiter.queue.size > 0 && this.#stuck.has(waiter.queue)) return true;
      if (waiter.tryNow()) return false;
      if (waiter.queue !== undefined) this.#stuck.add(waiter.queue);
      return true;
    });
    this.#waiters = [...still, ...this.#waiters];
    // A window full of requests not yet on the wire opens when one goes out (`sent`), not on a timer.
    if (this.#rateBlocked && (this.#windowHasRoom() || this.#sentAt.length > 0)) {
      const forToken = this.#hasToken() ? 0 : ((1 - this.#tokens) / this.#rate!) * 1000;
      const forWindow = this.#windowHasRoom() ? 0 : this.#sentAt[0]! + this.#window!.ms - performance.now();
      // At least 1 ms: a token that came while this pass ran is taken by the next one. Past Node's
      // longest timer it would fire at once: a very low rate waits in several steps.
      const ms = Math.min(MAX_DURATION_MS, Math.max(1, Math.ceil(Math.max(forToken, forWindow))));
      this.#timer = setTimeout(() => this.#serve(), ms);
    }
  }

  /**
   * The bucket spaces the grants, but a request goes out later than its grant, by however long its
   * thread takes to send it (a new connection, code compiled on first use, a thread still starting):
   * the first requests of a run, late, would reach the server together with the next ones. So the
   * server's own view is capped too: a request counts in the window from its grant until a window
   * after it went out, and a window never holds more than the rate.
   */
  #windowHasRoom(): boolean {
    if (this.#window === undefined) return true;
    const since = performance.now() - this.#window.ms;
    const expired = this.#sentAt.findIndex((at) => at > since);
    this.#sentAt = expired === -1 ? [] : this.#sentAt.slice(expired);
    return this.#unsent.size + this.#sentAt.length < this.#window.most;
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
