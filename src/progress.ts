import { formatResult } from './report.js';
import type { FlagResult } from './types.js';

export interface Progress {
  update(result: FlagResult): void;
  stop(): void;
}

/**
 * `--verbose`: one line per flag on `lines`; otherwise a progress bar on stderr when it is a
 * terminal, and nothing when it is not (a log file gets no bar frames).
 */
export async function createProgress(total: number, verbose: boolean, lines: NodeJS.WritableStream): Promise<Progress> {
  if (verbose) return { update: (result) => lines.write(`${formatResult(result)}\n`), stop: () => {} };
  if (!process.stderr.isTTY) return { update: () => {}, stop: () => {} };
  // Loaded only when a bar is drawn: a script's run should not pay for it.
  const { SingleBar, Presets } = (await import('cli-progress')).default;
  const bar = new SingleBar(
    {
      format: ' {bar} {value}/{total} flags | {ok} ok, {notFound} not found, {error} errors | {duration_formatted}',
      hideCursor: true,
      clearOnComplete: true,
      stream: process.stderr,
    },
    Presets.shades_classic,
  );
  const counts = { ok: 0, notFound: 0, error: 0 };
  bar.start(total, 0, counts);
  return {
    update(result) {
      counts[result.status === 'not_found' ? 'notFound' : result.status]++;
      bar.increment(1, counts);
    },
    stop: () => bar.stop(),
  };
}
