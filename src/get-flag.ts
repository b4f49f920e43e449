import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { downloadFlag } from './download.js';
import { modifiedTime } from './existing.js';
import { type Rendered, renderStage } from './render-stage.js';
import { withRetries } from './retry.js';
import type { FetchOptions, ItemResult, RetryNotice } from './types.js';

/**
 * One flag from start to end, the same in every strategy and run in the slot that holds the code:
 * the existing-file check (`--update`, `--skip-existing`), the fetch-and-save routine under the
 * retry stage, then with `--png` the render stage for a flag just saved. Never throws.
 */
export async function getFlag(cc: string, options: FetchOptions, cancel: AbortSignal | undefined, onRetry: (notice: RetryNotice) => void): Promise<ItemResult> {
  const started = performance.now();
  const finish = ({ status, bytes, error, renderMs }: Rendered, attempts: number): ItemResult => ({
    cc,
    status,
    bytes,
    // Each thread's own clock plus its origin: the one sum that puts every thread's flags on one time line.
    startedAt: performance.timeOrigin + started,
    ms: Math.round(performance.now() - started),
    thread: threadId,
    attempts,
    ...(renderMs === undefined ? {} : { renderMs }),
    ...(error === undefined ? {} : { error }),
  });
  const since = options.existing === 'replace' ? undefined : await modifiedTime(join(options.dest, `${cc}.${options.ext}`));
  if (since !== undefined && options.existing === 'skip') return finish({ status: 'skipped', bytes: 0 }, 0);
  const { attempt, attempts } = await withRetries(
    () => downloadFlag(cc, options, cancel, since),
    options,
    cancel,
    (wait) => onRetry({ cc, thread: threadId, ...wait }),
  );
  // Only a flag saved just now is rendered: one skipped or not modified keeps whatever PNG it has.
  if (attempt.status !== 'ok' || options.png === undefined) return finish(attempt, attempts);
  return finish(await renderStage(cc, attempt, options.png, options, cancel), attempts);
}
