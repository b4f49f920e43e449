/** What needs @resvg/resvg-wasm, an optional package, as a MissingPackageError says it. */
export const RENDERING = 'PNG rendering (--png)';

/** The largest bitmap rendered by default: a square at the widest `--png`, 64 MiB of RGBA. */
export const DEFAULT_MAX_PIXELS = 4096 * 4096;

/** The default render budget per million pixels, and its floor: see `defaultRenderTimeoutMs`. */
const RENDER_MS_PER_MEGAPIXEL = 4000;
const MIN_RENDER_TIMEOUT_MS = 2000;

/**
 * The longest a render at `width` px may take by default, parsing included, in wall time: 4 s per
 * million pixels of a flag's 4:3 bitmap at that width, at least 2 s (2 s at 640 px, 50 s at 4096).
 * A render takes about 0.3 s per million pixels for the slowest flags of the catalogue, one
 * thread on a loaded machine (af at 640 px: 89 ms; ax at 4096 px: 3.8 s), and twenty threads
 * sharing two cores stretch that tenfold: the budget leaves room for them, and holds a thread on a
 * hostile SVG for seconds at a flag's size, not a minute.
 */
export function defaultRenderTimeoutMs(width: number): number {
  const pixels = width * Math.ceil((width * 3) / 4);
  return Math.max(MIN_RENDER_TIMEOUT_MS, Math.ceil((pixels * RENDER_MS_PER_MEGAPIXEL) / 1e6));
}

/**
 * Memory a renderer may take: room for the bitmap, the few more of its size that filters and
 * the PNG encoder work in, and the parsed SVG. Past it the render fails instead of growing.
 */
export const renderMemoryCap = (maxPixels: number) => Math.min(4 * 1024 ** 3, 64 * 1024 ** 2 + maxPixels * 4 * 6);
