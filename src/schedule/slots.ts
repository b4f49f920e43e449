import type { Item, ItemResult, Piece } from '../types.js';

/** What a slot takes next: an item, or a range of a split file (`--split`); `undefined` when the work has run out. */
export type Work = Item | Piece;

/** Where a slot gets its next work. */
export type NextWork = () => Work | undefined | Promise<Work | undefined>;

/** Slots that take work from `next`, get each item with `download` and pass its result to `onResult`, and fetch each piece with `fetchPiece`. */
export interface SlotsRun {
  concurrency: number;
  next: NextWork;
  download: (item: Item) => Promise<ItemResult>;
  onResult: (result: ItemResult) => void;
  fetchPiece?: (piece: Piece) => Promise<void>;
}

export const isPiece = (work: Work): work is Piece => 'split' in work;

/**
 * Keeps up to `concurrency` downloads in flight, each slot taking new work as soon as its last
 * is done. Used by the async strategy on the main thread and by every pool worker.
 */
export async function runSlots({ concurrency, next, download, onResult, fetchPiece }: SlotsRun): Promise<void> {
  const slot = async () => {
    for (let work = await next(); work !== undefined; work = await next()) {
      if (!isPiece(work)) onResult(await download(work));
      else if (fetchPiece !== undefined) await fetchPiece(work);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, slot));
}
