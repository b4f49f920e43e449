import { join } from 'node:path';
import { renderPng } from './render.js';
import type { Attempt, FetchOptions } from './types.js';

/** How a flag ended once its PNG stage is over: `renderMs` only when a PNG was rendered. */
export type Rendered = Attempt & { renderMs?: number };

/**
 * The CPU stage after a flag's SVG is saved: renders it to `{cc}.png`, `width` px wide, on the
 * thread that downloaded it, within the run's pixel and time budgets. A render that fails, is
 * refused or is stopped makes the flag an error that says so; the SVG, whole, stays. After
 * Ctrl-C no render starts. Never throws.
 */
export async function renderStage(
  cc: string,
  saved: Attempt,
  width: number,
  options: Pick<FetchOptions, 'dest' | 'ext' | 'tempPrefix' | 'maxPixels' | 'renderTimeoutMs'>,
  cancel?: AbortSignal,
): Promise<Rendered> {
  if (cancel?.aborted) return { status: 'error', bytes: 0, error: 'interrupted before its render' };
  const { dest, ext, tempPrefix, maxPixels, renderTimeoutMs } = options;
  try {
    const { renderMs } = await renderPng(join(dest, `${cc}.${ext}`), { width, dest, tempPrefix, maxPixels, timeoutMs: renderTimeoutMs });
    return { ...saved, renderMs };
  } catch (error) {
    return { status: 'error', bytes: 0, error: error instanceof Error ? error.message : String(error) };
  }
}
