import { rename, rm, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import fetch, { type Response } from 'node-fetch';
import { agentFor } from './agents.js';
import { writeNewFile } from './exclusive-file.js';
import { preparePathInside } from './safe-path.js';
import type { Attempt, FetchOptions, Item } from './types.js';

/**
 * Statuses that say "not now" rather than "no": worth another attempt. A 206 answers a request
 * that asked no range with a part of the file (a cache or proxy gone wrong): the next may be whole.
 */
const TRANSIENT_STATUSES = new Set([206, 408, 429, 500, 502, 503, 504]);

/** The 2xx answers to a plain GET that hold the whole file: 203 is a 200 that a proxy transformed. 204, 205 and 206 do not. */
const WHOLE_STATUSES = new Set([200, 203]);

/** Network failures that a later attempt may not meet; a certificate or DNS failure is final. */
const TRANSIENT_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ERR_STREAM_PREMATURE_CLOSE']);

/** The content codings asked for, and decoded here rather than by node-fetch (see `decode`). */
const ACCEPT_ENCODING = 'gzip, deflate, br';

/** How much of an unwanted body (an error page) is read to keep its socket; past it the socket goes. */
const DRAIN_LIMIT = 64 * 1024;

/** A body that is not whole (ended before its Content-Length or its compressed end): another attempt may get it whole. */
class CutShort extends Error {}

/** A body over `--max-size`: final, however it arrived. */
class TooLarge extends Error {}

/** Numbers this thread's temporary files: two items of one name in different folders never share one. */
let tempCount = 0;

/**
 * Makes one request for `item.url` and saves it as `{dest}/{item.file}`, creating the file's
 * folders inside dest (never through a symlink that leads out): the one routine every strategy
 * ends in. The body goes to a temporary file that is renamed into place only once it is whole, with
 * the server's Last-Modified as its mtime, so a failed or interrupted download never leaves a
 * partial file behind. With `ifModifiedSince`, a 304 leaves the file as it is. Never throws.
 */
export async function downloadItem(item: Item, options: FetchOptions, cancel?: AbortSignal, ifModifiedSince?: Date): Promise<Attempt> {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = cancel ? AbortSignal.any([timeout, cancel]) : timeout;
  try {
    const headers: Record<string, string> = { 'accept-encoding': ACCEPT_ENCODING };
    if (ifModifiedSince !== undefined) headers['if-modified-since'] = ifModifiedSince.toUTCString();
    const response = await fetch(item.url, { agent: agentFor(options), signal, headers, compress: false });
    if (response.status === 404) return await ended(response, 'not_found');
    if (response.status === 304 && ifModifiedSince !== undefined) return await ended(response, 'not_modified');
    if (!WHOLE_STATUSES.has(response.status)) {
      const transient = TRANSIENT_STATUSES.has(response.status) ? { retryAfter: response.headers.get('retry-after') ?? undefined } : undefined;
      const statusText = response.statusText ? ` ${printable(response.statusText)}` : '';
      return { ...(await ended(response, 'error')), error: `HTTP ${response.status}${statusText}`, transient };
    }
    const body = await read(response, options.maxBytes);
    await save(body, item.file, new Date(response.headers.get('last-modified') ?? Number.NaN), options);
    return { status: 'ok', bytes: body.length };
  } catch (error) {
    if (timeout.aborted) return { status: 'error', bytes: 0, error: `timed out after ${options.timeoutMs} ms`, transient: {} };
    if (cancel?.aborted) return { status: 'error', bytes: 0, error: 'interrupted' };
    const transient = error instanceof CutShort || TRANSIENT_CODES.has(codeOf(error) ?? '') ? {} : undefined;
    return { status: 'error', bytes: 0, error: printable(reason(error)), transient };
  }
}

/**
 * Puts `body` in place as `{dest}/{fileName}`, with `lastModified` (when valid) as its mtime, by way
 * of a temporary file of its own: the thread's name for it, or a random one if anything is in the
 * way, so never a planted link's target. A failure names the folder, not the temporary file, so that
 * a folder gone or full reads as one error for all the flags it fails.
 */
async function save(body: Buffer, file: string, lastModified: Date, options: FetchOptions): Promise<void> {
  let temp: string | undefined;
  try {
    // In dest itself, where the run's sweep finds it; a list's name may be 255 bytes, so it is not part of this one.
    temp = await writeNewFile(join(options.dest, `${options.tempPrefix}${threadId}-${++tempCount}`), body);
    if (!Number.isNaN(lastModified.getTime())) await utimes(temp, lastModified, lastModified);
    // A flat name needs no folder; a symlink in its place is replaced by the rename, not followed.
    await rename(temp, file.includes('/') ? await preparePathInside(options.dest, file) : join(options.dest, file));
  } catch (error) {
    if (temp !== undefined) await rm(temp, { force: true });
    // Node's message goes on to name the file: `ENOENT: no such file or directory, open '…'`.
    throw new Error(`cannot save to ${options.dest}: ${(error as Error).message.replace(/, \w+ '.*$/s, '')}`);
  }
}

/**
 * The whole body in memory, decoded, the size cap enforced as it arrives and the declared length
 * checked at the end. A flag is a few kilobytes: one buffer and one write cost less than a chain of
 * streams to the file, and `--max-size` bounds what a request may hold, received and decoded.
 */
async function read(response: Response, maxBytes: number): Promise<Buffer> {
  // Without compress, node-fetch leaves the body as sent: Content-Length counts the bytes received.
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > maxBytes) throw new TooLarge(`response exceeds the ${maxBytes}-byte cap (${declared} bytes declared)`);
  const chunks: Buffer[] = [];
  let bytes = 0;
  try {
    for await (const chunk of response.body! as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      if (bytes > maxBytes) throw new TooLarge(`response exceeds the ${maxBytes}-byte cap`);
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof TooLarge || !(bytes < declared)) throw error;
    throw new CutShort(`body cut short (${bytes} of ${declared} bytes: ${reason(error)})`);
  }
  if (!Number.isNaN(declared) && bytes !== declared) throw new CutShort(`body cut short (${bytes} of ${declared} bytes)`);
  const body = Buffer.concat(chunks, bytes);
  const coding = contentCoding(response);
  return coding === 'identity' ? body : decode(body, coding, maxBytes);
}

