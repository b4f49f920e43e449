import { rename, rm } from 'node:fs/promises';
import { forgetPart, removePart } from '../store/part-file.js';
import { preparePathInside } from '../store/safe-path.js';
import type { Attempt, FetchOptions, Item } from '../types.js';

/** A Last-Modified header as a date, when it is one. */
export function validDate(header: string | null): Date | undefined {
  const date = new Date(header ?? Number.NaN);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/**
 * Puts a whole body, written at `path` (its mtime already the server's Last-Modified), in place at
 * `target`, once it meets its checksum: a rename (a symlink in the way is replaced, not followed).
 * Bytes that do not meet it are removed, never renamed: the next attempt (one) may get them right.
 */
export async function place(path: string, target: string, item: Item, body: { bytes: number; sha256?: string }, options: FetchOptions): Promise<Attempt> {
  if (item.sha256 !== undefined && body.sha256 !== item.sha256) {
    await rm(path, { force: true });
    if (options.resume) await removePart(target);
    return { status: 'error', bytes: 0, error: `sha256 mismatch: got ${body.sha256}, expected ${item.sha256}`, transient: { retries: 1 } };
  }
  if (!options.resume && item.file.includes('/')) {
    // Only a whole file makes its folders: an answer that is none (a 404) leaves no empty ones behind.
    await saving(options.dest, () => preparePathInside(options.dest, item.file)).catch(async (error: unknown) => {
      await rm(path, { force: true });
      throw error;
    });
  }
  await saving(options.dest, () => rename(path, target));
  if (options.resume) await forgetPart(target);
  return { status: 'ok', bytes: body.bytes, ...(options.sha256 && body.sha256 !== undefined ? { sha256: body.sha256 } : {}) };
}

/**
 * A failure of the file system names the folder, not the temporary file, so that a folder gone or
 * full reads as one error for all the items it fails.
 */
export async function saving<T>(dest: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    // Node's message goes on to name the file: `ENOENT: no such file or directory, open '…'`.
    throw new Error(`cannot save to ${dest}: ${(error as Error).message.replace(/, \w+ '.*$/s, '')}`);
  }
}
