import { renameSync, writeFileSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { threadId } from 'node:worker_threads';

type Resvg = typeof import('@resvg/resvg-js');

export interface RenderOptions {
  /** Width of the PNG in pixels; the height follows from the SVG's aspect ratio. */
  width: number;
  /** Absolute destination folder; it exists and is writable. */
  dest: string;
  /** Prefix of this run's temporary files, so that they can be swept after an interruption. */
  tempPrefix: string;
}

export interface RenderedPng {
  /** Bytes of the PNG file. */
  bytes: number;
  /**
   * Time on this thread from the SVG read to the PNG in place, to 0.1 ms (resvg's loading and the
   * read left out): one stretch in which the thread does nothing else, so that a flag's render is
   * the last `renderMs` of its time and the renders of one thread add up to CPU time, not overlap.
   */
  renderMs: number;
}

let resvg: Promise<Resvg> | undefined;

/**
 * Loads resvg's native module in this thread, once: only on the first render (or when a worker
 * warms it up at start-up), so that a run without PNGs never pays for it.
 */
export function loadResvg(): Promise<Resvg> {
  resvg ??= import('@resvg/resvg-js');
  return resvg;
}

/**
 * Renders an SVG file to `{dest}/{name}.png`, `width` pixels wide, on the calling thread. The PNG
 * goes to a temporary file renamed into place only once whole, as downloads do. Throws an Error
 * whose message starts with `render failed:`, and then leaves neither the PNG nor its temporary file.
 */
export async function renderPng(svgPath: string, options: RenderOptions): Promise<RenderedPng> {
  if (!Number.isInteger(options.width) || options.width < 1) {
    throw new RangeError(`renderPng: width must be a positive whole number, got ${options.width}`);
  }
  const fileName = `${basename(svgPath, extname(svgPath))}.png`;
  const temp = join(options.dest, `${options.tempPrefix}${threadId}-${fileName}`);
  try {
    const { Resvg } = await loadResvg();
    const svg = await readFile(svgPath);
    const started = performance.now();
    // The synchronous renderer on purpose: the CPU stage must run on this thread, not on libuv's
    // pool that renderAsync would use. System fonts stay unloaded: flags have no text, and loading
    // the font database for every image costs more than rendering many flags.
    const png = new Resvg(svg, {
      fitTo: { mode: 'width', value: options.width },
      font: { loadSystemFonts: false },
      logLevel: 'off',
    })
      .render()
      .asPng();
    // Written synchronously (a small file into the page cache): no other flag's work can land
    // between the render and its file in place.
    writeFileSync(temp, png);
    renameSync(temp, join(options.dest, fileName));
    return { bytes: png.length, renderMs: Math.round((performance.now() - started) * 10) / 10 };
  } catch (error) {
    await rm(temp, { force: true });
    throw new Error(`render failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}
