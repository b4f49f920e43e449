import type { FlagResult, RunReport } from './types.js';

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

/** The first line of a run: where from, how much, and how it is scheduled. */
export function describeRun(flags: number, server: string, report: Pick<RunReport, 'mode' | 'threads' | 'concurrency'>): string {
  const { mode, threads, concurrency } = report;
  const schedule =
    mode === 'threads'
      ? `${plural(threads, 'worker thread')} × ${concurrency} in flight (${plural(threads * concurrency, 'request')} at once)`
      : mode === 'async'
        ? `the main thread's event loop, ${concurrency} requests in flight`
        : 'one request after another';
  return `Downloading ${plural(flags, 'flag')} from ${server}\nMode ${mode}: ${schedule}`;
}

/** One line per flag, for --verbose. */
export function formatResult({ cc, status, bytes, ms, thread, error }: FlagResult): string {
  const detail = status === 'ok' ? `${bytes.toLocaleString('en-US')} bytes` : (error ?? 'not found');
  return `${cc.toUpperCase()}  ${status.padEnd(9)}  ${detail.padEnd(12)}  ${String(ms).padStart(5)} ms  ${thread === 0 ? 'main thread' : `thread ${thread}`}`;
}

export function formatReport(report: RunReport): string {
  const lines = [`${plural(report.ok, 'flag')} downloaded, ${report.notFound} not found, ${plural(report.error, 'error')} in ${seconds(report.elapsedMs)}`];
  if (report.workerStartupMs !== null) {
    const started = report.workersStarted < report.threads ? ' (the pool grows only while codes are left)' : '';
    lines.push(`Worker threads: ${report.workersStarted} of ${report.threads} started${started}, the last task under way after ${seconds(report.workerStartupMs)}`);
  }
  const failures = report.results.filter((result) => result.status === 'error');
  if (failures.length > 0) {
    lines.push('Errors:', ...failures.map((result) => `  ${result.cc.toUpperCase()}  ${result.error}`));
  }
  if (report.interrupted) {
    const done = report.results.length;
    lines.push(`Interrupted: ${done} of ${report.requested} flags finished, ${report.requested - done} not attempted`);
  }
  return lines.join('\n');
}

/** 0: all well (not found is an answer, not a failure); 1: some flag failed; 130: Ctrl-C. */
export function exitCodeFor(report: RunReport): number {
  if (report.interrupted) return 130;
  return report.error > 0 ? 1 : 0;
}
