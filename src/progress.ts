import { formatResult, formatRetry } from './report.js';
import type { FlagResult, RetryNotice } from './types.js';

export interface Progress {
  update(result: FlagResult): void;
  retry(notice: RetryNotice): void;
  stop(): void;
}

/**
 * `--verbose`: one line per flag on `lines`; otherwise a progress bar on stderr when it is a
 * terminal, and nothing when it is not (a log file gets no bar frames).
 */
export async function createProgress(total: number, verbose: boolean, lines: NodeJS.WritableStream): Promise<Progress> {
  if (verbose) {
    return { update: (result) => lines.write(`${formatResult(result)}\n`), retry: (notice) => lines.write(`${formatRetry(notice)}\n`), stop: () => {} };
  }
  if (!process.stderr.isTTY) return { update: () => {}, retry: () => {}, stop: () => {} };
  // Loaded only when a bar is drawn: a script's run should not pay for it.
  const { SingleBar, Presets } = (await import('cli-progress')).default;
  const bar = new SingleBar(
    { format: ' {bar} {value}/{total} flags | {ok} ok, {kept} kept, {notFound} not found, {error} errors, {retries} retries | {duration_formatted}', hideCursor: true, clearOnComplete: true, stream: process.stderr },
    Presets.shades_classic,
  );
  const counts = { ok: 0, kept: 0, notFound: 0, error: 0, retries: 0 };
  const counter = { ok: 'ok', not_found: 'notFound', not_modified: 'kept', skipped: 'kept', error: 'error' } as const;
  bar.start(total, 0, counts);
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
