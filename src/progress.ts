import type { ItemNoun } from './items.js';
import { formatResult, formatRetry } from './report.js';
import type { ItemResult, RetryNotice } from './types.js';

export interface Progress {
  update(result: ItemResult): void;
  retry(notice: RetryNotice): void;
  stop(): void;
}

/**
 * `--verbose`: one line per item on `lines`; otherwise a progress bar on stderr when it is a
 * terminal, and nothing when it is not (a log file gets no bar frames). The bar is cleared as
 * soon as `signal` aborts (Ctrl-C), so that what is written next starts on a clean line.
 */
export async function createProgress(total: number, verbose: boolean, lines: NodeJS.WritableStream, signal: AbortSignal, noun: ItemNoun = 'flag'): Promise<Progress> {
  if (verbose) {
    return {
      update: (result) =>
        lines.write(`${formatResult(result)}
`),
      retry: (notice) =>
        lines.write(`${formatRetry(notice)}
`),
      stop: () => {},
    };
  }
  if (!process.stderr.isTTY) return { update: () => {}, retry: () => {}, stop: () => {} };
  // Loaded only when a bar is drawn: a script's run should not pay for it.
  const { SingleBar, Presets } = (await import('cli-progress')).default;
  const bar = new SingleBar(
    {
      format: ` {bar} {value}/{total} ${noun}s | {ok} ok, {kept} kept, {notFound} not found, {error} errors, {retries} retries | {duration_formatted}`,
      hideCursor: true,
      clearOnComplete: true,
      stream: process.stderr,
    },
    Presets.shades_classic,
  );
  const counts = { ok: 0, kept: 0, notFound: 0, error: 0, retries: 0 };
  const counter = { ok: 'ok', not_found: 'notFound', not_modified: 'kept', skipped: 'kept', error: 'error' } as const;
  bar.start(total, 0, counts);
  // A stopped SingleBar ignores later updates and a second stop (it checks its render timer), so
  // the results still arriving after Ctrl-C do not draw it again.
  signal.addEventListener('abort', () => bar.stop(), { once: true });
  return {
    update(result) {
      counts[counter[result.status]]++;
      bar.increment(1, counts);
    },
    retry() {
      counts.retries++;
      bar.update(counts);
    },
    stop: () => bar.stop(),
  };
}
