import { rm, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import type { Response } from 'node-fetch';
import { BodySink } from '../store/body-sink.js';
import { ACCEPT_ENCODING, bodyChunks, CutShort } from './body-stream.js';
import { sha256OfFile } from '../store/checksums.js';
import { isTransient, printable, reason, TRANSIENT_STATUSES } from './failure.js';
import { type PartState, partPath, recordPart, removePart, resumablePart, validatorOf } from '../store/part-file.js';
import { lockPart, PartLocked } from '../store/part-lock.js';
import { place, saving, validDate } from './place.js';
import { redact } from '../report/redact.js';
import { drain, get } from './request.js';
import { idleTimer } from './idle-timer.js';
import type { RequestGate } from '../schedule/limits.js';
import { preparePathInside } from '../store/safe-path.js';
import { contentRange } from './content-range.js';
import type { PieceJob } from './range-piece.js';
import { splitDownload } from './split-download.js';
import type { Attempt, FetchOptions, Item, PieceExchange, Span } from '../types.js';

/** The 2xx answers to a plain GET that hold the whole file: 203 is a 200 that a proxy transformed. 204, 205 and 206 do not. */
const WHOLE_STATUSES = new Set([200, 203]);

/** One request for an item and where its answer goes. */
export interface ItemDownload {
  item: Item;
  options: FetchOptions;
  /** Ctrl-C: the request is cut, nothing partial stays (but a `.part`). */
  cancel?: AbortSignal;
  /** `--update`: ask with If-Modified-Since; a 304 leaves the file as it is. */
  ifModifiedSince?: Date;
  /** Body bytes as they arrive. */
  onBytes?: (bytes: number) => void;
  /** `--split`: where a big file's ranges go to other slots (none: this slot fetches them all, one after another). */
  exchange?: PieceExchange;
  /** `--per-host`, `--rate`: the gate this request came through; a split's ranges each pass it too. */
  gate?: RequestGate;
  /** `--split`: a range of this item about to be asked for again. */
  onRangeRetry?: PieceJob['onRangeRetry'];
}

/** Numbers this thread's temporary files: two items of one name in different folders never share one. */
let tempCount = 0;

/**
 * Makes one request for `item.url` and saves it as `{dest}/{item.file}`, creating the file's
 * folders inside dest (never through a symlink that leads out): the one routine every strategy
 * ends in. The body streams to a temporary file (a small one in one write) that is renamed into
 * place only once it is whole and, with a checksum to meet, right, with the server's Last-Modified
 * as its mtime: a failed or interrupted download never leaves a partial file behind. With
 * `ifModifiedSince`, a 304 leaves the file as it is. With `resume` (`--continue`) the body goes to
 * `{file}.part` instead, which a broken transfer leaves for the next attempt to complete with a
 * range request. `timeoutMs` bounds the wait for the answer and every wait between two of its
 * chunks, so that a big file takes as long as it needs while a stalled one does not. Redirects
 * are followed (see `get`); the attempt of one that was says where it ended. Never throws.
 */
export async function downloadItem(download: ItemDownload): Promise<Attempt> {
  const redirected: { to?: string } = {};
  const attempt = await fetchAndSave(download, redirected);
  return redirected.to === undefined ? attempt : { ...attempt, finalUrl: redirected.to };
}

async function fetchAndSave(download: ItemDownload, redirected: { to?: string }): Promise<Attempt> {
  const { item, options, cancel, ifModifiedSince, onBytes } = download;
  const idle = idleTimer(options.timeoutMs, cancel);
  const { signal } = idle;
  let sink: BodySink | undefined;
  let target: string | undefined;
  let unlock: (() => Promise<void>) | undefined;
  // A .part begun by this attempt that the next could not resume: no validator, or no byte in it.
  let freshPart: { resumable: boolean } | undefined;
  try {
    // A .part lies beside its file, in its folders; a temporary file in dest, whose file gets them once whole.
    if (options.resume) {
      const path = await saving(options.dest, () => targetPath(item.file, options.dest));
      target = path;
      // A failure of the folder reads as any other; another run's lock names that run.
      unlock = await lockPart(path).catch((error: unknown) => (error instanceof PartLocked ? Promise.reject(error) : saving(options.dest, () => Promise.reject(error))));
    } else target = join(options.dest, item.file);
    // The .part.json keeps the URL on disk: never a password in it.
    const resume = options.resume ? await resumablePart(target, redact(item.url)) : undefined;
    // A split asks for the whole file as a range: a 206 says the server takes ranges, and how long the file is.
    const splitting = (options.split ?? 1) > 1;
    // A range of an encoded body is not a range of the file: a resumable or split download asks for none.
    const headers: Record<string, string> = { 'accept-encoding': options.resume || splitting ? 'identity' : ACCEPT_ENCODING };
    if (ifModifiedSince !== undefined) headers['if-modified-since'] = ifModifiedSince.toUTCString();
    if (resume !== undefined) Object.assign(headers, { range: `bytes=${resume.bytes}-`, 'if-range': resume.validator });
    else if (splitting) headers.range = 'bytes=0-';
    const { response, finalUrl, proxy } = await get(item.url, headers, options, signal);
    redirected.to = finalUrl;
    idle.touch();
    // A 404 that is no answer (a list's file) is refused below as any other status is: `HTTP 404 Not Found`, not retried.
    if (response.status === 404 && options.notFound !== 'error') return await ended(response, 'not_found');
    if (response.status === 304 && ifModifiedSince !== undefined) return await ended(response, 'not_modified');
    if (resume !== undefined && response.status === 416) return await partComplete(response, item, target, resume, options);
    const ranges = response.status === 206 ? splitOf(response, download, resume) : undefined;
    if (ranges !== undefined) return await splitDownload({ ...download, ...ranges, response, target, url: finalUrl ?? item.url, idle });
    // A resumed split's .part has holes: it can only go on as a split, from the first hole, of the same file.
    if (resume?.split !== undefined && response.status === 206) {
      await ended(response, 'error');
      await removePart(target);
      return { status: 'error', bytes: 0, error: `HTTP 206 for ${JSON.stringify(response.headers.get('content-range'))}: not the rest of the file the .part holds`, transient: {} };
    }
    // A 206 of the whole file, to a split's first ask, is the whole body.
    const appending = resume !== undefined && response.status === 206;
    if (appending) await checkContentRange(response, target, resume.bytes);
    else if (!WHOLE_STATUSES.has(response.status) && !(splitting && resume === undefined && isWholeRange(response))) {
      const transient = TRANSIENT_STATUSES.has(response.status) ? { retryAfter: response.headers.get('retry-after') ?? undefined } : undefined;
      const statusText = response.statusText ? ` ${printable(response.statusText)}` : '';
      // A proxy answers for the origin it could not reach, or for itself: its status could be either's.
      const through = proxy === undefined ? '' : ` (through the proxy ${proxy})`;
      return { ...(await ended(response, 'error')), error: `HTTP ${response.status}${statusText}${through}`, transient };
    }
    // The file changed since its .part was begun (If-Range answered whole): with --split, the new one is split too, asked for anew.
    if (resume !== undefined && splitsWhole(response, options)) {
      await ended(response, 'error');
      await removePart(target);
      await unlock?.();
      unlock = undefined;
      return await fetchAndSave(download, redirected);
    }
    // A 200 to a resumable request starts its .part anew: the range was ignored, or the file changed.
    if (options.resume) await saving(options.dest, () => recordPart(target!, redact(item.url), validatorOf(response.headers), options.tempPrefix));
    if (options.resume && !appending) freshPart = { resumable: validatorOf(response.headers) !== undefined };
    const earlier = appending ? resume.bytes : 0;
    const writing = new BodySink(
      options.resume ? { part: partPath(target), append: appending } : { temp: join(options.dest, `${options.tempPrefix}${threadId}-${++tempCount}`) },
      options.sha256 === true || item.sha256 !== undefined,
    );
    sink = writing;
    if (appending) await writing.hashExisting(partPath(target));
    const received = (bytes: number) => {
      idle.touch();
      onBytes?.(bytes);
    };
    for await (const chunk of bodyChunks(response, options.maxBytes - earlier, received)) {
      // Most chunks are only gathered: the disk is waited for once a batch goes out, not chunk by chunk.
      const flushing = writing.write(chunk);
      if (flushing !== undefined) await saving(options.dest, () => flushing);
    }
    const { path, sha256 } = await saving(options.dest, () => writing.finish(validDate(response.headers.get('last-modified'))));
    sink = undefined;
    return await place(path, target, item, { bytes: earlier + writing.bytes, sha256 }, options);
  } catch (error) {
    // Another run's .part: not ours to keep or to remove.
    if (error instanceof PartLocked) return { status: 'error', bytes: 0, error: error.message };
    await sink?.abandon();
    // Without --continue nothing partial stays; with it, the bytes of a transfer that broke stay for the next attempt.
    if (!options.resume && sink?.path !== undefined) await rm(sink.path, { force: true });
    if (idle.timedOut) return { status: 'error', bytes: 0, error: `timed out after ${options.timeoutMs} ms without data`, transient: {} };
    if (cancel?.aborted) return { status: 'error', bytes: 0, error: 'interrupted' };
    const transient = isTransient(error);
    const useless = freshPart !== undefined && (!freshPart.resumable || sink?.bytes === 0);
    if (options.resume && target !== undefined && (!transient || useless)) await removePart(target);
    return { status: 'error', bytes: 0, error: printable(reason(error)), transient: transient ? {} : undefined };
  } finally {
    idle.stop();
    await unlock?.();
  }
}

/** Where the file goes: straight in dest, or in its folders there, made on the way. */
const targetPath = (file: string, dest: string) => (file.includes('/') ? preparePathInside(dest, file) : Promise.resolve(join(dest, file)));

/**
 * Whether a 206 is fetched as a split, and where it starts: the answer to a split's first ask, of
 * a file larger than `--split-min` whose answer has a validator for `If-Range`; the answer to a
 * resumed split, which goes on as one whatever `--split` says (its `.part` has holes); or, with
 * `--split`, the answer to a resumed plain `.part` of such a file, whose bytes are then the split's
 * first span.
 */
function splitOf(response: Response, { options }: ItemDownload, resume: PartState | undefined): { total: number; validator: string; kept: readonly Span[] } | undefined {
  const range = contentRange(response.headers.get('content-range'));
  const validator = validatorOf(response.headers);
  if (range === undefined || validator === undefined) return undefined;
  if (resume?.split !== undefined) {
    const same = range.start === resume.bytes && range.end === resume.split.total && range.total === resume.split.total && validator === resume.validator;
    return same ? { total: range.total, validator, kept: resume.split.spans } : undefined;
  }
  const from = resume?.bytes ?? 0;
  if (range.start !== from || range.end !== range.total || (resume !== undefined && validator !== resume.validator)) return undefined;
  return worthSplitting(range.total, options) ? { total: range.total, validator, kept: from === 0 ? [] : [[0, from]] } : undefined;
}

/** With `--split`, a file past `--split-min`; one over `--max-size` goes the one-stream way, which refuses it. */
function worthSplitting(total: number, options: FetchOptions): boolean {
  return (options.split ?? 1) > 1 && total > (options.splitMin ?? 0) && total <= options.maxBytes;
}

/**
 * A whole answer (200) of a file that a split's first ask would split: the server says it takes
 * ranges, and the file has a validator for `If-Range` and a length worth splitting.
 */
function splitsWhole(response: Response, options: FetchOptions): boolean {
  const length = Number(response.headers.get('content-length') ?? Number.NaN);
  const ranges = response.headers.get('accept-ranges')?.trim().toLowerCase() === 'bytes';
  return WHOLE_STATUSES.has(response.status) && ranges && validatorOf(response.headers) !== undefined && worthSplitting(length, options);
}

/** A 206 that holds the whole file: `bytes 0-(N-1)/N`. */
function isWholeRange(response: Response): boolean {
  const range = contentRange(response.headers.get('content-range'));
  return range !== undefined && range.start === 0 && range.end === range.total;
}

/** A 416 to a resumed request: the `.part` already holds the whole file when the server says its length is the part's. */
async function partComplete(response: Response, item: Item, target: string, resume: PartState, options: FetchOptions): Promise<Attempt> {
  const total = Number(/^bytes \*\/(\d+)$/.exec(response.headers.get('content-range') ?? '')?.[1] ?? Number.NaN);
  await ended(response, 'error');
  if (total !== resume.bytes) {
    await removePart(target);
    return { status: 'error', bytes: 0, error: `HTTP 416 to bytes=${resume.bytes}-: the part kept is not the start of this file`, transient: {} };
  }
  const sha256 = options.sha256 === true || item.sha256 !== undefined ? await sha256OfFile(partPath(target)) : undefined;
  // No handle is open on a part that was already whole: its mtime is set by name.
  const modified = validDate(response.headers.get('last-modified'));
  if (modified !== undefined) await saving(options.dest, () => utimes(partPath(target), modified, modified));
  return place(partPath(target), target, item, { bytes: total, sha256 }, options);
}

/** A 206 must continue the part where it ends; a range that starts elsewhere would corrupt it. */
async function checkContentRange(response: Response, target: string, from: number): Promise<void> {
  const start = Number(/^bytes (\d+)-\d+\/(?:\d+|\*)$/.exec(response.headers.get('content-range') ?? '')?.[1] ?? Number.NaN);
  if (start === from) return;
  await ended(response, 'error');
  await removePart(target);
  throw new CutShort(`HTTP 206 for ${JSON.stringify(response.headers.get('content-range'))}, not the bytes=${from}- asked for`);
}

/**
 * Reads an unwanted body to its end, so that its keep-alive socket can serve the next request; one
 * too long to be an error page is dropped with its socket instead of held or read for ever.
 */
async function ended(response: Response, status: Attempt['status']): Promise<Attempt> {
  await drain(response);
  return { status, bytes: 0 };
}
