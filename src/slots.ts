import type { ItemResult } from './types.js';

/** Where a slot gets its next code; `undefined` when the work has run out. */
export type NextCode = () => string | undefined | Promise<string | undefined>;

/**
 * Keeps up to `concurrency` downloads in flight, each slot taking a new code as soon as its last
 * one is done. Used by the async strategy on the main thread and by every pool worker.
 */
export async function runSlots(concurrency: number, next: NextCode, download: (cc: string) => Promise<ItemResult>, onResult: (result: ItemResult) => void): Promise<void> {
  const slot = async () => {
    for (let cc = await next(); cc !== undefined; cc = await next()) onResult(await download(cc));
  };
  await Promise.all(Array.from({ length: concurrency }, slot));
}
