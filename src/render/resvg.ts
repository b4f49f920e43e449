import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { withMemoryCap } from './wasm-memory-cap.js';

type ResvgWasm = typeof import('@resvg/resvg-wasm');

/** The renderer's class, from one instance of the WebAssembly module. */
export type ResvgClass = ResvgWasm['Resvg'];

const require = createRequire(import.meta.url);

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
    // The glue keeps its instance in module state and can be initialised once: a fresh copy of
    // the module, out of the require cache, is a fresh instance, and the old one is collected.
    const glueFile = require.resolve('@resvg/resvg-wasm');
    delete require.cache[glueFile];
    const glue = require(glueFile) as ResvgWasm;
    await glue.initWasm(module);
    return glue.Resvg;
  })();
  current.catch(() => (current = undefined));
  return current;
}

/**
 * Drops this thread's renderer: after a render stopped mid-way its memory may be inconsistent,
 * and after a large one it holds memory it will never give back (a WebAssembly memory only grows).
 */
export function discardRenderer(): void {
  current = undefined;
}
