import { join } from 'node:path';
import { renderPng } from './render.js';
import type { Attempt, FetchOptions, Item } from '../types.js';

/** How an item ended once its PNG stage is over: `renderMs` and `renderStartedAt` only when a PNG was rendered. */
export type Rendered = Attempt & { renderMs?: number; renderStartedAt?: number };

/**
 * The CPU stage after an item's SVG is saved at `{dest}/{file}`: renders it to `{dest}/{name}.png`
 * (beside it: a flag's file is never in a folder), `width` px wide, on the thread that downloaded
 * it, within the run's pixel and time budgets. A render that fails, is refused or is stopped makes
 * the item an error that says so; the SVG, whole, stays. After Ctrl-C no render starts. Never throws.
 */
export async function renderStage(
  item: Item,
  saved: Attempt,
  width: number,
  options: Pick<FetchOptions, 'dest' | 'tempPrefix' | 'maxPixels' | 'renderTimeoutMs'>,
  cancel?: AbortSignal,
): Promise<Rendered> {
  if (cancel?.aborted) return { status: 'error', bytes: 0, error: 'interrupted before its render' };
  const { dest, tempPrefix, maxPixels, renderTimeoutMs } = options;
  try {
    const { renderMs, startedAt } = await renderPng(join(dest, item.file), { width, dest, tempPrefix, maxPixels, timeoutMs: renderTimeoutMs });
    return { ...saved, renderMs, renderStartedAt: startedAt };
  } catch (error) {
    return { status: 'error', bytes: 0, error: error instanceof Error ? error.message : String(error) };
  }
}