type Coding = 'identity' | 'gzip' | 'deflate' | 'br';

/** The body's one content coding; any other (or several) would be saved still encoded, so it is refused. */
function contentCoding(response: Response): Coding {
  const header = (response.headers.get('content-encoding') ?? 'identity').trim().toLowerCase();
  const coding = header === 'x-gzip' ? 'gzip' : header === 'x-deflate' ? 'deflate' : header;
  if (coding === 'identity' || coding === 'gzip' || coding === 'deflate' || coding === 'br') return coding;
  throw new Error(`Content-Encoding ${JSON.stringify(header)} is not one that was asked for (${ACCEPT_ENCODING})`);
}

/**
 * Decodes with zlib's strict defaults: a stream that ends before its end marker is an error, where
 * node-fetch's own gunzip (Z_SYNC_FLUSH, as curl) passes it as a shorter, whole-looking file. The
 * output stops at the cap, so a small bomb never grows past it. zlib loads here, at the first
 * encoded body: a run that meets none never pays for it.
 */
function decode(body: Buffer, coding: Exclude<Coding, 'identity'>, maxBytes: number): Buffer {
  const zlib = process.getBuiltinModule('node:zlib');
  const options = { maxOutputLength: maxBytes };
  try {
    if (coding === 'gzip') return zlib.gunzipSync(body, options);
    if (coding === 'br') return zlib.brotliDecompressSync(body, options);
    // "deflate" is meant to be zlib-wrapped, yet old servers send it raw; a zlib header's first byte says deflate (0x?8).
    return (body[0]! & 0x0f) === 0x08 ? zlib.inflateSync(body, options) : zlib.inflateRawSync(body, options);
  } catch (error) {
    const code = codeOf(error);
    if (code === 'ERR_BUFFER_TOO_LARGE') throw new TooLarge(`response exceeds the ${maxBytes}-byte cap once decoded (${coding})`);
    if (code === 'Z_BUF_ERROR') throw new CutShort(`${coding} body cut short: it ends before its end marker (${body.length} bytes received)`);
    throw new Error(`${coding} body cannot be decoded: ${(error as Error).message}`);
  }
}

/**
 * Reads an unwanted body to its end, so that its keep-alive socket can serve the next request; one
 * too long to be an error page is dropped with its socket instead of held or read for ever.
 */
async function ended(response: Response, status: Attempt['status']): Promise<Attempt> {
  let bytes = 0;
  try {
    for await (const chunk of response.body! as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      if (bytes > DRAIN_LIMIT) break;
    }
  } catch {
    // The status already decides the outcome; a broken error page changes nothing.
  }
  return { status, bytes: 0 };
}

/** Words a server chose (a status text, a redirect's URL) as they go to a terminal: no escape sequence or bell of its making. */
const printable = (text: string) => text.replace(/\p{Cc}/gu, '?');

const codeOf = (error: unknown) => (error as { code?: string } | null)?.code;

/** The error's own words with node-fetch's "request to URL failed" prefix dropped, and its code (a certificate failure's says which). */
function reason(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = codeOf(error);
  const message = error.message.replace(/^request to \S+ failed, reason: /, '');
  return code && !message.includes(code) ? `${code}: ${message}` : message;
}
