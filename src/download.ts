import { rename, rm, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import fetch, { type Response } from 'node-fetch';
import { agentFor } from './agents.js';
import { preparePathInside } from './safe-path.js';
import type { Attempt, FetchOptions, Item } from './types.js';

/** Statuses that say "not now" rather than "no": worth another attempt. */
const TRANSIENT_STATUSES = new Set([408, 429, 500, 502, 503, 504]);

/** Network failures that a later attempt may not meet; a certificate or DNS failure is final. */
const TRANSIENT_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ERR_STREAM_PREMATURE_CLOSE']);

/** Encodings node-fetch decodes: their Content-Length counts the bytes sent, not the bytes read. */
const DECODED = new Set(['gzip', 'x-gzip', 'deflate', 'x-deflate', 'br']);

/** A body that ended before its Content-Length: the connection broke, so another attempt may get it whole. */
class CutShort extends Error {}

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
  // In dest itself, where the run's sweep finds it; a list's name may be 255 bytes, so it is not part of this one.
  const temp = join(options.dest, `${options.tempPrefix}${threadId}-${++tempCount}`);
  try {
    const headers = ifModifiedSince === undefined ? undefined : { 'if-modified-since': ifModifiedSince.toUTCString() };
    const response = await fetch(item.url, { agent: agentFor(options), signal, headers });
    if (response.status === 404) return await ended(response, 'not_found');
    if (response.status === 304 && ifModifiedSince !== undefined) return await ended(response, 'not_modified');
    if (!response.ok) {
      const transient = TRANSIENT_STATUSES.has(response.status) ? { retryAfter: response.headers.get('retry-after') ?? undefined } : undefined;
      return { ...(await ended(response, 'error')), error: `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`, transient };
    }
    const body = await read(response, options.maxBytes);
    await writeFile(temp, body);
    const lastModified = new Date(response.headers.get('last-modified') ?? Number.NaN);
    if (!Number.isNaN(lastModified.getTime())) await utimes(temp, lastModified, lastModified);
    // A flat name needs no folder; a symlink in its place is replaced by the rename, not followed.
    await rename(temp, item.file.includes('/') ? await preparePathInside(options.dest, item.file) : join(options.dest, item.file));
    return { status: 'ok', bytes: body.length };
  } catch (error) {
    await rm(temp, { force: true });
    if (timeout.aborted) return { status: 'error', bytes: 0, error: `timed out after ${options.timeoutMs} ms`, transient: {} };
    if (cancel?.aborted) return { status: 'error', bytes: 0, error: 'interrupted' };
    const transient = error instanceof CutShort || TRANSIENT_CODES.has(codeOf(error) ?? '') ? {} : undefined;
    return { status: 'error', bytes: 0, error: reason(error), transient };
  }
}

/**
 * The whole body in memory, the size cap enforced as it arrives and the declared length checked
 * at the end. A flag is a few kilobytes: one buffer and one write cost less than a chain of streams
 * to the file, and `--max-size` bounds what a request may hold.
 */
async function read(response: Response, maxBytes: number): Promise<Buffer> {
  const declared = DECODED.has(response.headers.get('content-encoding') ?? '') ? Number.NaN : Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > maxBytes) throw new Error(`response exceeds the ${maxBytes}-byte cap (${declared} bytes declared)`);
  const chunks: Buffer[] = [];
  let bytes = 0;
  try {
    for await (const chunk of response.body! as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      if (bytes > maxBytes) throw new Error(`response exceeds the ${maxBytes}-byte cap`);
      chunks.push(chunk);
    }
  } catch (error) {
    if (!(bytes < declared)) throw error;
    throw new CutShort(`body cut short (${bytes} of ${declared} bytes: ${reason(error)})`);
  }
  if (!Number.isNaN(declared) && bytes !== declared) throw new CutShort(`body cut short (${bytes} of ${declared} bytes)`);
  return Buffer.concat(chunks, bytes);
}

/** Reads an unwanted body to its end, so that its keep-alive socket can serve the next request. */
async function ended(response: Response, status: Attempt['status']): Promise<Attempt> {
  try {
    await response.arrayBuffer();
  } catch {
    // The status already decides the outcome; a broken error page changes nothing.
  }
  return { status, bytes: 0 };
}

const codeOf = (error: unknown) => (error as { code?: string } | null)?.code;

/** The error's own words with node-fetch's "request to URL failed" prefix dropped, and its code (a certificate failure's says which). */
function reason(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = codeOf(error);
  const message = error.message.replace(/^request to \S+ failed, reason: /, '');
  return code && !message.includes(code) ? `${code}: ${message}` : message;
}
