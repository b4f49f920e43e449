import { rename, rm, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import type { Response } from 'node-fetch';
import { BodySink } from '../store/body-sink.js';
import { ACCEPT_ENCODING, bodyChunks, CutShort } from './body-stream.js';
import { sha256OfFile } from '../store/checksums.js';
import { forgetPart, type PartState, partPath, recordPart, removePart, resumablePart, validatorOf } from '../store/part-file.js';
import { PROXY_REFUSED_CODE } from './proxy.js';
import { redact } from '../report/redact.js';
import { RedirectRefused } from './redirects.js';
import { drain, get, proxyOf } from './request.js';
import { preparePathInside } from '../store/safe-path.js';
import type { Attempt, FetchOptions, Item } from '../types.js';

/**
 * Statuses that say "not now" rather than "no": worth another attempt. A 206 answers a request
 * that asked no range with a part of the file (a cache or proxy gone wrong): the next may be whole.
 */
const TRANSIENT_STATUSES = new Set([206, 408, 429, 500, 502, 503, 504]);

/** The 2xx answers to a plain GET that hold the whole file: 203 is a 200 that a proxy transformed. 204, 205 and 206 do not. */
const WHOLE_STATUSES = new Set([200, 203]);

/** Network failures that a later attempt may not meet; a certificate or DNS failure is final. */
const TRANSIENT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ERR_STREAM_PREMATURE_CLOSE',
  PROXY_REFUSED_CODE,
]);

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

async function fetchAndSave({ item, options, cancel, ifModifiedSince, onBytes }: ItemDownload, redirected: { to?: string }): Promise<Attempt> {
  const idle = idleTimer(options.timeoutMs, cancel);
  const { signal } = idle;
  let sink: BodySink | undefined;
  let target: string | undefined;
  try {
    target = await saving(options.dest, () => targetPath(item.file, options.dest));
    // The .part.json keeps the URL on disk: never a password in it.
    const resume = options.resume ? await resumablePart(target, redact(item.url)) : undefined;
    // A range of an encoded body is not a range of the file: a resumable download asks for none.
    const headers: Record<string, string> = { 'accept-encoding': options.resume ? 'identity' : ACCEPT_ENCODING };
    if (ifModifiedSince !== undefined) headers['if-modified-since'] = ifModifiedSince.toUTCString();
    if (resume !== undefined) Object.assign(headers, { range: `bytes=${resume.bytes}-`, 'if-range': resume.validator });
    const { response, finalUrl, proxy } = await get(item.url, headers, options, signal);
    redirected.to = finalUrl;
    idle.touch();
    // A 404 that is no answer (a list's file) is refused below as any other status is: `HTTP 404 Not Found`, not retried.
    if (response.status === 404 && options.notFound !== 'error') return await ended(response, 'not_found');
    if (response.status === 304 && ifModifiedSince !== undefined) return await ended(response, 'not_modified');
    if (resume !== undefined && response.status === 416) return await partComplete(response, item, target, resume, options);
    const appending = resume !== undefined && response.status === 206;
    if (appending) await checkContentRange(response, target, resume.bytes);
    else if (!WHOLE_STATUSES.has(response.status)) {
      const transient = TRANSIENT_STATUSES.has(response.status) ? { retryAfter: response.headers.get('retry-after') ?? undefined } : undefined;
      const statusText = response.statusText ? ` ${printable(response.statusText)}` : '';
      // A proxy answers for the origin it could not reach, or for itself: its status could be either's.
      const through = proxy === undefined ? '' : ` (through the proxy ${proxy})`;
      return { ...(await ended(response, 'error')), error: `HTTP ${response.status}${statusText}${through}`, transient };
    }
    // A 200 to a resumable request starts its .part anew: the range was ignored, or the file changed.
    if (options.resume) await saving(options.dest, () => recordPart(target!, redact(item.url), validatorOf(response.headers), options.tempPrefix));
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
    for await (const chunk of bodyChunks(response, options.maxBytes - earlier, received)) await saving(options.dest, () => writing.write(chunk));
    const { path, sha256 } = await saving(options.dest, () => writing.finish(validDate(response.headers.get('last-modified'))));
    sink = undefined;
    return await place(path, target, item, { bytes: earlier + writing.bytes, sha256 }, options);
  } catch (error) {
    await sink?.abandon();
    // Without --continue nothing partial stays; with it, the bytes of a transfer that broke stay for the next attempt.
    if (!options.resume && sink?.path !== undefined) await rm(sink.path, { force: true });
    if (idle.timedOut) return { status: 'error', bytes: 0, error: `timed out after ${options.timeoutMs} ms without data`, transient: {} };
    if (cancel?.aborted) return { status: 'error', bytes: 0, error: 'interrupted' };
    const transient = error instanceof CutShort || (!(error instanceof RedirectRefused) && TRANSIENT_CODES.has(codeOf(error) ?? ''));
    if (options.resume && target !== undefined && !transient) await removePart(target);
    return { status: 'error', bytes: 0, error: printable(reason(error)), transient: transient ? {} : undefined };
  } finally {
    idle.stop();
  }
}

