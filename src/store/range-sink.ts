import type { FileHandle } from 'node:fs/promises';

/**
 * A range's batch: a quarter of a whole body's (`IN_MEMORY_BYTES`), as a split has up to
 * `--split` ranges in flight for one file, and memory is counted per file.
 */
const BATCH_BYTES = 256 * 1024;

/**
 * Writes a range's chunks in place, from `position` on, in a file open for positional writes
 * (a split's): gathered in batches of `BATCH_BYTES`, one batch on its way to the disk while
 * the next gathers, as `BodySink` does. `written` counts only the bytes on disk, so that what a
 * broken range leaves can be kept (`--continue`) and fetched no more; `onWritten` hears it grow.
 */
export class RangeSink {
  readonly #file: FileHandle;
  #position: number;
  #chunks: Buffer[] = [];
  #buffered = 0;
  #written = 0;
  #writing: Promise<unknown> = Promise.resolve();
  readonly #onWritten: ((written: number) => void) | undefined;

  constructor(file: FileHandle, position: number, onWritten?: (written: number) => void) {
    this.#file = file;
    this.#position = position;
    this.#onWritten = onWritten;
  }

  /** Bytes on disk from the range's start. */
  get written(): number {
    return this.#written;
  }

  async write(chunk: Buffer): Promise<void> {
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
    if (this.#buffered >= BATCH_BYTES) await this.#flush();
  }

  /** Writes what is left; throws what a write met (a full disk). */
  async end(): Promise<void> {
    await this.#flush();
    await this.#writing;
  }

  /** After a failure: the bytes gathered go to the disk too (good bytes, for `--continue` to keep), whatever becomes of them. */
  async abandon(): Promise<void> {
    await this.#flush().catch(() => {});
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
      this.#onWritten?.(this.#written);
    });
    // Its failure is met at the next flush or at the end, never left unhandled.
    this.#writing.catch(() => {});
  }
}
