import { setTimeout as sleep } from 'node:timers/promises';
import type { Attempt } from '../types.js';

/** No wait between attempts is longer, whatever the backoff or the server's Retry-After says. */
export const MAX_WAIT_MS = 5000;

export interface RetryPolicy {
  /** Further attempts after a transient failure. */
  retries: number;
  /** Base of the exponential backoff, in ms. */
  retryDelayMs: number;
}

/** What the retry stage tells its caller before it waits. */
export interface RetryWait {
  /** The attempt that failed, from 1. */
  attempt: number;
  error: string;
  waitMs: number;
}

/**
 * Makes attempts until one ends for good: a success, a final failure, or a transient one with no
 * retries left. Between attempts it waits the server's Retry-After or an exponential backoff with
 * full jitter; Ctrl-C (`cancel`) ends the wait at once. The first attempt costs nothing extra.
 */
export async function withRetries(
  tryOnce: () => Promise<Attempt>,
  policy: RetryPolicy,
  cancel: AbortSignal | undefined,
  onWait: (wait: RetryWait) => void,
): Promise<{ attempt: Attempt; attempts: number }> {
  for (let attempts = 1; ; attempts++) {
    const attempt = await tryOnce();
    if (attempt.transient === undefined || attempts > Math.min(policy.retries, attempt.transient.retries ?? policy.retries)) return { attempt, attempts };
    const waitMs = retryAfterMs(attempt.transient.retryAfter) ?? backoffMs(attempts, policy.retryDelayMs);
    onWait({ attempt: attempts, error: attempt.error ?? attempt.status, waitMs });
    try {
      await sleep(waitMs, undefined, { signal: cancel });
    } catch {
      return { attempt: { status: 'error', bytes: 0, error: 'interrupted' }, attempts };
    }
  }
}

/** Full jitter (uniform in [0, base × 2^(n-1)), capped): retries of many clients spread out instead of arriving together. */
export function backoffMs(failedAttempts: number, baseMs: number, random = Math.random): number {
  return Math.round(random() * Math.min(MAX_WAIT_MS, baseMs * 2 ** (failedAttempts - 1)));
}

/** A Retry-After header (delay in seconds, or an HTTP date) as ms from `now`, capped; undefined when absent or unreadable. */
export function retryAfterMs(header: string | undefined, now = Date.now()): number | undefined {
  if (header === undefined) return undefined;
  const text = header.trim();
  // Date.parse reads '-5' as a year: a date must at least name its month and day.
  const ms = /^\d+$/.test(text) ? Number(text) * 1000 : /[a-z]/i.test(text) ? Date.parse(text) - now : Number.NaN;
  return Number.isNaN(ms) ? undefined : Math.min(MAX_WAIT_MS, Math.max(0, ms));
}
