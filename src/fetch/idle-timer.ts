/** A request's one abort signal, and whether it was the idle time that fired it. */
export interface IdleTimer {
  signal: AbortSignal;
  readonly timedOut: boolean;
  /** Data came: the wait starts again. */
  touch(): void;
  stop(): void;
}

/**
 * One signal for the request: aborted `ms` after the last `touch`, or when `cancel` is. A listener
 * on `cancel` rather than `AbortSignal.any`, which costs every request a signal and weak references.
 */
export function idleTimer(ms: number, cancel: AbortSignal | undefined): IdleTimer {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, ms);
  const cancelled = () => controller.abort();
  if (cancel?.aborted) controller.abort();
  else cancel?.addEventListener('abort', cancelled, { once: true });
  return {
    signal: controller.signal,
    get timedOut() {
      return timedOut;
    },
    touch: () => void timer.refresh(),
    stop: () => {
      clearTimeout(timer);
      cancel?.removeEventListener('abort', cancelled);
    },
  };
}
