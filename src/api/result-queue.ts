/**
 * What a run hands to `for await` as it happens: values are kept until read, so that reading is
 * optional and may start late (a run's results are in its report anyway, so this holds no more).
 * One reader: a second iteration shares the same queue.
 */
export class ResultQueue<T> {
  readonly #buffer: T[] = [];
  #wake: (() => void) | undefined;
  #ended = false;
  #error: unknown;

  push(value: T): void {
    this.#buffer.push(value);
    this.#wakeReader();
  }

  /** No more values; `error` makes the reader's next read throw it once the buffer is empty. */
  end(error?: unknown): void {
    this.#ended = true;
    this.#error = error;
    this.#wakeReader();
  }

  /** The reader's side; `onReturn` runs when it stops early (`break`), and the iteration waits for it. */
  iterate(onReturn: () => Promise<void>): AsyncIterator<T> {
    return {
      next: async () => {
        while (this.#buffer.length === 0 && !this.#ended) await new Promise<void>((resolve) => (this.#wake = resolve));
        if (this.#buffer.length > 0) return { done: false, value: this.#buffer.shift()! };
        if (this.#error !== undefined) throw this.#error;
        return { done: true, value: undefined };
      },
      return: async () => {
        await onReturn();
        return { done: true, value: undefined };
      },
    };
  }

  #wakeReader(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}
