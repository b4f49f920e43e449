import type { Status } from '../types.js';

/**
 * A stretch of time in epoch milliseconds, `performance.timeOrigin + performance.now()` in the
 * thread that took it: every thread has its own time origin, so only this sum puts the spans of
 * different threads on one clock.
 */
export interface Span {
  start: number;
  end: number;
}

/** One item, from its request's start to its file in place. */
export interface FlagSpan extends Span {
  /** What names it: a flag's code, or the file of a list item. */
  cc: string;
  status: Status;
  /** The thread that did it (0: the main thread). */
  thread: number;
  /** The PNG render at the end of the bar, when there was one. */
  render?: Span;
}

/** A worker thread, from its creation to its first request. */
export interface StartupSpan extends Span {
  thread: number;
}

/** What one thread did. */
export interface Lane {
  thread: number;
  /** A pool worker's number, 1..threads, which names its lane (the raw thread id otherwise). */
  worker?: number;
  startup?: Span;
  flags: FlagSpan[];
}

export interface Timeline {
  title: string;
  /** The process start, which is x = 0: the main thread's `performance.timeOrigin`. */
  origin: number;
  lanes: Lane[];
}

export interface Spans {
  flags: readonly FlagSpan[];
  startups: readonly StartupSpan[];
}

/**
 * One lane per thread that has a span, the main thread first, then by worker number (`workers`
 * gives a pool thread's number by its id), else by thread id; flags by start.
 */
export function lanesOf(spans: Spans, workers: ReadonlyMap<number, number> = new Map()): Lane[] {
  const lanes = new Map<number, Lane>();
  const lane = (thread: number) => {
    let found = lanes.get(thread);
    if (!found) {
      const worker = workers.get(thread);
      found = { thread, ...(worker === undefined ? {} : { worker }), flags: [] };
      lanes.set(thread, found);
    }
    return found;
  };
  for (const { thread, start, end } of spans.startups) {
    if (lane(thread).startup) throw new RangeError(`lanesOf: thread ${thread} has two start-up spans`);
    lane(thread).startup = { start, end };
  }
  for (const flag of spans.flags) lane(flag.thread).flags.push(flag);
  for (const { flags } of lanes.values()) flags.sort((a, b) => a.start - b.start);
  // The main thread has no worker number: it goes first as 0.
  const order = (lane: Lane) => (lane.thread === 0 ? 0 : (lane.worker ?? lane.thread));
  return [...lanes.values()].sort((a, b) => order(a) - order(b));
}
