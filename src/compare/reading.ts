import type { Partition } from '../types.js';
import { mebibytes, percent, seconds, times } from './format.js';
import { plural } from '../report/plural.js';
import type { Baseline, CompareRow } from './rows.js';

/** Within this much of the best time, another step up the ladder is not worth its threads. */
const NOT_WORTH = 1.1;

/** Threads pay against async at the same requests in flight when they are at least this much faster: less is noise. */
const PAYS = 1.05;

/** A share of the single thread's time that explains "most" of it. */
const MOST = 0.5;

type Timed = CompareRow & { medianMs: number };

/** A thread row and the async row at the same requests in flight. */
interface Pair {
  threads: Timed;
  async: Timed;
}

/**
 * A few sentences that say what the table shows: where adding threads stops paying, what threads
 * cost, which regime the numbers show (waiting-bound or CPU-bound) and where threads pay against
 * the event loop at the same requests in flight. Two configs whose min-max ranges overlap are
 * within the noise of this run: neither is called faster, and more runs are suggested.
 */
export function readRows(rows: readonly CompareRow[], baseline: Baseline): string[] {
  const timed = rows.filter((row): row is Timed => row.medianMs !== null);
  const ladder = threadLadder(timed);
  const pairs = asyncPairs(timed, ladder);
  const sentences = [gainSentence(ladder, baseline), costSentence(ladder), regimeSentence(timed, pairs), paySentence(pairs), asyncSentence(pairs), partitionSentence(timed)];
  return [...sentences, noiseSentence(timed, sentences)].filter((sentence): sentence is string => sentence !== undefined);
}

const NOISE = 'within the noise of this run';

/** Both ranges of run times overlap: this run cannot tell which of the two is faster. */
function withinNoise(a: Timed, b: Timed): boolean {
  return a.minMs! <= b.maxMs! && b.minMs! <= a.maxMs!;
}

/** What to do when the ranges overlap, or when one run each leaves no range to judge by. */
function noiseSentence(rows: readonly Timed[], sentences: readonly (string | undefined)[]): string | undefined {
  const most = Math.max(0, ...rows.map((row) => row.runs));
  if (sentences.some((sentence) => sentence?.includes('within the noise'))) {
    return `Where min-max ranges overlap, more runs (--repeat ${Math.max(5, most * 2)}) may tell the configs apart.`;
  }
  if (rows.length > 1 && most === 1) return 'Each config ran once, so nothing here shows how much its time varies: --repeat 3 gives each a min-max range.';
  return undefined;
}

/** Each thread row beside the async row at the same requests in flight, fewest requests first. */
function asyncPairs(rows: readonly Timed[], ladder: readonly Timed[]): Pair[] {
  return ladder.flatMap((threads) => {
    const async = rows.find((row) => row.mode === 'async' && row.inFlight === threads.inFlight);
    return async ? [{ threads, async }] : [];
  });
}

/** Threads paid, did not, or the two ranges overlap. */
type Verdict = 'paid' | 'not' | 'noise';

function verdict({ threads, async }: Pair): Verdict {
  if (withinNoise(threads, async)) return 'noise';
  return async.medianMs / threads.medianMs >= PAYS ? 'paid' : 'not';
}

const pays = (pair: Pair) => verdict(pair) === 'paid';

/** `1.49× at 2`: the pool's speed over async's at a count of requests in flight. */
const ratioAt = (pair: Pair) => `${(pair.async.medianMs / pair.threads.medianMs).toFixed(2)}× at ${pair.threads.inFlight}`;

/**
 * Waiting-bound or CPU-bound, judged where nothing runs in parallel but the requests: on a single
 * thread (the async and sequential rows, else the 1-thread row), how much of the wall time the
 * latency bound explains and how much the renders took.
 */
