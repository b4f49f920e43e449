import type { ItemNoun } from './items.js';
import { formatResult, formatRetry } from './report.js';
import type { ItemResult, RetryNotice } from './types.js';

export interface Progress {
  update(result: ItemResult): void;
  retry(notice: RetryNotice): void;
  /** Body bytes received: the bar counts them, so that a big file shows it is moving. */
  bytes(received: number): void;
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
      bytes: () => {},
      stop: () => {},
    };
  }
  if (!process.stderr.isTTY) return { update: () => {}, retry: () => {}, bytes: () => {}, stop: () => {} };
  // Loaded only when a bar is drawn: a script's run should not pay for it.
  const { SingleBar, Presets } = (await import('cli-progress')).default;
  const bar = new SingleBar(
    {
      format: ` {bar} {value}/{total} ${noun}s, {received} | {ok} ok, {kept} kept, {notFound} not found, {error} errors, {retries} retries | {duration_formatted}`,
      hideCursor: true,
      clearOnComplete: true,
      stream: process.stderr,
    },
    Presets.shades_classic,
  );
  const counts = { ok: 0, kept: 0, notFound: 0, error: 0, retries: 0, received: formatBytes(0) };
  let received = 0;
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
    bytes(bytes) {
      received += bytes;
      counts.received = formatBytes(received);
      bar.update(counts);
    },
    stop: () => bar.stop(),
  };
}

/** Bytes as a person reads them: 980 B, 12.3 kB, 4.5 MB, 1.07 GB (powers of 1000, as download tools show). */
export function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(value < 10 ? 2 : value < 100 ? 1 : 0)} ${units[unit]}`;
}
