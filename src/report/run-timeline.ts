import type { ItemNoun } from '../input/items.js';
import type { RunReport } from '../types.js';
import { type FlagSpan, lanesOf, type StartupSpan, type Timeline } from './timeline-spans.js';

/**
 * What a run's report says about where its time went, on its unrounded times: a bar per item
 * (`noun`: a flag, or a file of a list) from its request's start to its file in place, ending with
 * its render; each worker from its thread's start to its first request (a worker that got no item
 * has no such end, and no lane), its lane named by its number in the pool.
 */
export function runTimeline(report: RunReport, noun: ItemNoun = 'flag'): Timeline {
  const flags = report.results.map(({ cc, file, status, thread, startedAt, endedAt, renderStartedAt }): FlagSpan => {
    const render = renderStartedAt === undefined ? {} : { render: { start: renderStartedAt, end: endedAt } };
    return { cc: cc ?? file, status, thread, start: startedAt, end: endedAt, ...render };
  });
  const startups = report.workers.flatMap(({ thread, startedAt, firstRequestAt }): StartupSpan[] =>
    firstRequestAt === null ? [] : [{ thread, start: startedAt, end: Math.max(startedAt, firstRequestAt) }],
  );
  const workers = new Map(report.workers.map(({ thread, worker }) => [thread, worker]));
  return { title: titleOf(report, noun), origin: report.processStart, lanes: lanesOf({ flags, startups }, workers) };
}

/** e.g. `257 flags, threads 2 × 10, PNG 640 px: 1.93 s`. */
function titleOf({ requested, mode, threads, concurrency, png, elapsedMs }: RunReport, noun: ItemNoun): string {
  const schedule = mode === 'threads' ? `threads ${threads} × ${concurrency}` : mode === 'async' ? `async, ${concurrency} in flight` : 'sequential';
  const render = png === null ? '' : `, PNG ${png} px`;
  return `${requested} ${noun}${requested === 1 ? '' : 's'}, ${schedule}${render}: ${(elapsedMs / 1000).toFixed(2)} s`;
}