function regimeSentence(rows: readonly Timed[], pairs: readonly Pair[]): string | undefined {
  const mainThread = rows.filter((row) => row.mode !== 'threads');
  const single = mainThread.length > 0 ? mainThread : rows.filter((row) => row.mode === 'threads' && row.threads === 1);
  if (single.length === 0 || single.every((row) => row.boundMs === null && row.renderMs === null)) return undefined;
  const sum = (figure: (row: Timed) => number | null) => single.reduce((total, row) => total + (figure(row) ?? 0), 0);
  const wall = sum((row) => row.medianMs);
  const waiting = sum((row) => row.boundMs) / wall;
  const rendering = sum((row) => row.renderMs) / wall;
  const rowsOf = (mode: string) => `the ${mode} row${single.filter((row) => row.mode === mode).length === 1 ? '' : 's'}`;
  const what = mainThread.length > 0 ? [...new Set(single.map((row) => row.mode))].map(rowsOf).join(' and ') : 'the 1-thread row';
  const boundKnown = single.some((row) => row.boundMs !== null);
  const rendered = single.some((row) => row.renderMs !== null);
  const paid = pairs.some(pays);
  const decided = pairs.filter((pair) => verdict(pair) !== 'noise');
  // The evidence: the pair that paid most, or else the one that came closest.
  const best = [...(paid ? pairs.filter(pays) : decided)].sort((a, b) => b.async.medianMs / b.threads.medianMs - a.async.medianMs / a.threads.medianMs)[0];
  const against = `threads ${paid ? 'beat' : 'did not beat'} async at the same requests in flight${best ? ` (${paid ? '' : 'at best '}${ratioAt(best)})` : ''}`;
  const agree = (expected: boolean) => {
    if (pairs.length === 0) return '';
    if (decided.length === 0) return `; threads and async at the same requests in flight were ${NOISE}`;
    return expected ? `; as expected, ${against}` : `; yet ${against}`;
  };
  if (rendered && rendering >= MOST && rendering >= waiting) {
    const bound = boundKnown ? `, the latency bound ${percent(waiting)}` : '';
    return `The numbers show a CPU-bound run: on a single thread (${what}), rendering took ${percent(rendering)} of the time${bound}${agree(paid)}.`;
  }
  if (boundKnown && waiting >= MOST) {
    const render = rendered ? `, rendering ${percent(rendering)}` : '';
    return `The numbers show a waiting-bound run: on a single thread (${what}), the bound ceil(flags / in flight) × latency explains ${percent(waiting)} of the time${render}${agree(!paid)}.`;
  }
  const shares = [...(boundKnown ? [`the latency bound ${percent(waiting)}`] : []), ...(rendered ? [`rendering ${percent(rendering)}`] : [])].join(', ');
  return `Neither waiting nor rendering explains most of the time on a single thread (${what}: ${shares}): start-up and per-request work do.`;
}

/** Where threads start and stop paying against the event loop, when there are counts to compare. */
function paySentence(pairs: readonly Pair[]): string | undefined {
  if (pairs.length < 2) return undefined;
  const list = `(the pool's speed over async's: ${pairs.map((pair) => `${ratioAt(pair)}${verdict(pair) === 'noise' ? ' within the noise' : ''}`).join(', ')})`;
  const noisy = pairs.filter((pair) => verdict(pair) === 'noise');
  const lead = 'Against async at the same requests in flight, threads';
  if (noisy.length === pairs.length) return `${lead} were ${NOISE} at every count: their min-max ranges overlap ${list}.`;
  // Counts within the noise say neither yes nor no: the list marks them.
  const decided = pairs.filter((pair) => verdict(pair) !== 'noise');
  const paying = decided.filter(pays);
  if (paying.length === 0) return `${lead} never paid ${list}.`;
  if (paying.length === decided.length) return `${lead} paid at every count ${noisy.length === 0 ? '' : 'outside the noise '}${list}.`;
  const first = paying[0]!.threads.inFlight;
  const last = paying.at(-1)!.threads.inFlight;
  const startsLate = first > decided[0]!.threads.inFlight;
  const stopsEarly = last < decided.at(-1)!.threads.inFlight;
  if (first === last) return `${lead} paid only at ${first} in flight ${list}.`;
  const start = startsLate ? `start paying at ${first} in flight` : `pay from ${first} in flight`;
  const stop = stopsEarly ? ` and stop paying after ${last}` : startsLate ? ` and keep paying up to ${last}` : ` up to ${last}`;
  return `${lead} ${start}${stop} ${list}.`;
}

/** The thread rows of one partition (dynamic when there is a choice), fewest threads first. */
function threadLadder(rows: readonly Timed[]): Timed[] {
  const threads = rows.filter((row) => row.mode === 'threads');
  const partition: Partition | undefined = threads.some((row) => row.partition === 'dynamic') ? 'dynamic' : threads[0]?.partition;
  return threads.filter((row) => row.partition === partition).sort((a, b) => a.threads - b.threads);
}

