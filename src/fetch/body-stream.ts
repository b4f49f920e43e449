import { Readable } from 'node:stream';
import type { Response } from 'node-fetch';

/** A body that is not whole (ended before its Content-Length or its compressed end): another attempt may get it whole. */
export class CutShort extends Error {}

/** A body over `--max-size`: final, however it arrived. */
export class TooLarge extends Error {}

/** The content codings asked for, and decoded here rather than by node-fetch (see `decoded`). */
export const ACCEPT_ENCODING = 'gzip, deflate, br';

type Coding = 'identity' | 'gzip' | 'deflate' | 'br';

/**
 * A response's body as it arrives, decoded, chunk by chunk: the size cap enforced on the bytes
 * received and on the bytes decoded, the declared length checked at the end, and `onChunk` told of
 * every chunk received (an idle timer, a progress bar). Nothing is held but the chunk in hand. An
 * encoding that was not asked for, or a declared length over the cap, throws at once.
 */
export function bodyChunks(response: Response, maxBytes: number, onChunk: (bytes: number) => void): AsyncIterable<Buffer> {
  const coding = contentCoding(response);
  // Without compress, node-fetch leaves the body as sent: Content-Length counts the bytes received.
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > maxBytes) throw new TooLarge(`response exceeds the ${maxBytes}-byte cap (${declared} bytes declared)`);
  const raw = received(response.body as AsyncIterable<Buffer>, declared, maxBytes, onChunk);
  // Not wrapped in a generator of its own: every chunk of every body passes each layer.
  return coding === 'identity' ? raw : capped(decoded(raw, coding), coding, maxBytes);
}

async function* capped(chunks: AsyncGenerator<Buffer>, coding: Exclude<Coding, 'identity'>, maxBytes: number): AsyncGenerator<Buffer> {
  let decodedBytes = 0;
  for await (const chunk of chunks) {
    decodedBytes += chunk.length;
    if (decodedBytes > maxBytes) throw new TooLarge(`response exceeds the ${maxBytes}-byte cap once decoded (${coding})`);
    yield chunk;
  }
}

async function* received(body: AsyncIterable<Buffer>, declared: number, maxBytes: number, onChunk: (bytes: number) => void): AsyncGenerator<Buffer> {
  let bytes = 0;
  try {
    for await (const chunk of body) {
      bytes += chunk.length;
      if (bytes > maxBytes) throw new TooLarge(`response exceeds the ${maxBytes}-byte cap`);
      onChunk(chunk.length);
      yield chunk;
    }
  } catch (error) {
    if (error instanceof TooLarge || !(bytes < declared)) throw error;
    throw new CutShort(`body cut short (${bytes} of ${declared} bytes: ${(error as Error).message})`);
  }
  if (!Number.isNaN(declared) && bytes !== declared) throw new CutShort(`body cut short (${bytes} of ${declared} bytes)`);
}

/** The body's one content coding; any other (or several) would be saved still encoded, so it is refused. */
function contentCoding(response: Response): Coding {
  const header = (response.headers.get('content-encoding') ?? 'identity').trim().toLowerCase();
  const coding = header === 'x-gzip' ? 'gzip' : header === 'x-deflate' ? 'deflate' : header;
  if (coding === 'identity' || coding === 'gzip' || coding === 'deflate' || coding === 'br') return coding;
  throw new Error(`Content-Encoding ${JSON.stringify(header)} is not one that was asked for (${ACCEPT_ENCODING})`);
}

/**
 * Decodes with zlib's strict defaults: a stream that ends before its end marker is an error, where
 * node-fetch's own gunzip (Z_SYNC_FLUSH, as curl) passes it as a shorter, whole-looking file. zlib
 * loads here, at the first encoded body: a run that meets none never pays for it.
 */
async function* decoded(raw: AsyncGenerator<Buffer>, coding: Exclude<Coding, 'identity'>): AsyncGenerator<Buffer> {
  const first = await raw.next();
  if (first.done) throw new CutShort(`${coding} body cut short: it is empty`);
  const zlib = process.getBuiltinModule('node:zlib');
  // "deflate" is meant to be zlib-wrapped, yet old servers send it raw; a zlib header's first byte says deflate (0x?8).
  const decoder =
    coding === 'gzip' ? zlib.createGunzip() : coding === 'br' ? zlib.createBrotliDecompress() : (first.value[0]! & 0x0f) === 0x08 ? zlib.createInflate() : zlib.createInflateRaw();
  const source = Readable.from(
    (async function* () {
      yield first.value;
      yield* raw;
    })(),
  );
  // An error of the source (a cut connection, the cap) ends the decoder with it, and is the one to report.
  let sourceError: unknown;
  source.once('error', (error) => {
    sourceError = error;
    decoder.destroy(error);
  });
  source.pipe(decoder);
  try {
    for await (const chunk of decoder) yield chunk as Buffer;
  } catch (error) {
    if (error === sourceError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'Z_BUF_ERROR') throw new CutShort(`${coding} body cut short: it ends before its end marker`);
    throw new Error(`${coding} body cannot be decoded: ${(error as Error).message}`);
  } finally {
    source.destroy();
  }
}
