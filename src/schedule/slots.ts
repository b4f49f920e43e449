import type { Item, ItemResult } from '../types.js';

/** Where a slot gets its next item; `undefined` when the work has run out. */
export type NextItem = () => Item | undefined | Promise<Item | undefined>;

/** Slots that take items from `next`, get each with `download`, and pass its result to `onResult`. */
export interface SlotsRun {
  concurrency: number;
  next: NextItem;
  download: (item: Item) => Promise<ItemResult>;
  onResult: (result: ItemResult) => void;
}

/**
 * Keeps up to `concurrency` downloads in flight, each slot taking a new item as soon as its last
 * one is done. Used by the async strategy on the main thread and by every pool worker.
 */
export async function runSlots({ concurrency, next, download, onResult }: SlotsRun): Promise<void> {
  const slot = async () => {
    for (let item = await next(); item !== undefined; item = await next()) onResult(await download(item));
  };
  await Promise.all(Array.from({ length: concurrency }, slot));
}
