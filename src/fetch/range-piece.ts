import { constants } from 'node:fs';
import { threadId } from 'node:worker_threads';
import { type FileHandle, open } from 'node:fs/promises';
import type { Response } from 'node-fetch';
import { bodyChunks, CutShort } from './body-stream.js';
import { contentRange } from './content-range.js';
import { isTransient, printable, reason, TRANSIENT_STATUSES } from './failure.js';
import { idleTimer, type IdleTimer } from './idle-timer.js';
import { latestEvery } from './latest-every.js';
import { drain, get } from './request.js';
import { whenSent } from './request-sent.js';
import { type RetryWait, withRetries } from './retry.js';
import type { RequestGate } from '../schedule/limits.js';
import { RangeSink } from '../store/range-sink.js';
import type { Attempt, FetchOptions, Piece, PieceOutcome, RetryNotice } from '../types.js';

/** What a slot needs to fetch a piece, in any thread. */
export interface PieceJob {
  options: FetchOptions;
  cancel?: AbortSignal;
  onBytes?: (bytes: number) => void;
  /** `--per-host`, `--rate`: every range is a request of its own, and waits for its leave. */
  gate?: RequestGate;
  /** Hears, at most every `WRITTEN_EVERY_MS`, how many bytes from its start the piece has on disk: the split's record keeps them (`--continue`). */
  onWritten?: (piece: Piece, bytes: number) => void;
  /** A request of the piece about to be tried again: told as the item's retry is. */
  onRangeRetry?: (piece: Piece, wait: RetryWait) => void;
}

/** A range about to be asked for again, told as its item's retry is, from the thread that fetches it. */
export const rangeRetry =
  (onRetry: (notice: RetryNotice) => void) =>
  (piece: Piece, wait: RetryWait): void =>
    onRetry({ url: piece.item, file: piece.file, thread: threadId, ...wait });

/** How often a piece's bytes on disk are told: a split's record is kept every few seconds, and each telling may cross two ports. */
export const WRITTEN_EVERY_MS = 500;

/** What a 200 to a range with `If-Range` means. */
export const CHANGED = 'the file changed on the server while its ranges were fetched: If-Range was answered with the whole file';

/**
 * Fetches one piece of a split into its place in the split's temporary file: `Range` for its
 * bytes, `If-Range` with the split's validator. Only a 206 of exactly those bytes of a file of the
 * same length is written; a 200 says the file changed, and ends the split. A transient failure (a
 * reset, a cut body, a timeout, a 5xx) is tried again from the byte it stopped at, with the run's
 * retries and backoff. Never throws.
 */
export async function fetchPiece(piece: Piece, job: PieceJob): Promise<PieceOutcome> {
  let bytes = 0;
  let changed = false;
  const { onWritten } = job;
  const told = onWritten && latestEvery(WRITTEN_EVERY_MS, (written) => onWritten(piece, written));
  const landed = told && ((written: number) => told(bytes + written));
  const once = async (): Promise<Attempt> => {
    const outcome = await pieceOnce({ ...piece, start: piece.start + bytes }, job, landed);
    bytes += outcome.bytes;
    changed ||= outcome.changed === true;
    return outcome.error === undefined ? { status: 'ok', bytes: outcome.bytes } : { status: 'error', bytes: outcome.bytes, error: outcome.error, transient: outcome.transient };
  };
  const { attempt, attempts } = await withRetries(once, job.options, job.cancel, (wait) => job.onRangeRetry?.(piece, wait));
  told?.stop();
  return { bytes, ...(attempt.error === undefined ? {} : { error: attempt.error }), ...(changed ? { changed } : {}), ...(attempts > 1 ? { retries: attempts - 1 } : {}) };
}