/** Where the file goes: straight in dest, or in its folders there, made on the way. */
const targetPath = (file: string, dest: string) => (file.includes('/') ? preparePathInside(dest, file) : Promise.resolve(join(dest, file)));

/** A Last-Modified header as a date, when it is one. */
function validDate(header: string | null): Date | undefined {
  const date = new Date(header ?? Number.NaN);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/**
 * Puts a whole body, written at `path` (its mtime already the server's Last-Modified), in place at
 * `target`, once it meets its checksum: a rename (a symlink in the way is replaced, not followed).
 * Bytes that do not meet it are removed, never renamed: the next attempt (one) may get them right.
 */
async function place(path: string, target: string, item: Item, body: { bytes: number; sha256?: string }, options: FetchOptions): Promise<Attempt> {
  if (item.sha256 !== undefined && body.sha256 !== item.sha256) {
    await rm(path, { force: true });
    if (options.resume) await removePart(target);
    return { status: 'error', bytes: 0, error: `sha256 mismatch: got ${body.sha256}, expected ${item.sha256}`, transient: { retries: 1 } };
  }
  await saving(options.dest, () => rename(path, target));
  if (options.resume) await forgetPart(target);
  return { status: 'ok', bytes: body.bytes, ...(options.sha256 && body.sha256 !== undefined ? { sha256: body.sha256 } : {}) };
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
 * A failure of the file system names the folder, not the temporary file, so that a folder gone or
 * full reads as one error for all the items it fails.
 */
async function saving<T>(dest: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    // Node's message goes on to name the file: `ENOENT: no such file or directory, open '…'`.
    throw new Error(`cannot save to ${dest}: ${(error as Error).message.replace(/, \w+ '.*$/s, '')}`);
  }
}

/**
 * One signal for the request: aborted `ms` after the last `touch`, or when `cancel` is. A listener
 * on `cancel` rather than `AbortSignal.any`, which costs every request a signal and weak references.
 */
function idleTimer(ms: number, cancel: AbortSignal | undefined): { signal: AbortSignal; readonly timedOut: boolean; touch: () => void; stop: () => void } {
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

/**
 * Reads an unwanted body to its end, so that its keep-alive socket can serve the next request; one
 * too long to be an error page is dropped with its socket instead of held or read for ever.
 */
async function ended(response: Response, status: Attempt['status']): Promise<Attempt> {
  await drain(response);
  return { status, bytes: 0 };
}

/** Words a server chose (a status text, a redirect's URL) as they go to a terminal: no escape sequence or bell of its making. */
const printable = (text: string) => text.replace(/\p{Cc}/gu, '?');

const codeOf = (error: unknown) => (error as { code?: string } | null)?.code;

/**
 * The error's own words with node-fetch's "request to URL failed" prefix dropped, its code (a
 * certificate failure's says which), and the proxy the request went through.
 */
function reason(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = codeOf(error);
  const message = error.message.replace(/^request to \S+ failed, reason: /, '');
  const proxy = proxyOf(error);
  const through = proxy === undefined || message.includes(proxy) ? '' : ` (through the proxy ${proxy})`;
  return `${code && !message.includes(code) ? `${code}: ${message}` : message}${through}`;
}
