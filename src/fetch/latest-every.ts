/** A value told at most every `ms`; one that came between is told at the end of its wait, so the last is never lost. */
export interface LatestEvery {
  (value: number): void;
  /** Nothing more to tell: a value still waiting is dropped (its news comes another way, as an outcome). */
  stop(): void;
}

export function latestEvery(ms: number, tell: (value: number) => void): LatestEvery {
  let toldAt = Number.NEGATIVE_INFINITY;
  let waiting: NodeJS.Timeout | undefined;
  let latest = 0;
  const now = () => {
    waiting = undefined;
    toldAt = performance.now();
    tell(latest);
  };
  const offer = (value: number) => {
    latest = value;
    if (waiting !== undefined) return;
    const left = toldAt + ms - performance.now();
    if (left <= 0) now();
    // Unref'd: a wait must not hold a run open that has nothing else to do.
    else waiting = setTimeout(now, left).unref();
  };
  return Object.assign(offer, { stop: () => clearTimeout(waiting) });
}
