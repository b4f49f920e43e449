/**
 * A download run keeps a small heap (some 8 MB) through which hundreds of MB pass. There V8's
 * incremental marking starts again as soon as a full collection ends: 17-21 of them over the
 * 1,000 files in async mode, against 4-6 collections without it. Without incremental marking, V8 collects the
 * old generation all at once, when it reaches its limit: a pause of a few ms on a heap this size.
 * Process-wide, so the CLI sets it for its own runs; a program that imports the library keeps its
 * own settings.
 */
export function preferThroughputGc(): void {
  // node:v8 loads here, not with the CLI: some 3 ms that a threads run has no use for.
  process.getBuiltinModule('node:v8').setFlagsFromString('--no-incremental-marking');
}
