import { seededDraws } from '../server/seeded.js';

/** Middle value of the samples (mean of the two middle ones for an even count). */
export function median(samples: number[]): number {
  if (samples.length === 0) throw new RangeError('median: no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export interface Summary {
  median: number;
  min: number;
  max: number;
  n: number;
}

/** Median with the spread around it: repeated timings are reported this way because one slow outlier must not move the result. */
export function summarize(samples: number[]): Summary {
  if (samples.length === 0) throw new RangeError('summarize: no samples');
  return {
    median: median(samples),
    min: Math.min(...samples),
    max: Math.max(...samples),
    n: samples.length,
  };
}

/**
 * The fastest any client could fetch `flags` files when the server answers each
 * request after `latencyMs` and at most `inFlight` requests are outstanding:
 * the downloads go in full rounds, and the last round costs as much as a full one.
 */
export function lowerBoundMs(flags: number, inFlight: number, latencyMs: number): number {
  if (!Number.isInteger(inFlight) || inFlight < 1) {
    throw new RangeError(`lowerBoundMs: inFlight must be a positive whole number, got ${inFlight}`);
  }
  return Math.ceil(flags / inFlight) * latencyMs;
}

/** Share of the ideal reached: 1 means the run took exactly the lower bound, 0.5 twice as long. */
export function efficiency(boundMs: number, measuredMs: number): number {
  if (!(measuredMs > 0)) throw new RangeError(`efficiency: measured time must be positive, got ${measuredMs}`);
  return boundMs / measuredMs;
}

/**
 * Thread counts to try when none are given: doublings, because the gain of each
 * step shrinks and a log scale shows it best, ending on the largest useful count
 * (more threads than flags would sit idle).
 */
export function defaultLadder(flags: number, cap = 64): number[] {
  const top = Math.min(flags, cap);
  if (!Number.isInteger(top) || top < 1) {
    throw new RangeError(`defaultLadder: need at least one flag and a cap of at least 1, got ${flags} and ${cap}`);
  }
  const ladder: number[] = [];
  for (let count = 1; count <= top; count *= 2) ladder.push(count);
  if (ladder.at(-1) !== top) ladder.push(top);
  return ladder;
}

/**
 * Every config once per pass, `repeat` passes, each pass in an order of its own (a seeded
 * shuffle: the same on every call), so that a machine that warms up or gets busier part-way
 * affects all configs alike, and so does what a run leaves for the one after it: in one fixed
 * order the first config always follows the last, and a flags run straight after a peer's took
 * 0.4-0.5 s longer on a 1 GiB file than one after another flags run (bench/results/order-effect/).
 */
export function interleave<T>(configs: T[], repeat: number): T[] {
  if (!Number.isInteger(repeat) || repeat < 0) {
    throw new RangeError(`interleave: repeat must be a whole number, got ${repeat}`);
  }
  return Array.from({ length: repeat }).flatMap((_, pass) => shuffled(configs, seededDraws(0, 'interleave', pass)));
}

/** Fisher-Yates over a copy. */
function shuffled<T>(items: readonly T[], draw: () => number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(draw() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

/** Median of the figures that are there (a run may lack one, e.g. no worker start-up); null when none is. */
export function medianOfPresent(values: readonly (number | null | undefined)[]): number | null {
  const present = values.filter((value): value is number => typeof value === 'number');
  return present.length > 0 ? median(present) : null;
}
