import type { FileHandle } from 'node:fs/promises';
import type { Span } from '../types.js';
import { merged } from './part-file.js';

/** How often a running split's record is brought up to date (`--continue`): about what a run killed outright loses. */
export const RECORD_EVERY_MS = 2000;

/**
 * Keeps a split's `.part.json` up to date while its ranges run (`--continue`), so that a run
 * killed outright (SIGKILL, a crash, a power cut) keeps what was on disk a few seconds before,
 * rather than only what its start recorded. Each range tells the bytes from its start that it has
 * on disk (`wrote`); every `RECORD_EVERY_MS` with news, the file is flushed to the disk, then the
 * record says so, never before. `stop` waits for a record under way: the split's own last word
 * comes after it.
 */
export class SplitRecorder {
  readonly #file: FileHandle;
  readonly #record: (spans: Span[]) => Promise<void>;
  readonly #kept: readonly Span[];
  /** By a range's start: its bytes on disk. */
  readonly #landed = new Map<number, number>();
  #news = false;
  #saving: Promise<void> | undefined;
  readonly #timer: NodeJS.Timeout;

  constructor(file: FileHandle, kept: readonly Span[], record: (spans: Span[]) => Promise<void>) {
    this.#file = file;
    this.#kept = kept;
    this.#record = record;
    // Unref'd: a record due must not hold open a run that has ended.
    this.#timer = setInterval(() => this.#save(), RECORD_EVERY_MS).unref();
  }

  /** `bytes` from `start` are on disk. */
  wrote(start: number, bytes: number): void {
    if (bytes <= (this.#landed.get(start) ?? 0)) return;
    this.#landed.set(start, bytes);
    this.#news = true;
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#saving;
  }

  #save(): void {
    // One at a time: a slow disk skips a turn rather than queue records.
    if (!this.#news || this.#saving !== undefined) return;
    this.#news = false;
    const spans = merged([...this.#kept, ...[...this.#landed].map(([start, bytes]): Span => [start, start + bytes])]);
    // A record that fails (a full disk) is only a later chance lost: the split's own end records, or says why it cannot.
    this.#saving = this.#file
      .datasync()
      .then(() => this.#record(spans))
      .catch(() => {})
      .finally(() => {
        this.#saving = undefined;
      });
  }
}
