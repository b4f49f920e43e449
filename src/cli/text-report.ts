import { exitCodeOnSignal, type StopSignal } from './interrupt.js';
import { type ItemNoun, itemLabel } from '../input/items.js';
import type { ItemResult, RetryNotice, RunReport } from '../types.js';
import { grouped, plural } from '../report/plural.js';

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
/** A pool worker by its number in the pool (1..threads), as the timeline names it; its raw id is in --json alone. */
const label = ({ thread, worker }: { thread: number; worker?: number }) => (thread === 0 ? 'main thread' : `thread ${worker ?? thread}`);

/** Up to this many errors are listed one per item; past it they are grouped by reason. */
const LISTED_ERRORS = 5;

/** In a group of errors, the items named, and the groups shown: a list of 100,000 that all fail still fits a screen. */
const NAMED_PER_REASON = 10;
const LISTED_REASONS = 10;

/** The first line of a run: where from (a server, or the list read), how much, and how it is scheduled. */
export function describeRun(count: number, server: string, report: Pick<RunReport, 'mode' | 'threads' | 'concurrency'>, noun: ItemNoun = 'flag'): string {
  const { mode, threads, concurrency } = report;
  const schedule =
    mode === 'threads'
      ? `${plural(threads, 'worker thread')} × ${concurrency} in flight (${plural(threads * concurrency, 'request')} at once)`
      : mode === 'async'
        ? `the main thread's event loop, ${plural(concurrency, 'request')} in flight`
        : 'one request after another';
  return `Downloading ${plural(count, noun)} from ${server}\nMode ${mode}: ${schedule}`;
}

const details: Record<ItemResult['status'], (result: ItemResult) => string> = {
  ok: (result) => `${grouped(result.bytes)} bytes`,
  not_found: () => 'not found',
  not_modified: () => 'file kept',
  skipped: () => 'file exists',
  error: (result) => result.error ?? 'failed',
};

/** One line per item, for --verbose. */
export function formatResult(result: ItemResult): string {
  const { status, ms, attempts } = result;
  const tries = attempts > 1 ? `  after ${attempts} attempts` : '';
  const render = result.renderMs === undefined ? '' : `  render ${result.renderMs} ms`;
  const split = result.ranges === undefined ? '' : `  in ${plural(result.ranges, 'range')}`;
  return `${itemLabel(result)}  ${status.padEnd(12)}  ${details[status](result).padEnd(12)}  ${String(ms).padStart(5)} ms  ${label(result)}${split}${render}${tries}`;
}

/** One line per retry, for --verbose. */
export function formatRetry(notice: RetryNotice): string {
  const { attempt, error, waitMs } = notice;
  return `${itemLabel(notice)}  ${'retry'.padEnd(12)}  attempt ${attempt} failed (${error}), next in ${waitMs} ms  ${label(notice)}`;
}

/** The report after a run, in words; `noun` names its items (flags, or the files of a list), `allowMissing` the way to accept a 404. */
export function formatReport(report: RunReport, noun: ItemNoun = 'flag', allowMissing = '--allow-missing counts it as not found instead'): string {
  const kept = [report.notModified > 0 ? `${report.notModified} not modified` : '', report.skipped > 0 ? `${report.skipped} skipped (file exists)` : ''].filter(Boolean);
  const lines = [
    `${plural(report.ok, noun)} downloaded, ${[...kept, `${report.notFound} not found`].join(', ')}, ${plural(report.error, 'error')} in ${seconds(report.elapsedMs)}`,
  ];
  if (report.workerStartupMs !== null) {
    const started = report.workersStarted < report.threads ? ` (the pool grows only while ${noun === 'flag' ? 'codes' : 'files'} are left)` : '';
    lines.push(`Worker threads: ${report.workersStarted} of ${report.threads} started${started}, the last task under way after ${seconds(report.workerStartupMs)}`);
  }
  if (report.png !== null) lines.push(renderLine(report));
  const retried = report.results.filter((result) => result.attempts > 1);
  if (retried.length > 0) {
    const retries = retried.reduce((sum, result) => sum + result.attempts - 1, 0);
    const recovered = retried.filter((result) => result.status !== 'error').length;
    lines.push(`Retries: ${plural(retried.length, noun)} needed them (${retries} ${retries === 1 ? 'retry' : 'retries'} in all); ${recovered} of them then succeeded`);
  }
  const failures = report.results.filter((result) => result.status === 'error');
  lines.push(...formatErrors(failures, noun));
  // A newcomer from the flags, where a 404 is an answer, learns why this one failed the run, and the way out.
  if (noun === 'file' && failures.some((result) => result.error?.startsWith('HTTP 404'))) {
    lines.push(`A 404 fails a list, as with wget2, curl --fail and aria2c: ${allowMissing}`);
  }
  if (report.interrupted) {
    // A request the stop cut off has a result too, yet it did not finish.
    const cutShort = report.results.filter((result) => result.error === 'interrupted').length;
    const finished = report.results.length - cutShort;
    const cut = cutShort > 0 ? `, ${cutShort} cut short` : '';
    lines.push(`Interrupted: ${finished} of ${report.requested} ${noun}s finished${cut}, ${report.requested - report.results.length} not attempted`);
  }
  // A queue's report: its jobs still to do are no one's interruption.
  const pending = (report as { pending?: number }).pending ?? 0;
  if (pending > 0) lines.push(`Not done yet: ${report.results.length} of ${report.requested} ${noun}s finished, ${pending} waiting or under way`);
  return lines.join('\n');
}