/** A piece's one request, through the gate when there is one; `landed` hears its bytes on disk grow. */
async function pieceOnce(
  piece: Piece,
  { options, cancel, onBytes, gate }: PieceJob,
  landed: ((written: number) => void) | undefined,
): Promise<PieceOutcome & { transient?: Attempt['transient'] }> {
  if (gate === undefined) return request(piece, options, cancel, onBytes, landed);
  // Its own key: the item's other ranges hold permits of their own at the same time.
  const key = { url: `${piece.item}#range=${piece.start}`, file: '' };
  if (!(await gate.acquire(key))) return { bytes: 0, error: 'interrupted' };
  try {
    return await whenSent(
      () => gate.sent(key),
      () => request(piece, options, cancel, onBytes, landed),
    );
  } finally {
    gate.release(key);
  }
}

async function request(
  piece: Piece,
  options: FetchOptions,
  cancel: AbortSignal | undefined,
  onBytes: PieceJob['onBytes'],
  landed: ((written: number) => void) | undefined,
): Promise<PieceOutcome & { transient?: Attempt['transient'] }> {
  const asked = `bytes=${piece.start}-${piece.end - 1}`;
  const idle = idleTimer(options.timeoutMs, cancel);
  let file: FileHandle | undefined;
  let sink: RangeSink | undefined;
  try {
    const headers = { 'accept-encoding': 'identity', range: asked, 'if-range': piece.validator };
    const { response } = await get(piece.url, headers, options, idle.signal);
    idle.touch();
    const refused = await refusal(response, piece, asked);
    if (refused !== undefined) return refused;
    file = await open(piece.temp, constants.O_WRONLY | constants.O_NOFOLLOW);
    const writing = new RangeSink(file, piece.start, landed);
    sink = writing;
    await writeRange(response, writing, piece.end - piece.start, idle, onBytes);
    return { bytes: writing.written };
  } catch (error) {
    await sink?.abandon();
    const bytes = sink?.written ?? 0;
    if (idle.timedOut) return { bytes, error: `${asked} timed out after ${options.timeoutMs} ms without data`, transient: {} };
    if (cancel?.aborted) return { bytes, error: 'interrupted' };
    return { bytes, error: `${asked}: ${printable(reason(error))}`, transient: isTransient(error) ? {} : undefined };
  } finally {
    idle.stop();
    await file?.close().catch(() => {});
  }
}

/** Why an answer to a piece's range is not written, or undefined when it is the range asked for, of the same file. */
async function refusal(response: Response, piece: Piece, asked: string): Promise<(PieceOutcome & { transient?: Attempt['transient'] }) | undefined> {
  if (response.status === 206) {
    const header = response.headers.get('content-range');
    const range = contentRange(header);
    if (range !== undefined && range.start === piece.start && range.end === piece.end && range.total === piece.total) return undefined;
    await drain(response);
    return { bytes: 0, error: `HTTP 206 for ${JSON.stringify(header)}, not the ${asked}/${piece.total} asked for` };
  }
  await drain(response);
  if (response.status === 200) return { bytes: 0, error: CHANGED, changed: true };
  const transient = TRANSIENT_STATUSES.has(response.status) ? { retryAfter: response.headers.get('retry-after') ?? undefined } : undefined;
  return { bytes: 0, error: `HTTP ${response.status} to ${asked}`, transient };
}

/**
 * Writes `length` bytes of `response`'s body through `sink`: all of them, or a `CutShort`. The
 * first piece reads them from the split's first answer, which goes on past them (`rest: 'drop'`):
 * there the rest is dropped, with its connection. A piece's own answer is read to its end, which
 * keeps its connection for the next request.
 */
export async function writeRange(
  response: Response,
  sink: RangeSink,
  length: number,
  idle: IdleTimer,
  onBytes: PieceJob['onBytes'],
  rest: 'drop' | 'none' = 'none',
): Promise<void> {
  let left = length;
  const received = (bytes: number) => {
    idle.touch();
    onBytes?.(Math.min(bytes, Math.max(0, left)));
  };
  for await (const chunk of bodyChunks(response, Number.POSITIVE_INFINITY, received)) {
    const wanted = chunk.length <= left ? chunk : chunk.subarray(0, left);
    left -= wanted.length;
    await sink.write(wanted);
    if (left === 0 && rest === 'drop') break;
  }
  await sink.end();
  if (left > 0) throw new CutShort(`body cut short (${length - left} of ${length} bytes)`);
}
