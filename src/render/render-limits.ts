/** What needs @resvg/resvg-wasm, an optional package, as a MissingPackageError says it. */
export const RENDERING = 'PNG rendering (--png)';

/** The largest bitmap rendered by default: a square at the widest `--png`, 64 MiB of RGBA. */
export const DEFAULT_MAX_PIXELS = 4096 * 4096;

/**
 * The longest a render may take by default, parsing included, in wall time: the slowest flag at
 * 4096 px takes up to 5 s here, and twenty threads sharing two cores stretch that tenfold.
 */
export const DEFAULT_RENDER_TIMEOUT_MS = 60_000;

/**
 * Memory a renderer may take: room for the bitmap, the few more of its size that filters and
 * the PNG encoder work in, and the parsed SVG. Past it the render fails instead of growing.
 */
export const renderMemoryCap = (maxPixels: number) => Math.min(4 * 1024 ** 3, 64 * 1024 ** 2 + maxPixels * 4 * 6);
