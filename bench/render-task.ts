import { setTimeout as sleep } from 'node:timers/promises';
import { renderPng, warmRenderer, type RenderedPng, type RenderOptions } from '../src/render/render.js';

/** The render stage alone, as a Piscina task: the figures of bench/render-cost.ts. */
export default function render({ svgPath, options }: { svgPath: string; options: RenderOptions }): Promise<RenderedPng> {
  return renderPng(svgPath, options);
}

/**
 * Loads the renderer in this worker, then waits until every worker of the pool has, so that each of
 * them gets one of these tasks and the timed renders that follow find it loaded everywhere.
 */
export async function warm({ loaded, total }: { loaded: Int32Array; total: number }): Promise<void> {
  await warmRenderer();
  Atomics.add(loaded, 0, 1);
  while (Atomics.load(loaded, 0) < total) await sleep(5);
}
