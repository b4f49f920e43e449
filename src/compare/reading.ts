import type { Partition } from '../types.js';
import { mebibytes, seconds, times } from './format.js';
import type { Baseline, CompareRow } from './rows.js';

/** Within this much of the best time, another step up the ladder is not worth its threads. */
const NOT_WORTH = 1.1;

type Timed = CompareRow & { medianMs: number };

/** A few sentences that say what the table shows: where adding threads stops paying and what threads cost. */
export function readRows(rows: readonly CompareRow[], baseline: Baseline): string[] {
  const timed = rows.filter((row): row is Timed => row.medianMs !== null);
  const ladder = threadLadder(timed);
  const sentences = [gainSentence(ladder, baseline), costSentence(ladder), asyncSentence(timed, ladder), partitionSentence(timed)];
  return sentences.filter((sentence): sentence is string => sentence !== undefined);
}

/** The thread rows of one partition (dynamic when there is a choice), fewest threads first. */
function threadLadder(rows: readonly Timed[]): Timed[] {
  const threads = rows.filter((row) => row.mode === 'threads');
  const partition: Partition | undefined = threads.some((row) => row.partition === 'dynamic') ? 'dynamic' : threads[0]?.partition;
  return threads.filter((row) => row.partition === partition).sort((a, b) => a.threads - b.threads);
}

function gainSentence(ladder: readonly Timed[], baseline: Baseline): string | undefined {
  if (ladder.length === 0) return undefined;
  const best = Math.min(...ladder.map((row) => row.medianMs));
  const knee = ladder.find((row) => row.medianMs <= best * NOT_WORTH)!;
  const top = ladder.at(-1)!;
  const versus = baseline && knee.speedup !== null && baseline.row !== knee ? `, ${times(knee.speedup)} faster than ${baseline.label}` : '';
  if (ladder.length === 1) return `${threadCount(knee)} took ${seconds(knee.medianMs)}${versus}.`;
  if (knee === top) return `Every step up the ladder paid: ${threadCount(top)} took ${seconds(top.medianMs)}${versus}.`;
  const change = (top.medianMs - knee.medianMs) / knee.medianMs;
  const rest = Math.abs(change) < 0.005 ? 'no faster' : change < 0 ? `only ${Math.round(-change * 100)}% faster` : `${Math.round(change * 100)}% slower`;
  return `The gain stops at ${threadCount(knee)} (${seconds(knee.medianMs)}${versus}): ${threadCount(top)} are ${rest}.`;
}

function costSentence(ladder: readonly Timed[]): string | undefined {
  const top = ladder.at(-1);
  if (top === undefined) return undefined;
  const parts: string[] = [];
  const take = `${threadCount(top)} ${top.threads === 1 ? 'takes' : 'take'}`;
  if (top.boundMs !== null) parts.push(`${take} ${times(top.medianMs / top.boundMs)} the ${seconds(top.boundMs)} that ${top.inFlight} requests in flight need at this latency`);
  else parts.push(`${take} ${seconds(top.medianMs)}`);
  if (top.workerStartupMs !== null) {
    const started = top.workersStarted !== null && top.workersStarted < top.threads ? ` (only ${top.workersStarted} started before the work ran out)` : '';
    parts.push(`starting the workers took ${Math.round(top.workerStartupMs)} ms${started}`);
  }
  const bottom = ladder[0]!;
  if (bottom !== top && bottom.peakRssBytes !== null && top.peakRssBytes !== null) {
    // Workers that never started cost nothing: count the ones that did.
    const workers = (row: Timed) => row.workersStarted ?? row.threads;
    const perThread = (top.peakRssBytes - bottom.peakRssBytes) / Math.max(1, workers(top) - workers(bottom));
    parts.push(`peak memory grew from ${mebibytes(bottom.peakRssBytes)} to ${mebibytes(top.peakRssBytes)}, about ${(perThread / 2 ** 20).toFixed(1)} MB per extra worker`);
  }
  return `${parts.join('; ')}.`;
}

function asyncSentence(rows: readonly Timed[], ladder: readonly Timed[]): string | undefined {
  const pairs = ladder.flatMap((threads) => {
    const async = rows.find((row) => row.mode === 'async' && row.inFlight === threads.inFlight);
    return async ? [{ threads, async }] : [];
  });
  const pair = pairs.at(-1);
  if (pair === undefined) return undefined;
  const { threads, async } = pair;
  const ratio = threads.medianMs / async.medianMs;
  const verdict = ratio >= 1 ? `${times(ratio)} faster than` : `${times(1 / ratio)} slower than`;
  const memory = async.peakRssBytes !== null && threads.peakRssBytes !== null ? ` in ${mebibytes(async.peakRssBytes)} against ${mebibytes(threads.peakRssBytes)}` : '';
  return `At ${async.inFlight} requests in flight the main thread's event loop alone (async) was ${verdict} ${threadCount(threads)} (${seconds(async.medianMs)} against ${seconds(threads.medianMs)})${memory}.`;
}

function partitionSentence(rows: readonly Timed[]): string | undefined {
  const threads = rows.filter((row) => row.mode === 'threads');
  if (new Set(threads.map((row) => row.partition)).size < 2) return undefined;
  const most = Math.max(...threads.map((row) => row.threads));
  const atMost = threads.filter((row) => row.threads === most).sort((a, b) => a.medianMs - b.medianMs);
  if (atMost.length < 2) return undefined;
  const list = atMost.map((row) => `${row.partition} ${seconds(row.medianMs)}`).join(', ');
  return `At ${most} threads the split decides the time: ${list}.`;
}

function threadCount(row: CompareRow): string {
  const each = row.concurrency > 1 ? ` × ${row.concurrency} requests` : '';
  return `${row.threads} thread${row.threads === 1 ? '' : 's'}${each}`;
}