/** `2.1× faster than`, `1.5× slower than`; within 5% of even, where either would read `1.0×`, `about as fast as`. */
function comparedWith(speedup: number): string {
  if (Math.abs(speedup - 1) < 0.05) return 'about as fast as';
  return speedup > 1 ? `${times(speedup)} faster than` : `${times(1 / speedup)} slower than`;
}

function gainSentence(ladder: readonly Timed[], baseline: Baseline): string | undefined {
  if (ladder.length === 0) return undefined;
  const best = Math.min(...ladder.map((row) => row.medianMs));
  const knee = ladder.find((row) => row.medianMs <= best * NOT_WORTH)!;
  const top = ladder.at(-1)!;
  const speedup = knee.speedup ?? 1;
  const faster = comparedWith(speedup);
  const versus = baseline && knee.speedup !== null && baseline.row !== knee ? `, ${faster} ${baseline.label}` : '';
  if (ladder.length === 1) return `${threadCount(knee)} took ${seconds(knee.medianMs)}${versus}.`;
  if (knee === top) {
    const below = ladder.at(-2)!;
    if (withinNoise(below, top)) return `Every step up the ladder was faster, the last one ${NOISE}: ${threadCount(top)} took ${seconds(top.medianMs)}${versus}.`;
    return `Every step up the ladder paid: ${threadCount(top)} took ${seconds(top.medianMs)}${versus}.`;
  }
  const change = (top.medianMs - knee.medianMs) / knee.medianMs;
  const rest = withinNoise(knee, top)
    ? NOISE
    : Math.abs(change) < 0.005
      ? 'no faster'
      : change < 0
        ? `only ${Math.round(-change * 100)}% faster`
        : `${Math.round(change * 100)}% slower`;
  return `The gain stops at ${threadCount(knee)} (${seconds(knee.medianMs)}${versus}): ${threadCount(top)} are ${rest}.`;
}

function costSentence(ladder: readonly Timed[]): string | undefined {
  const top = ladder.at(-1);
  if (top === undefined) return undefined;
  const parts: string[] = [];
  const take = `${threadCount(top)} ${top.threads === 1 ? 'takes' : 'take'}`;
  if (top.boundMs !== null)
    parts.push(
      `${take} ${times(top.medianMs / top.boundMs)} the ${seconds(top.boundMs)} that ${plural(top.inFlight, 'request')} in flight ${top.inFlight === 1 ? 'needs' : 'need'} at this latency`,
    );
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

function asyncSentence(pairs: readonly Pair[]): string | undefined {
  const pair = pairs.at(-1);
  if (pair === undefined) return undefined;
  const { threads, async } = pair;
  const memory = async.peakRssBytes !== null && threads.peakRssBytes !== null ? `, in ${mebibytes(async.peakRssBytes)} against ${mebibytes(threads.peakRssBytes)}` : '';
  if (verdict(pair) === 'noise') {
    const range = (row: Timed) => `${seconds(row.minMs!)}-${seconds(row.maxMs!)}`.replace(' s-', '-');
    return `At ${plural(async.inFlight, 'request')} in flight the main thread's event loop alone (async, ${range(async)}) and ${threadCount(threads)} (${range(threads)}) were ${NOISE}${memory}.`;
  }
  const ratio = threads.medianMs / async.medianMs;
  const faster = comparedWith(ratio);
  return `At ${plural(async.inFlight, 'request')} in flight the main thread's event loop alone (async) was ${faster} ${threadCount(threads)} (${seconds(async.medianMs)} against ${seconds(threads.medianMs)})${memory.replace(',', '')}.`;
}

function partitionSentence(rows: readonly Timed[]): string | undefined {
  const threads = rows.filter((row) => row.mode === 'threads');
  if (new Set(threads.map((row) => row.partition)).size < 2) return undefined;
  const most = Math.max(...threads.map((row) => row.threads));
  const atMost = threads.filter((row) => row.threads === most).sort((a, b) => a.medianMs - b.medianMs);
  if (atMost.length < 2) return undefined;
  const list = atMost.map((row) => `${row.partition} ${seconds(row.medianMs)}`).join(', ');
  if (atMost.every((row) => withinNoise(row, atMost[0]!))) return `At ${plural(most, 'thread')} the partitions were ${NOISE}: ${list}.`;
  return `At ${plural(most, 'thread')} the split decides the time: ${list}.`;
}

function threadCount(row: CompareRow): string {
  const each = row.concurrency > 1 ? ` × ${row.concurrency} requests` : '';
  return `${plural(row.threads, 'thread')}${each}`;
}
