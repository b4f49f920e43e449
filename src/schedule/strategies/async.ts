import { fetchPiece, rangeRetry } from '../../fetch/range-piece.js';
import { getItem } from '../get-item.js';
import { RequestLimits } from '../limits.js';
import { WorkQueue } from '../partition.js';
import { PieceBoard } from '../piece-board.js';
import { type NextWork, runSlots } from '../slots.js';
import type { Item, Piece, Strategy } from '../../types.js';

/** The main thread's event loop alone, with up to `concurrency` requests in flight (and within `--per-host` and `--rate`). */
export const asyncStrategy: Strategy = async (items, options, { onResult, onRetry, onBytes, signal }) => {
  const queue = new WorkQueue(items);
  const limits = RequestLimits.of(options, signal);
  const nextItem = () => (limits ? limits.next(queue) : signal.aborted ? undefined : queue.take());
  // `--split`: the ranges of a big file go to the free slots first.
  const board = (options.split ?? 1) > 1 ? new PieceBoard() : undefined;
  // Only a split's record (--continue) hears its ranges' bytes on disk.
  const written = board !== undefined && options.resume ? (piece: Piece, bytes: number) => board.written(piece, bytes) : undefined;
  const next: NextWork =
    board === undefined
      ? nextItem
      : async () => {
          const piece = board.take();
          if (piece !== undefined) return piece;
          const item: Item | undefined = await nextItem();
          if (item === undefined) return new Promise((hand) => board.wait(hand));
          board.started();
          return item;
        };
  try {
    await runSlots({
      concurrency: options.concurrency,
      next,
      download: (item) => getItem({ item, options, cancel: signal, events: { onRetry, onBytes }, gate: limits?.gate, exchange: board }),
      onResult: (result) => {
        board?.finished();
        if (!limits || limits.finished(result)) onResult(result);
      },
      fetchPiece: async (piece) =>
        board?.done(piece, await fetchPiece(piece, { options, cancel: signal, onBytes, gate: limits?.gate, onWritten: written, onRangeRetry: rangeRetry(onRetry) })),
    });
  } finally {
    limits?.close();
  }
  return { threads: 0, workersStarted: 0, workerStartupMs: null, workers: [] };
};
