import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { sha256OfFile } from './checksums.js';
import { downloadItem } from './download.js';
import { modifiedTime } from './existing.js';
import { type Rendered, renderStage } from './render-stage.js';
import { withRetries } from './retry.js';
import type { FetchOptions, Item, ItemEvents, ItemResult } from './types.js';

/**
 * One item from start to end, the same in every strategy and run in the slot that holds it: the
 * existing-file check of `{dest}/{file}` (`--update`, `--skip-existing`), the fetch-and-save
 * routine under the retry stage, then with `--png` the render stage for a file just saved.
 * Never throws.
 */
export async function getItem(item: Item, options: FetchOptions, cancel: AbortSignal | undefined, { onRetry, onBytes }: ItemEvents): Promise<ItemResult> {
  const started = performance.now();
  const finish = ({ status, bytes, error, renderMs, renderStartedAt, sha256 }: Rendered, attempts: number): ItemResult => {
    const ended = performance.now();
    return {
      ...item,
      status,
      bytes,
      // Each thread's own clock plus its origin: the one sum that puts every thread's items on one
      // time line. Unrounded, so that an item that starts as the last one ends never seems to overlap it.
      startedAt: performance.timeOrigin + started,
      ms: Math.round(ended - started),
      endedAt: performance.timeOrigin + ended,
      thread: threadId,
      attempts,
      ...(renderMs === undefined ? {} : { renderMs, renderStartedAt }),
      ...(error === undefined ? {} : { error }),
      ...(sha256 === undefined ? {} : { sha256 }),
    };
  };
  const since = options.existing === 'replace' ? undefined : await modifiedTime(join(options.dest, item.file));
  if (since !== undefined && options.existing === 'skip') return finish({ status: 'skipped', bytes: 0, ...(await keptDigest(item, options)) }, 0);
  const { attempt, attempts } = await withRetries(
    () => downloadItem(item, options, cancel, since, onBytes),
    options,
    cancel,
    (wait) => onRetry({ ...item, thread: threadId, ...wait }),
  );
  if (attempt.status === 'not_modified') return finish({ ...attempt, ...(await keptDigest(item, options)) }, attempts);
  // Only a file saved just now is rendered: one skipped or not modified keeps whatever PNG it has.
  if (attempt.status !== 'ok' || options.png === undefined) return finish(attempt, attempts);
  return finish(await renderStage(item, attempt, options.png, options, cancel), attempts);
}

/** `--sha256` lists every file of the run: one kept as it was is hashed from disk, in this thread too. */
async function keptDigest(item: Item, options: FetchOptions): Promise<{ sha256?: string }> {
  if (!options.sha256) return {};
  try {
    return { sha256: await sha256OfFile(join(options.dest, item.file)) };
  } catch {
    return {};
  }
}
