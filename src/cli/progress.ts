import type { ItemNoun } from '../input/items.js';
import { formatResult, formatRetry } from './text-report.js';
import { terminalWidth } from '../report/terminal-width.js';
import type { ItemResult, RetryNotice } from '../types.js';

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
  const { SingleBar } = (await import('cli-progress')).default;
  const counts: BarCounts = { ok: 0, notModified: 0, skipped: 0, notFound: 0, error: 0, retries: 0, received: 0 };
  const bar = new SingleBar({
    // Laid out here rather than by a format string: cli-progress would cut the line at the terminal's edge.
    // One column spare: a line that fills the last one wraps on some terminals.
    format: (_options, params) =>
      progressLine({ ...counts, done: params.value, total: params.total, noun, elapsedMs: (params.stopTime ?? Date.now()) - params.startTime }, terminalWidth(process.stderr) - 1),
    hideCursor: true,
    clearOnComplete: true,
    stream: process.stderr,
  });
  const counter = { ok: 'ok', not_found: 'notFound', not_modified: 'notModified', skipped: 'skipped', error: 'error' } as const;
  bar.start(total, 0);
  // A stopped SingleBar ignores later updates and a second stop (it checks its render timer), so
  // the results still arriving after Ctrl-C do not draw it again.
  signal.addEventListener('abort', () => bar.stop(), { once: true });
  return {
    update(result) {
      counts[counter[result.status]]++;
      bar.increment(1);
    },
    retry() {
      counts.retries++;
      bar.update({});
    },
    bytes(bytes) {
      counts.received += bytes;
      bar.update({});
    },
    stop: () => bar.stop(),
  };
}

/** What the bar counts, named as the report names it. */
export interface BarCounts {
  ok: number;
  notModified: number;
  skipped: number;
  notFound: number;
  error: number;
  retries: number;
  /** Body bytes received. */
  received: number;
}

export interface BarState extends BarCounts {
  done: number;
  total: number;
  noun: ItemNoun;
  elapsedMs: number;
}

/** The widest the bar itself grows, and the narrowest it shrinks to before parts of the line go. */
const BAR_COLUMNS = { most: 40, least: 10 };

/**
 * The bar's line in at most `width` columns: the bar, the items done, the bytes received, each
 * outcome, the retries and the time. Where they do not fit, the bar narrows first, then the least
 * useful parts go (not found at zero, ok, the bytes, not found, skipped, not modified, the bar
 * itself); the items done, the errors, the retries and the time stay.
 */
export function progressLine(state: BarState, width: number): string {
  const shown = { ok: true, received: true, notFound: true, skipped: state.skipped > 0, notModified: state.notModified > 0, bar: true };
  // A count at zero says least of all.
  const dropOrder = [...(state.notFound === 0 ? (['notFound'] as const) : []), 'ok', 'received', 'notFound', 'skipped', 'notModified', 'bar'] as const;
  const line = (barColumns: number) => {
    const filled = Math.round((state.total > 0 ? state.done / state.total : 0) * barColumns);
    const done = `${state.done}/${state.total} ${state.noun}s${shown.received ? `, ${formatBytes(state.received)}` : ''}`;
    const outcomes = [
      shown.ok && `${state.ok} ok`,
      shown.notModified && `${state.notModified} not modified`,
      shown.skipped && `${state.skipped} skipped`,
      shown.notFound && `${state.notFound} not found`,
      state.error === 1 ? '1 error' : `${state.error} errors`,
      state.retries === 1 ? '1 retry' : `${state.retries} retries`,
    ].filter(Boolean);
    const bar = shown.bar ? `${'█'.repeat(filled)}${'░'.repeat(barColumns - filled)} ` : '';
    return ` ${bar}${done} | ${outcomes.join(', ')} | ${elapsed(state.elapsedMs)}`;
  };
  const full = line(BAR_COLUMNS.most);
  if (full.length <= width) return full;
  for (const part of dropOrder) {
    const narrowest = line(BAR_COLUMNS.least);
    if (narrowest.length <= width) return line(BAR_COLUMNS.least + width - narrowest.length);
    shown[part] = false;
  }
  return line(0);
}

/** `7s`, `2m05s`: the run's time so far, as the bar always showed it. */
function elapsed(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  return seconds < 60 ? `${seconds}s` : `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
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
