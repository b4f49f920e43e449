import type { FileHandle } from 'node:fs/promises';
import { IN_MEMORY_BYTES } from './body-sink.js';

/**
 * Writes a range's chunks in place, from `position` on, in a file open for positional writes
 * (a split's): gathered in batches of `IN_MEMORY_BYTES`, one batch on its way to the disk while
 * the next gathers, as `BodySink` does. `written` counts only the bytes on disk, so that what a
 * broken range leaves can be kept (`--continue`) and fetched no more.
 */
export class RangeSink {
  readonly #file: FileHandle;
  #position: number;
  #chunks: Buffer[] = [];
  #buffered = 0;
  #written = 0;
  #writing: Promise<unknown> = Promise.resolve();

  constructor(file: FileHandle, position: number) {
    this.#file = file;
    this.#position = position;
  }

  /** Bytes on disk from the range's start. */
  get written(): number {
    return this.#written;
  }

  async write(chunk: Buffer): Promise<void> {
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
    if (this.#buffered >= IN_MEMORY_BYTES) await this.#flush();
  }

  /** Writes what is left; throws what a write met (a full disk). */
  async end(): Promise<void> {
    await this.#flush();
    await this.#writing;
  }

  /** After a failure: waits for the batch on its way, whatever becomes of it. */
  async settle(): Promise<void> {
    await this.#writing.catch(() => {});
  }

  async #flush(): Promise<void> {
    await this.#writing;
    if (this.#buffered === 0) return;
    const [batch, size, at] = [this.#chunks, this.#buffered, this.#position];
    this.#chunks = [];
    this.#buffered = 0;
    this.#position += size;
    this.#writing = this.#file.writev(batch, at).then(() => {
      this.#written += size;
    });
    // Its failure is met at the next flush or at the end, never left unhandled.
    this.#writing.catch(() => {});
  }
}