/**
 * `--png`: the CPU time beside the wall time, e.g. `Render: 257 PNGs at 640 px, 2.41 s of
 * rendering over 2 threads (71% of their time)`. A thread renders one PNG at a time, so the
 * renders' sum is time those threads had for nothing else.
 */
function renderLine(report: RunReport): string {
  const rendered = report.results.filter((result) => result.renderMs !== undefined);
  const threads = new Set(rendered.map((result) => result.thread));
  const where = threads.size === 1 && threads.has(0) ? 'on the main thread' : `over ${plural(threads.size, 'thread')}`;
  const share =
    threads.size > 0 && report.elapsedMs > 0
      ? ` (${Math.round((report.renderMs / (threads.size * report.elapsedMs)) * 100)}% of ${threads.size === 1 ? 'its' : 'their'} time)`
      : '';
  return `Render: ${plural(rendered.length, 'PNG')} at ${report.png} px, ${seconds(report.renderMs)} of rendering ${where}${share}`;
}

/**
 * A few errors one per item; more grouped by reason, the commonest first (`12 × HTTP 503 … (BR IN …)`).
 * A file's name may hold spaces: in a group, files are listed with commas.
 */
function formatErrors(results: ItemResult[], noun: ItemNoun): string[] {
  if (results.length === 0) return [];
  // A list's in its order, whatever order they ended in (a queue's workers, threads).
  const failures = results.every((result) => result.line !== undefined) ? results.toSorted((a, b) => a.line! - b.line!) : results;
  if (failures.length <= LISTED_ERRORS) return ['Errors:', ...failures.map((result) => `  ${itemLabel(result)}  ${result.error}`)];
  const groups = new Map<string, string[]>();
  for (const result of failures) {
    // Per-item details (byte counts, a socket's words) come in parentheses after the reason.
    const reason = (result.error ?? 'failed').split(' (')[0]!;
    groups.set(reason, [...(groups.get(reason) ?? []), itemLabel(result)]);
  }
  const sorted = [...groups].sort((a, b) => b[1].length - a[1].length);
  const named = (labels: string[]) => {
    const shown = labels.slice(0, NAMED_PER_REASON).join(noun === 'flag' ? ' ' : ', ');
    return labels.length > NAMED_PER_REASON ? `${shown} and ${grouped(labels.length - NAMED_PER_REASON)} more` : shown;
  };
  const rest = sorted.slice(LISTED_REASONS);
  const others =
    rest.length > 0
      ? [
          `  ${plural(
            rest.reduce((sum, [, labels]) => sum + labels.length, 0),
            noun,
          )} for ${plural(rest.length, 'other reason')} (--json lists every error)`,
        ]
      : [];
  return ['Errors by reason:', ...sorted.slice(0, LISTED_REASONS).map(([reason, labels]) => `  ${grouped(labels.length)} × ${reason} (${named(labels)})`), ...others];
}

/**
 * 0: all well (not found, not modified and skipped are answers, not failures); 1: some item failed
 * (a list's 404 among them, unless --allow-missing: its fetch made it an error);
 * for a run `stoppedBy` cut short, the signal's own code: 130 Ctrl-C, 143 SIGTERM, 129 SIGHUP.
 */
export function exitCodeFor(report: RunReport, stoppedBy: StopSignal | undefined): number {
  if (report.interrupted && stoppedBy !== undefined) return exitCodeOnSignal(stoppedBy);
  return report.error > 0 ? 1 : 0;
}
