import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { threadId } from 'node:worker_threads';
import fetch, { type Response } from 'node-fetch';
import type { FetchOptions, FlagResult, Status } from './types.js';

// One keep-alive agent per thread: a worker's requests reuse its own sockets, as a browser tab would.
const httpAgent = new http.Agent({ keepAlive: true });
const httpsAgent = new https.Agent({ keepAlive: true });
const agentFor = (url: URL) => (url.protocol === 'https:' ? httpsAgent : httpAgent);

/**
 * Fetches one flag and saves it as `{dest}/{cc}.{ext}`: the one routine every strategy calls.
 * The body goes to a temporary file that is renamed into place only once it is whole, so a
 * failed or interrupted download never leaves a partial file behind. Never throws.
 */
export async function downloadFlag(cc: string, options: FetchOptions, cancel?: AbortSignal): Promise<FlagResult> {
  const started = performance.now();
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = cancel ? AbortSignal.any([timeout, cancel]) : timeout;
  const fileName = `${cc}.${options.ext}`;
  const temp = join(options.dest, `${options.tempPrefix}${threadId}-${fileName}`);
  const finish = (status: Status, bytes = 0, error?: string): FlagResult => ({
    cc,
    status,
    bytes,
    ms: Math.round(performance.now() - started),
    thread: threadId,
    ...(error === undefined ? {} : { error }),
  });
  try {
    const response = await fetch(`${options.baseUrl}/${cc}/${fileName}`, { agent: agentFor, signal });
    if (response.status === 404) {
      await discard(response);
      return finish('not_found');
    }
    if (!response.ok) {
      await discard(response);
      return finish('error', 0, `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`);
    }
    const bytes = await save(response, temp, options.maxBytes);
    await rename(temp, join(options.dest, fileName));
    return finish('ok', bytes);
  } catch (error) {
    await rm(temp, { force: true });
    if (timeout.aborted) return finish('error', 0, `timed out after ${options.timeoutMs} ms`);
    if (cancel?.aborted) return finish('error', 0, 'interrupted');
    return finish('error', 0, reason(error));
  }
}

/** Streams the body to `temp`, enforcing the size cap as it goes and the declared length at the end. */
async function save(response: Response, temp: string, maxBytes: number): Promise<number> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > maxBytes) throw new Error(`response of ${declared} bytes exceeds the ${maxBytes}-byte cap`);
  let bytes = 0;
  const capped = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      if (bytes > maxBytes) callback(new Error(`response exceeds the ${maxBytes}-byte cap`));
      else callback(null, chunk);
    },
  });
  try {
    await pipeline(response.body!, capped, createWriteStream(temp));
  } catch (error) {
    if (!(bytes < declared)) throw error;
    throw new Error(`body cut short: ${bytes} of ${declared} bytes (${reason(error)})`);
  }
  if (!Number.isNaN(declared) && bytes !== declared) {
    throw new Error(`body cut short: ${bytes} of ${declared} bytes`);
  }
  return bytes;
}

/** Reads an unwanted body to its end, so that its keep-alive socket can serve the next request. */
async function discard(response: Response): Promise<void> {
  try {
    await response.arrayBuffer();
  } catch {
    // The status already decides the outcome; a broken error page changes nothing.
  }
}

function reason(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { code?: string }).code;
  const message = error.message.replace(/^request to \S+ failed, reason: /, '');
  return cause && !message.includes(cause) ? `${cause}: ${message}` : message;
}
