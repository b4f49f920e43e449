import { extname } from 'node:path';
import type { Readable } from 'node:stream';

/** A file ready to answer: what its headers say, what conditional requests compare, and its bytes. */
export interface ServedFile {
  size: number;
  type: string;
  /** A strong entity tag, quotes included. */
  etag: string;
  /** The file's mtime cut to whole seconds, as HTTP dates are: ms since the epoch. */
  modifiedMs: number;
  /** Bytes `start` to `end` (exclusive; `start < end`), at most once: a buffer when held in memory, else a stream from disk. */
  read(start: number, end: number): Buffer | Readable;
  /** Frees what `read` was not asked for; called once the answer is over, sent or not. */
  release(): void;
}

/** What a server serves: every file, listed at start, and a way to open one at request time. */
export interface FileSource {
  /**
   * The first segment of every URL path served: `flags` for the flags (`/flags/{cc}/{cc}.svg`, the
   * book's layout under a base URL); none for a folder, served at `/` as `python3 -m http.server`
   * and nginx serve one, so that its URLs, and the `{host}/{path}` files `--layout tree` makes of
   * them, hold its paths and nothing else.
   */
  under?: string;
  /** The relative path (segments joined by `/`) of every file served, as listed at start, sorted by URL. */
  paths: readonly string[];
  /** The file at these decoded, servable segments (see servedSegments), or undefined when there is none. */
  open(segments: readonly string[]): Promise<ServedFile | undefined>;
}

const contentTypes: Record<string, string> = {
  '.svg': 'image/svg+xml',
  '.gif': 'image/gif',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.json': 'application/json',
};

/** The Content-Type of a file, by the extension of its name. */
export function contentType(name: string): string {
  return contentTypes[extname(name)] ?? 'application/octet-stream';
}

/** The `modifiedMs` of a file whose mtime is `mtimeMs`. */
export const wholeSeconds = (mtimeMs: number) => Math.floor(mtimeMs / 1000) * 1000;
