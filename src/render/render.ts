import { closeSync, openSync, renameSync, writeFileSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { isMainThread, threadId } from 'node:worker_threads';
import { createContext, Script } from 'node:vm';
import { DEFAULT_MAX_PIXELS, defaultRenderTimeoutMs, renderMemoryCap } from './render-limits.js';
import { discardRenderer, loadRenderer } from './resvg.js';

export interface RenderOptions {
  /** Width of the PNG in pixels; the height follows from the SVG's aspect ratio. */
  width: number;
  /** Absolute destination folder; it exists and is writable. */
  dest: string;
  /** Prefix of this run's temporary files, so that they can be swept after an interruption. */
  tempPrefix: string;
  /** A bitmap of more pixels than this (width × height) is refused before it is rendered. */
  maxPixels?: number;
  /** A render that takes longer, parsing included, is stopped (default: by width, see `defaultRenderTimeoutMs`). */
  timeoutMs?: number;
}

export interface RenderedPng {
  /** Bytes of the PNG file. */
  bytes: number;
  /**
   * Time on this thread from the SVG read to the PNG in place, to 0.1 ms (the renderer's loading
   * and the read left out): one stretch in which the thread does nothing else, so that a flag's
   * render is the last `renderMs` of its time and the renders of one thread add up to CPU time.
   */
  renderMs: number;
  /** When the render started, in epoch ms (`performance.timeOrigin + performance.now()` on this thread). */
  startedAt: number;
}

/** A bitmap over this many pixels leaves its renderer holding that much memory: it is dropped after. */
const LARGE_BITMAP = 2048 * 2048;

/** Loads this thread's renderer ahead of the first render (a worker does it while its first requests wait). */
export function warmRenderer(maxPixels = DEFAULT_MAX_PIXELS): Promise<unknown> {
  return loadRenderer(renderMemoryCap(maxPixels));
}

/**
 * Renders an SVG file to `{dest}/{name}.png`, `width` pixels wide, on the calling thread, within
 * the pixel and time budgets. The PNG goes to a temporary file renamed into place only once
 * whole, as downloads do. Throws an Error whose message starts with `render failed:`,
 * `render refused:` or `render stopped:`, and then leaves neither the PNG nor its temporary file.
 */
export async function renderPng(svgPath: string, options: RenderOptions): Promise<RenderedPng> {
  const { width, maxPixels = DEFAULT_MAX_PIXELS, timeoutMs = defaultRenderTimeoutMs(width) } = options;
  if (!Number.isInteger(width) || width < 1) throw new RangeError(`renderPng: width must be a positive whole number, got ${width}`);
  const fileName = `${basename(svgPath, extname(svgPath))}.png`;
  const temp = join(options.dest, `${options.tempPrefix}${threadId}-${fileName}`);
  let tempIsOurs = false;
  try {
    const Resvg = await loadRenderer(renderMemoryCap(maxPixels));
    const svg = await readFile(svgPath);
    const started = performance.now();
    const { png, pixels } = withinBudget(timeoutMs, () => {
      // System fonts stay unloaded: flags have no text, and loading a font database for every
      // image costs more than rendering many flags.
      const resvg = new Resvg(svg, { fitTo: { mode: 'width', value: width }, font: { loadSystemFonts: false } });
      try {
        const height = Math.ceil((resvg.height * width) / resvg.width);
        if (!(height >= 1)) throw new RenderRefused(`the SVG has no area (${resvg.width} × ${resvg.height})`);
        if (width * height > maxPixels) {
          throw new RenderRefused(`${width} × ${height} px is over the budget of ${maxPixels.toLocaleString('en-US')} pixels (--max-pixels)`);
        }
        const image = resvg.render();
        try {
          return { png: image.asPng(), pixels: width * height };
        } finally {
          image.free();
        }
      } finally {
        resvg.free();
      }
    });
    if (pixels > LARGE_BITMAP) discardRenderer();
    // Written synchronously (a small file into the page cache): no other flag's work can land
    // between the render and its file in place. 'wx': a name already taken is never written through.
    const file = openSync(temp, 'wx');
    tempIsOurs = true;
    try {
      writeFileSync(file, png);
    } finally {
      closeSync(file);
    }
    renameSync(temp, join(options.dest, fileName));
    return { bytes: png.length, renderMs: Math.round((performance.now() - started) * 10) / 10, startedAt: performance.timeOrigin + started };
  } catch (error) {
    if (tempIsOurs) await rm(temp, { force: true });
    throw renderError(error, timeoutMs, maxPixels);
  }
}

/** An SVG whose render would break a budget: known before anything is drawn. */
class RenderRefused extends Error {}

let sandbox: { context: ReturnType<typeof createContext>; script: Script } | undefined;

/**
 * Runs `render` with V8 told to stop it after `timeoutMs`: a vm script's timeout ends whatever
 * the script calls, WebAssembly included. On the main thread Ctrl-C ends it too (`breakOnSigint`),
 * since no signal handler can run while the thread is busy in it.
 */
function withinBudget<T>(timeoutMs: number, render: () => T): T {
  sandbox ??= { context: createContext({}), script: new Script('render()') };
  sandbox.context.render = render;
  try {
    return sandbox.script.runInContext(sandbox.context, { timeout: timeoutMs, breakOnSigint: isMainThread }) as T;
  } finally {
    sandbox.context.render = undefined;
  }
}

function renderError(error: unknown, timeoutMs: number, maxPixels: number): Error {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (error instanceof RenderRefused) return new Error(`render refused: ${error.message}`);
  if (code === 'ERR_SCRIPT_EXECUTION_TIMEOUT' || code === 'ERR_SCRIPT_EXECUTION_INTERRUPTED' || error instanceof WebAssembly.RuntimeError) {
    // Stopped or trapped mid-way: the renderer's memory may be inconsistent.
    discardRenderer();
  }
  if (code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') return new Error(`render stopped: it took over ${timeoutMs} ms (--render-timeout)`, { cause: error });
  if (code === 'ERR_SCRIPT_EXECUTION_INTERRUPTED') {
    // The vm took this Ctrl-C for itself: passed on to the listeners now, before this flag's
    // result, so that the run knows it is interrupted; with none, it ends the process as Ctrl-C does.
    if (process.listenerCount('SIGINT') > 0) process.emit('SIGINT', 'SIGINT');
    else process.kill(process.pid, 'SIGINT');
    return new Error('render stopped: interrupted', { cause: error });
  }
  if (error instanceof WebAssembly.RuntimeError) {
    const capMiB = Math.round(renderMemoryCap(maxPixels) / 1024 ** 2);
    return new Error(`render failed: the renderer stopped (${(error as Error).message}), most likely out of its ${capMiB} MiB of memory`, { cause: error });
  }
  // A renderer's memory reserves some 10 GB of address space (V8's guard regions): ulimit -v or prlimit --as can refuse it.
  if (error instanceof RangeError && /Cannot allocate Wasm memory/.test(error.message)) {
    return new Error(
      "render failed: no address space for the renderer's memory (each reserves some 10 GB of virtual memory; under a limit such as ulimit -v, run flags with NODE_OPTIONS=--disable-wasm-trap-handler)",
      { cause: error },
    );
  }
  return new Error(`render failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
}
