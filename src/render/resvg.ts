import { channel } from 'node:diagnostics_channel';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { compileFunction } from 'node:vm';
import { withMemoryCap } from './wasm-memory-cap.js';

type ResvgWasm = typeof import('@resvg/resvg-wasm');

/** The renderer's class, from one instance of the WebAssembly module. */
export type ResvgClass = ResvgWasm['Resvg'];

const require = createRequire(import.meta.url);

/**
 * Told, in the thread that renders, each time a renderer is made from resvg's files: resvg loads
 * in no module cache (see `freshGlue`), so this is how a test sees whether a run loaded it.
 */
export const RENDERER_LOADED = 'flags:resvg-loaded';
const loaded = channel(RENDERER_LOADED);

/**
 * resvg compiled to WebAssembly rather than its native build, for what a downloaded SVG may ask:
 * - code in WebAssembly stops when V8 is told to (a vm timeout, a thread's termination), where
 *   native code runs on until it returns, minutes for some SVGs, and holds the process with it;
 * - it has no file system: an `<image href="/some/path">` reads nothing from the local disk,
 *   and an http(s) one is left unloaded (resvg-js asks its caller to fetch those);
 * - its memory has a ceiling written into the binary (`withMemoryCap`).
 * The price, measured here: renders take about 1.5 times as long as the native build's.
 */
let compiled: { capBytes: number; module: Promise<WebAssembly.Module> } | undefined;
let current: Promise<ResvgClass> | undefined;

/** The binary with its memory capped, compiled once per thread (and again only for another cap). */
function compiledModule(capBytes: number): Promise<WebAssembly.Module> {
  if (compiled?.capBytes !== capBytes)
    compiled = { capBytes, module: readFile(require.resolve('@resvg/resvg-wasm/index_bg.wasm')).then((bytes) => WebAssembly.compile(withMemoryCap(bytes, capBytes))) };
  return compiled.module;
}

/**
 * The renderer of this thread, its memory capped at `capBytes`: an instance made on the first
 * render (so that a run without PNGs never pays for it) and kept until `discardRenderer`.
 */
export function loadRenderer(capBytes: number): Promise<ResvgClass> {
  current ??= (async () => {
    const module = await compiledModule(capBytes);
    const glue = freshGlue();
    await glue.initWasm(module);
    loaded.publish({ capBytes });
    return glue.Resvg;
  })();
  current.catch(() => (current = undefined));
  return current;
}

/**
 * The glue's file, compiled once per thread, as a function of CommonJS's `module` and `exports`,
 * and of `Request`, `Response` and `fetch`, given as undefined: handed a compiled module, it needs
 * none of them, yet its checks for them (`instanceof Request`) would load Node's fetch, undici, and
 * with it undici's own WebAssembly HTTP parser, whose instance a tight address-space limit fails
 * outside of any render (an unhandled rejection that ended the process).
 */
type GlueFactory = (module: { exports: object }, exports: object, Request: undefined, Response: undefined, fetch: undefined) => void;
let glueFactory: GlueFactory | undefined;

/**
 * A copy of resvg's JavaScript glue of its own. The glue keeps its instance in module state and
 * can be initialised once, so a fresh renderer needs a fresh copy; `require` cannot give one that
 * is ever freed (each copy stays in the children of the module that required it, with its
 * instance: about 100 MB a render at 4096 px, until the process ran out of memory). The glue is
 * one self-contained CommonJS file, run here as `require` would run it, and held by nothing else.
 */
function freshGlue(): ResvgWasm {
  if (glueFactory === undefined) {
    const file = require.resolve('@resvg/resvg-wasm');
    glueFactory = compileFunction(readFileSync(file, 'utf8'), ['module', 'exports', 'Request', 'Response', 'fetch'], { filename: file }) as unknown as GlueFactory;
  }
  const module = { exports: {} };
  glueFactory(module, module.exports, undefined, undefined, undefined);
  return module.exports as ResvgWasm;
}

/**
 * Drops this thread's renderer: after a render stopped mid-way its memory may be inconsistent,
 * and after a large one it holds memory it will never give back (a WebAssembly memory only grows).
 */
export function discardRenderer(): void {
  current = undefined;
}
