import { setFlagsFromString } from 'node:v8';

/**
 * A download run keeps a small heap (some 8 MB) through which hundreds of MB pass. There V8's
 * incremental marking starts again as soon as a full collection ends: 17-21 of them over the
 * 1,000 files in async mode, against 1-2 without it. Without incremental marking, V8 collects the
 * old generation all at once, when it reaches its limit: a pause of a few ms on a heap this size.
 * Process-wide (the pool's threads get it too), so the CLI sets it for its own runs; a program
 * that imports the library keeps its own settings.
 */
export function preferThroughputGc(): void {
  setFlagsFromString('--no-incremental-marking');
}
