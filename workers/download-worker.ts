import { setMaxListeners } from 'node:events';
import { threadId } from 'node:worker_threads';
import { getItem } from '../src/schedule/get-item.js';
import type { RequestGate } from '../src/schedule/limits.js';
import type { MainMessage, WorkerMessage, WorkerTask } from '../src/schedule/messages.js';
import { unexpectedMessage } from '../src/schedule/pool-errors.js';
import { warmRenderer } from '../src/render/render.js';
import { runSlots, type Work } from '../src/schedule/slots.js';
import { fetchPiece, rangeRetry } from '../src/fetch/range-piece.js';
import type { Piece, PieceExchange, PieceOutcome, PieceWritten, RetryNotice } from '../src/types.js';

/** How often a worker sends the bytes its bodies received. */
const BYTES_EVERY_MS = 200;

// A thread may run several tasks (one that replaces a failed task can land here): it starts once.
let announced = false;

/** A pool task: download the items the main thread hands out over `port`, posting each result. */
export default async function downloadTask({ port, fetch, concurrency, limited }: WorkerTask): Promise<void> {
  const cancel = new AbortController();
  // Every slot listens to it at once (a request, a backoff wait): no leak past 10.
  setMaxListeners(0, cancel.signal);
  const answers: ((work: Work | undefined) => void)[] = [];
  // By URL: an item waits for one permit at a time.
  const permits = new Map<string, (granted: boolean) => void>();
  // By split: its owner waits for one answer of each kind at a time.
  const shares = new Map<string, (outcomes: PieceOutcome[]) => void>();
  const takeBacks = new Map<string, (piece: Piece | undefined) => void>();
  // By split: its owner's ear for its ranges' bytes on disk, until the last has ended.
  const writtenEars = new Map<string, PieceWritten>();
  const post = (message: WorkerMessage) => port.postMessage(message);
  const answered = <T>(waiting: Map<string, (value: T) => void>, key: string, value: T) => {
    waiting.get(key)?.(value);
    waiting.delete(key);
  };
  port.on('message', (message: MainMessage) => {
    switch (message.type) {
      case 'work':
        return answers.shift()?.(message.item ?? undefined);
      case 'piece':
        return answers.shift()?.(message.piece);
      case 'shared':
        writtenEars.delete(message.split);
        return answered(shares, message.split, message.outcomes);
      case 'written':
        return writtenEars.get(message.split)?.(message.start, message.bytes);
      case 'taken-back':
        return answered(takeBacks, message.split, message.piece ?? undefined);
      case 'permit':
        permits.get(message.url)?.(true);
        permits.delete(message.url);
        return;
      case 'cancel':
        cancel.abort();
        for (const grant of permits.values()) grant(false);
        permits.clear();
        return;
      default:
        // Thrown in the thread: the task fails, and the main thread hands what it held to another.
        throw unexpectedMessage('main thread', message);
    }
  });
  const gate: RequestGate | undefined = limited
    ? {
        acquire: (item) =>
          cancel.signal.aborted
            ? Promise.resolve(false)
            : new Promise((resolve) => {
                permits.set(item.url, resolve);
                post({ type: 'want-permit', url: item.url });
              }),
        sent: (item) => post({ type: 'sent', url: item.url }),
        release: (item) => post({ type: 'permit-back', url: item.url }),
      }
    : undefined;
  if (!announced) {
    announced = true;
    // When this thread's environment came up: on Node 20 a worker shares the process's
    // timeOrigin, so timeOrigin alone would say the process start; nodeTiming says the thread's.
    post({ type: 'started', thread: threadId, startedAt: performance.timeOrigin + performance.nodeTiming.environment });
  }
  // The renderer loads while the first requests wait for their answers, rather than inside the
  // first render; should it fail to load, that render says why.
  if (fetch.png !== undefined) warmRenderer(fetch.maxPixels).catch(() => {});
  const exchange: PieceExchange | undefined =
    (fetch.split ?? 1) > 1
      ? {
          share: (split, pieces, onWritten) =>
            new Promise((resolve) => {
              shares.set(split, resolve);
              if (onWritten !== undefined) writtenEars.set(split, onWritten);
              post({ type: 'share', split, pieces: [...pieces] });
            }),
          takeBack: (split) =>
            new Promise((resolve) => {
              takeBacks.set(split, resolve);
              post({ type: 'take-back', split });
            }),
          written: (piece, bytes) => post({ type: 'piece-written', piece, bytes }),
          done: (piece, outcome) => post({ type: 'piece-done', piece, outcome }),
        }
      : undefined;
  // Only a split's record (--continue) hears its ranges' bytes on disk.
  const written = exchange !== undefined && fetch.resume ? (piece: Piece, bytes: number) => exchange.written(piece, bytes) : undefined;
  const next = () =>
    cancel.signal.aborted
      ? undefined
      : new Promise<Work | undefined>((resolve) => {
          answers.push(resolve);
          post({ type: 'want' });
        });
  // Bytes are gathered and sent a few times a second: a message per chunk would cost more than the chunk.
  let pendingBytes = 0;
  let bytesTimer: NodeJS.Timeout | undefined;
  /** The bytes gathered since the last post, which the caller posts. */
  const takeBytes = () => {
    clearTimeout(bytesTimer);
    bytesTimer = undefined;
    const bytes = pendingBytes;
    pendingBytes = 0;
    return bytes;
  };
  const flushBytes = () => {
    const bytes = takeBytes();
    if (bytes > 0) post({ type: 'bytes', bytes });
  };
  const onBytes = (bytes: number) => {
    pendingBytes += bytes;
    bytesTimer ??= setTimeout(flushBytes, BYTES_EVERY_MS);
  };
  try {
    const onRetry = (notice: RetryNotice) => post({ type: 'retry', notice });
    await runSlots({
      concurrency,
      next,
      download: (item) => getItem({ item, options: fetch, cancel: cancel.signal, events: { onRetry, onBytes }, gate, exchange }),
      fetchPiece: async (piece) =>
        exchange?.done(piece, await fetchPiece(piece, { options: fetch, cancel: cancel.signal, onBytes, gate, onWritten: written, onRangeRetry: rangeRetry(onRetry) })),
      // A message of its own for the bytes before each result cost more than the result's.
      onResult: (result) => post({ type: 'result', result, bytes: takeBytes() }),
    });
  } finally {
    flushBytes();
    port.close();
  }
}
