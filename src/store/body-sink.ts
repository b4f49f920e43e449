import { createHash, type Hash } from 'node:crypto';
import { type FileHandle, open } from 'node:fs/promises';
import { constants, createReadStream } from 'node:fs';
import { createNew } from './exclusive-file.js';

/**
 * Bodies up to this size are gathered and written with one call, as a flag always is; past it the
 * body streams to its file as it arrives, so that memory stays at this much per download in flight.
 */
export const IN_MEMORY_BYTES = 1024 * 1024;

/** Where a body goes: a new temporary file, or the `.part` file of `--continue` (appended to, or begun anew). */
export type SinkTarget = { temp: string } | { part: string; append: boolean };

/**
 * Takes a body chunk by chunk, hashing it on the way when asked, and writes it to its target:
 * in one write if it stays small, else in batches of `IN_MEMORY_BYTES`, one batch on its way to
 * the disk while the next gathers, so that the download never waits for the disk chunk by chunk
 * (a write per 16-64 KiB chunk, each awaited, left the thread idle most of the time). A file is
 * opened once and closed once, its mtime set on the open handle. `finish` returns the path written
 * (a temporary file may have stepped around a name in the way) and the digest.
 */
export class BodySink {
  #chunks: Buffer[] = [];
  #buffered = 0;
  #bytes = 0;
  #file: FileHandle | undefined;
  #path: string | undefined;
  /** The batch being written, awaited before the next one goes. */
  #writing: Promise<unknown> = Promise.resolve();
  readonly #target: SinkTarget;
  readonly #hash: Hash | undefined;

  constructor(target: SinkTarget, sha256: boolean) {
    this.#target = target;
    this.#hash = sha256 ? createHash('sha256') : undefined;
  }

  /** Hashes the bytes a resumed `.part` already holds, so that the digest is the whole file's. */
  async hashExisting(path: string): Promise<void> {
    if (this.#hash === undefined) return;
    for await (const chunk of createReadStream(path)) this.#hash.update(chunk as Buffer);
  }

  /** Bytes taken so far (not counting a `.part`'s earlier bytes). */
  get bytes(): number {
    return this.#bytes;
  }

  /** The path being written, once a file is open (for removal after a failure). */
  get path(): string | undefined {
    return this.#path;
  }

  /** Gathers `chunk`; once a batch is full, sends it on and returns the wait for the batch before it (else nothing to wait for). */
  write(chunk: Buffer): Promise<void> | undefined {
    this.#hash?.update(chunk);
    this.#bytes += chunk.length;
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
    return this.#buffered >= IN_MEMORY_BYTES ? this.#flush() : undefined;
  }

  /** Writes what is left, sets the file's mtime to `modified` when given, and closes it. */
  async finish(modified?: Date): Promise<{ path: string; sha256?: string }> {
    await this.#flush();
    await this.#writing;
    const file = this.#file!;
    this.#file = undefined;
    try {
      if (modified !== undefined) await file.utimes(modified, modified);
    } finally {
      await file.close();
    }
    return { path: this.#path!, ...(this.#hash === undefined ? {} : { sha256: this.#hash.digest('hex') }) };
  }

  /**
   * Closes the file after a failure. The bytes received so far go to a `.part` first, as the
   * next attempt resumes from its end; a temporary file is the caller's to remove.
   */
  async abandon(): Promise<void> {
    try {
      if ('part' in this.#target) await this.#flush();
      await this.#writing;
    } catch {
      // The failure being handled already decides the outcome.
    }
    await this.#file?.close().catch(() => {});
    this.#file = undefined;
  }

  /** Sends the gathered batch to the file, once the batch before it is written. */
  async #flush(): Promise<void> {
    await this.#writing;
    this.#file ??= await this.#open();
    const batch = this.#chunks;
    this.#chunks = [];
    this.#buffered = 0;
    // A small body is this one batch: one open, one write.
    if (batch.length > 0) this.#writing = this.#file.writev(batch);
    // Its failure (a full disk) is met at the next flush or at the end, never left unhandled.
    this.#writing.catch(() => {});
  }

  async #open(): Promise<FileHandle> {
    if ('temp' in this.#target) {
      const { file, created } = await createNew(this.#target.temp);
      this.#path = created;
      return file;
    }
    this.#path = this.#target.part;
    return openPart(this.#target.part, this.#target.append ? 'append' : 'anew');
  }
}

/**
 * A `.part` has a name anyone can guess: it is opened without following a symlink, without
 * blocking on a FIFO, and used only when it is a regular file with no other name (a hard link
 * planted there would lead to a file elsewhere); only then is it emptied for a fresh start
 * (`anew`). A split's (`ranges`) is written in place, at positions: not opened to append.
 */
export async function openPart(path: string, how: 'append' | 'anew' | 'ranges'): Promise<FileHandle> {
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_NOFOLLOW | constants.O_NONBLOCK | (how === 'ranges' ? 0 : constants.O_APPEND);
  let file: FileHandle;
  try {
    file = await open(path, flags, 0o644);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP' || code === 'ENXIO') throw new Error(`${path} is a symlink or a FIFO, not a partial download: remove it`);
    throw error;
  }
  const stats = await file.stat();
  if (!stats.isFile() || stats.nlink !== 1) {
    await file.close();
    throw new Error(`${path} is not a regular file of its own (${stats.isFile() ? 'it has other names' : 'not a file'}): remove it`);
  }
  if (how === 'anew') await file.truncate(0);
  return file;
}
