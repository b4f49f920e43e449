import { type FileHandle, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import type { Readable } from 'node:stream';
import type { Response } from 'node-fetch';
import { printable, reason } from './failure.js';
import type { IdleTimer } from './idle-timer.js';
import { place, saving, validDate } from './place.js';
import { fetchPiece, type PieceJob, writeRange } from './range-piece.js';
import { redact } from '../report/redact.js';
import { openPart } from '../store/body-sink.js';
import { sha256OfFile } from '../store/checksums.js';
import { createNew } from '../store/exclusive-file.js';
import { holes, merged, partPath, recordPart, removePart } from '../store/part-file.js';
import { RangeSink } from '../store/range-sink.js';
import { SplitRecorder } from '../store/split-record.js';
import type { Attempt, Item, Piece, PieceExchange, PieceOutcome, Span } from '../types.js';

/** No range is made smaller than this: a request per few KiB would cost more than it saves. */
export const MIN_PIECE_BYTES = 1024 * 1024;

/** A split about to start: the first answer, a 206 from the first byte not yet held to the file's end. */
export interface SplitJob extends PieceJob {
  item: Item;
  response: Response;
  /** Where the file goes. */
  target: string;
  /** Where the item's redirects ended: the other ranges are asked of it. */
  url: string;
  total: number;
  validator: string;
  /** Spans a resumed `.part` already holds (`--continue`), not fetched again. */
  kept: readonly Span[];
  /** The first answer's idle timer and abort signal, which the first range reads under. */
  idle: IdleTimer;
  exchange?: PieceExchange;
}

/** Numbers this thread's splits: their temporary files and their ids. */
let splits = 0;

/**
 * Fetches a file as up to `--split` ranges at once, into one temporary file of its length, with
 * positional writes: the first range from the first answer, which this slot goes on reading, the
 * others shared (`exchange`) with the run's free slots on every thread, and any that none has
 * taken yet fetched here, one after another. Once every range is whole the file is hashed when
 * asked, gets its mtime and is renamed into place: one item, one result. A range that fails for
 * good ends the split (the others already under way finish); with `--continue` the spans written
 * stay in the `.part` and its record, for the next attempt to fetch only the rest.
 */
export async function splitDownload(job: SplitJob): Promise<Attempt> {
  const { item, options, target, total, exchange } = job;
  const id = `${threadId}-${++splits}`;
  const { file, temp } = await saving(options.dest, () => openTemp(job, id)).catch((error: unknown) => {
    // Its first answer, unread, would hold its connection for ever.
    (job.response.body as Readable | null)?.destroy();
    throw error;
  });
  const pieces = planPieces(holes(job.kept, total), options.split ?? 1).map(
    ([start, end]): Piece => ({ split: id, item: item.url, file: item.file, url: job.url, temp, start, end, total, validator: job.validator }),
  );
  const [first, ...rest] = pieces as [Piece, ...Piece[]];
  const recorder = options.resume
    ? new SplitRecorder(file, job.kept, (spans) => recordPart(target, redact(item.url), job.validator, options.tempPrefix, { total, spans }))
    : undefined;
  const wrote = recorder && ((start: number, bytes: number) => recorder.wrote(start, bytes));
  const own: SplitJob = wrote === undefined ? job : { ...job, onWritten: (piece, bytes) => wrote(piece.start, bytes) };
  const shared = exchange !== undefined && rest.length > 0 ? exchange.share(id, rest, wrote) : undefined;
  const unshared = shared === undefined ? [...rest] : [];
  // Nothing below throws: a range's failure is its outcome.
  const firstOutcome = await firstPiece(own, file, first);
  // The first request is over: its idle timer stops, its permit goes back, and each range has its own.
  job.idle.stop();
  job.gate?.release(item);
  const outcomes: PieceOutcome[] = [firstOutcome];
  let failed = firstOutcome.error !== undefined;
  const next = async () => (shared === undefined ? unshared.shift() : exchange!.takeBack(id));
  for (let piece = await next(); piece !== undefined; piece = await next()) {
    // Once a range has failed for good, those not begun are not fetched: the split has failed.
    const outcome = failed || job.cancel?.aborted ? { bytes: 0 } : await fetchPiece(piece, own);
    failed ||= outcome.error !== undefined;
    if (shared === undefined) outcomes.push(outcome);
    else exchange!.done(piece, outcome);
  }
  if (shared !== undefined) outcomes.push(...(await shared));
  await recorder?.stop();
  const retried = outcomes.reduce((sum, outcome) => sum + (outcome.retries ?? 0), 0);
  const split = { ranges: pieces.length, ...(retried > 0 ? { rangeRetries: retried } : {}) };
  const whole = pieces.every((piece, index) => outcomes[index]?.bytes === piece.end - piece.start);
  if (!whole) {
    // On the disk before the record of what is there, as the records made while it ran.
    if (options.resume) await file.datasync().catch(() => {});
    await file.close().catch(() => {});
    return { ...(await settle(job, temp, pieces, outcomes)), ...split };
  }
  try {
    const modified = validDate(job.response.headers.get('last-modified'));
    if (modified !== undefined) await file.utimes(modified, modified);
  } finally {
    await file.close();
  }
  // Written out of order, the bytes are hashed once whole, from the disk.
  const sha256 = options.sha256 === true || item.sha256 !== undefined ? await sha256OfFile(temp) : undefined;
  return { ...(await place(temp, target, item, { bytes: total, sha256 }, options)), ...split };
}

/** The split's file, as long as the file: a new temporary one, or with `--continue` the `.part`, recorded with the spans it holds. */
async function openTemp({ item, options, target, total, validator, kept }: SplitJob, id: string): Promise<{ file: FileHandle; temp: string }> {
  if (!options.resume) {
    const { file, created } = await createNew(join(options.dest, `${options.tempPrefix}${id}`));
    await file.truncate(total);
    return { file, temp: created };
  }
  const temp = partPath(target);
  const file = await openPart(temp, 'ranges');
  // A .part of an earlier, plain attempt holds other bytes: a split that starts afresh starts empty.
  if (kept.length === 0) await file.truncate(0);
  // Recorded before the file takes its length: a run killed in between leaves a .part whose
  // length is not the record's, which no run resumes; the other way round, a plain record would
  // be left beside a full-length .part of zeros, which would pass for a whole file.
  await recordPart(target, redact(item.url), validator, options.tempPrefix, { total, spans: [...kept] });
  await file.truncate(total);
  return { file, temp };
}

/** The first range, read from the first answer; should it break, the rest of it is fetched as any other range. */
async function firstPiece(job: SplitJob, file: FileHandle, piece: Piece): Promise<PieceOutcome> {
  const sink = new RangeSink(file, piece.start, job.onWritten && ((written) => job.onWritten!(piece, written)));
  try {
    await writeRange(job.response, sink, piece.end - piece.start, job.idle, job.onBytes, 'drop');
    return { bytes: sink.written };
  } catch (error) {
    // Whatever broke it (a reset, a stall, the disk), the rest is asked for again, and meets it again if it lasts.
    await sink.abandon();
    if (job.cancel?.aborted) return { bytes: sink.written, error: 'interrupted' };
    job.onRangeRetry?.(piece, { attempt: 1, error: `bytes=${piece.start}-${piece.end - 1}: ${printable(reason(error))}`, waitMs: 0 });
    const rest = await fetchPiece({ ...piece, start: piece.start + sink.written }, job);
    // Its first request broke: the one asking for the rest is a retry of the range too.
    return { ...rest, bytes: sink.written + rest.bytes, retries: 1 + (rest.retries ?? 0) };
  }
}

/**
 * A split that did not end whole: its temporary file goes, or with `--continue` its `.part` stays
 * with every span written (unless the file changed: then nothing of it is worth keeping). A file
 * that changed is worth another attempt from the start.
 */
async function settle(job: SplitJob, temp: string, pieces: readonly Piece[], outcomes: readonly PieceOutcome[]): Promise<Attempt> {
  const { item, options, target, total, validator } = job;
  const failure = outcomes.find((outcome) => outcome.error !== undefined);
  const changed = outcomes.some((outcome) => outcome.changed === true);
  if (!options.resume) await rm(temp, { force: true });
  else if (changed) await removePart(target);
  else {
    const written = pieces.map((piece, index): Span => [piece.start, piece.start + (outcomes[index]?.bytes ?? 0)]);
    await saving(options.dest, () => recordPart(target, redact(item.url), validator, options.tempPrefix, { total, spans: merged([...job.kept, ...written]) }));
  }
  const error = job.cancel?.aborted ? 'interrupted' : (failure?.error ?? 'a range was not fetched');
  return { status: 'error', bytes: 0, error, ...(changed ? { transient: {} } : {}) };
}

/**
 * The holes cut into up to `split` ranges of about equal size (more only when there are more
 * holes), none under `MIN_PIECE_BYTES` but a hole smaller than that, in file order: the first
 * starts where the first answer does. A hole is cut into whole ranges of at least the size
 * aimed at, the last taking what is over: never a tail of a few bytes as a request of its own.
 */
export function planPieces(gaps: readonly Span[], split: number): Span[] {
  const missing = gaps.reduce((sum, [start, end]) => sum + end - start, 0);
  const size = Math.max(MIN_PIECE_BYTES, Math.ceil(missing / split));
  const pieces: Span[] = [];
  for (const [start, end] of gaps) {
    const count = Math.max(1, Math.floor((end - start) / size));
    const each = Math.floor((end - start) / count);
    for (let index = 0; index < count; index++) pieces.push([start + index * each, index === count - 1 ? end : start + (index + 1) * each]);
  }
  return pieces;
}
