import { readFile, rename, rm, writeFile } from 'node:fs/promises';
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
  /** Wall time on this thread from reading the SVG to the PNG in place (resvg's loading left out). */
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
    const started = performance.now();
    const svg = await readFile(svgPath);
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
    await writeFile(temp, png);
    await rename(temp, join(options.dest, fileName));
    return { bytes: png.length, renderMs: Math.round(performance.now() - started) };
  } catch (error) {
    await rm(temp, { force: true });
    throw new Error(`render failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

