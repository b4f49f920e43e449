import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { sha256OfFile } from '../store/checksums.js';
import { downloadItem } from '../fetch/download-item.js';
import { modifiedTime } from '../fetch/existing.js';
import type { RequestGate } from './limits.js';
import { type Rendered, renderStage } from '../render/render-stage.js';
import { whenSent } from '../fetch/request-sent.js';
import { withRetries } from '../fetch/retry.js';
import { rangeRetry } from '../fetch/range-piece.js';
import type { Attempt, FetchOptions, Item, ItemEvents, ItemResult, PieceExchange } from '../types.js';

/** An item to get, in the slot that holds it. */
export interface ItemJob {
  item: Item;
  options: FetchOptions;
  /** Ctrl-C: the request is cut, a wait ends. */
  cancel?: AbortSignal;
  events: ItemEvents;
  /** `--per-host`, `--rate`: leave for each request. */
  gate?: RequestGate;
  /** `--split`: where a big file's ranges are shared with the run's other slots. */
  exchange?: PieceExchange;
}

/**
 * One item from start to end, the same in every strategy and run in the slot that holds it: the
 * existing-file check of `{dest}/{file}` (`--update`, `--skip-existing`), the fetch-and-save
 * routine under the retry stage, then with `--png` the render stage for a file just saved.
 * With `gate` (`--per-host`, `--rate`), each request waits for leave to start and gives its
 * permit back as it ends. Never throws.
 */
export async function getItem({ item, options, cancel, events: { onRetry, onBytes }, gate, exchange }: ItemJob): Promise<ItemResult> {
  const started = performance.now();
  const finish = ({ status, bytes, error, renderMs, renderStartedAt, sha256, finalUrl, ranges }: Rendered, attempts: number): ItemResult => {
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
      ...(finalUrl === undefined ? {} : { finalUrl }),
      ...(ranges === undefined ? {} : { ranges }),
    };
  };
  const since = options.existing === 'replace' ? undefined : await modifiedTime(join(options.dest, item.file), item.sha256);
  if (since !== undefined && options.existing === 'skip') return finish({ status: 'skipped', bytes: 0, ...(await keptDigest(item, options)) }, 0);
  // A stop that comes while a request waits for leave: that request was never made.
  let refused = false;
  // A split's ranges asked for again, over all its attempts: they are the item's requests too.
  let rangeRetries = 0;
  const onRangeRetry = rangeRetry(onRetry);
  const counted = (attempt: Attempt) => {
    rangeRetries += attempt.rangeRetries ?? 0;
    return attempt;
  };
  const request = async (): Promise<Attempt> => {
    if (gate === undefined) return counted(await downloadItem({ item, options, cancel, ifModifiedSince: since, onBytes, exchange, onRangeRetry }));
    if (!(await gate.acquire(item))) {
      refused = true;
      return { status: 'error', bytes: 0, error: 'interrupted' };
    }
    try {
      return counted(
        await whenSent(
          () => gate.sent(item),
          () => downloadItem({ item, options, cancel, ifModifiedSince: since, onBytes, exchange, gate, onRangeRetry }),
        ),
      );
    } finally {
      gate.release(item);
    }
  };
  const { attempt, attempts: tries } = await withRetries(request, options, cancel, (wait) => onRetry({ ...item, thread: threadId, ...wait }));
  const attempts = (refused ? tries - 1 : tries) + rangeRetries;
  if (attempt.status === 'not_modified') return finish({ ...attempt, ...(await keptDigest(item, options)) }, attempts);
  // Only a file saved just now is rendered: one skipped or not modified keeps whatever PNG it has.
  if (attempt.status !== 'ok' || options.png === undefined) return finish(attempt, attempts);
  return finish({ ...(await renderStage(item, attempt, options.png, options, cancel)), finalUrl: attempt.finalUrl, ranges: attempt.ranges }, attempts);
}

/**
 * `--sha256` lists every file of the run: one kept as it was is hashed from disk, in this thread
 * too, unless its `--checksums` line already was (`modifiedTime` keeps only a file that meets it).
 */
async function keptDigest(item: Item, options: FetchOptions): Promise<{ sha256?: string }> {
  if (!options.sha256) return {};
  if (item.sha256 !== undefined) return { sha256: item.sha256 };
  try {
    return { sha256: await sha256OfFile(join(options.dest, item.file)) };
  } catch {
    return {};
  }
}
