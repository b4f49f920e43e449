import { once, setMaxListeners } from 'node:events';
import { availableParallelism } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { type MessagePort, MessageChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { RequestLimits } from '../limits.js';
import type { MainMessage, WorkerMessage, WorkerTask } from '../messages.js';
import { queuesFor, WorkQueue, type WorkSource } from '../partition.js';
import { type ProtocolViolation, unexpectedMessage, WorkerCrashed, WorkerUnloadable } from '../pool-errors.js';
import { PieceBoard } from '../piece-board.js';
import { poolSize } from '../pool-size.js';
import { downloadWorker } from '../../paths.js';
import type { FetchOptions, Item, ItemResult, Piece, ScheduleOptions, Strategy, StrategyEvents, StrategyOutcome } from '../../types.js';

/**
 * A worker's young generation, in MiB, in a run that splits files (V8's default here is 48). A
 * range streams at full speed, and the socket buffers it has written stay allocated outside V8's
 * heap until a scavenge frees them; V8 starts one for them only past a fixed 32 MB a thread. A
 * young generation this small is scavenged often enough to free them sooner. A run without ranges
 * keeps V8's default: its many small bodies may cost more CPU when scavenged this often.
 */
const SPLIT_WORKER_YOUNG_GENERATION_MB = 3;

/** A worker's unfinished items get one more try on the next task; after that they are errors. */
const MAX_ATTEMPTS = 2;

/** How long a failed task's port may take to close before the main thread closes it. */
const CLOSE_GRACE_MS = 2000;

/**
 * After Ctrl-C, how long the workers have to wind down before they are ended: a request is cut
 * at once, but a render in progress only stops at its budget (`--render-timeout`) or here.
 */
const CANCEL_GRACE_MS = 1000;

/** A Piscina pool of worker threads, one task per thread, each pulling items over its own port. */
export const threads: Strategy = (items, options, events) => runPool({ workerFile: downloadWorker, items, options, events });

/** The pool with another worker file that speaks the same protocol (tests use one that crashes). */
export function threadsWith(workerFile: string): Strategy {
  return (items, options, events) => runPool({ workerFile, items, options, events });
}

/**
 * The pool fed by `source` instead of `items` (the queue worker's jobs, as they arrive): every
 * task shares it, all `threads` start, and each runs until `source` has nothing more to give.
 */
export function threadsFrom(source: WorkSource<Item>): Strategy {
  return (items, options, events) => runPool({ workerFile: downloadWorker, items, options, events, source });
}

/** A pool run: the worker file its threads load, and its work, as a list known up front or as a feed (`source`). */
interface PoolRun {
  workerFile: string;
  items: readonly Item[];
  options: ScheduleOptions;
  events: StrategyEvents;
  source?: WorkSource<Item>;
}

interface PoolContext {
  pool: Piscina<WorkerTask, void>;
  fetch: FetchOptions;
  concurrency: number;
  events: StrategyEvents;
  /** Ports of the tasks running now, to be told when the run is cancelled. */
  ports: Set<MessagePort>;
  /** How many times each item (by URL) has been handed to a worker, across all tasks. */
  attempts: Map<string, number>;
  /** Why tasks failed (`interrupted`, or the error's message), so that items no worker could take can say it. */
  failures: string[];
  /** When each worker's thread started, as it said in its first message. */
  workers: StrategyOutcome['workers'];
  /** Aborted a grace period after Ctrl-C: ends the workers still busy (Piscina terminates a task's thread). */
  stopWorkers: AbortSignal;
  /** `--per-host` and `--rate`: items are handed out, and retries allowed, only within them. */
  limits: RequestLimits | undefined;
  /** `--split`: the ranges shared by the slots that split a file, for any free slot of any task. */
  board: PieceBoard | undefined;
}

async function runPool({ workerFile, items, options, events, source }: PoolRun) {
  const threadCount = Math.max(1, poolSize(options, source ? 'fed' : items.length, options.split).threads);
  // Workers starting together share the cores and all come up late; started a few at a time,
  // the first ones are downloading while the rest still load. Each new task spawns a worker.
  const startingAtOnce = Math.min(threadCount, availableParallelism());
  const created = performance.now();
  const pool = new Piscina<WorkerTask, void>({
    filename: workerFile,
    minThreads: startingAtOnce,
    maxThreads: threadCount,
    idleTimeout: Number.POSITIVE_INFINITY,
    // An I/O worker must keep its event loop running between tasks (keep-alive sockets, timers).
    atomics: 'disabled',
    ...((options.split ?? 1) > 1 && { resourceLimits: { maxYoungGenerationSizeMb: SPLIT_WORKER_YOUNG_GENERATION_MB } }),
  });
  // A failure in an idle worker is reported here; without a listener it would end the process.
  pool.on('error', () => {});
  // Counted as Piscina creates them: a task may land on a worker whose earlier task is done.
  let workersStarted = 0;
  pool.on('workerCreate', () => workersStarted++);
  const stopWorkers = new AbortController();
  // Piscina listens to it once per task: a pool of 20 threads is 20 listeners, not a leak.
  setMaxListeners(0, stopWorkers.signal);
  const context: PoolContext = {
    pool,
    fetch: fetchOptionsOf(options),
    concurrency: options.concurrency,
    events,
    ports: new Set(),
    attempts: new Map(),
    failures: [],
    workers: [],
    stopWorkers: stopWorkers.signal,
    limits: RequestLimits.of(options, events.signal),
    board: (options.split ?? 1) > 1 ? new PieceBoard() : undefined,
  };
  let stopTimer: NodeJS.Timeout | undefined;
  const cancel = () => {
    for (const port of context.ports) port.postMessage({ type: 'cancel' } satisfies MainMessage);
    stopTimer = setTimeout(() => stopWorkers.abort(), CANCEL_GRACE_MS);
  };
  events.signal.addEventListener('abort', cancel, { once: true });

  const queues: WorkSource<Item>[] = source ? Array.from({ length: threadCount }, () => source) : queuesFor(items, threadCount, options.partition);
  const tasks: Promise<void>[] = [];
  let lastStart = created;
  // A task launches the next one once its worker is up (or has failed), unless the work is gone:
  // like a classic thread pool, the pool only grows while there is something to do.
  const launchNext = () => {
    const queue = queues[tasks.length];
    // With --split, a thread may be of use with no item of its own: for the ranges of the items in flight.
    if (queue === undefined || (queue.size === 0 && !context.board?.busy) || events.signal.aborted) return;
    let started = false;
    const onStart = () => {
      if (started) return;
      started = true;
      lastStart = performance.now();
      launchNext();
    };
    tasks.push(runTask(context, queue, onStart).finally(onStart));
  };
  try {
    for (let i = 0; i < startingAtOnce; i++) launchNext();
    // Tasks launch one another, so the list grows while it is awaited.
    for (let i = 0; i < tasks.length; i++) await tasks[i];
  } finally {
    events.signal.removeEventListener('abort', cancel);
    clearTimeout(stopTimer);
    context.limits?.close();
    await pool.destroy();
  }
  if (!events.signal.aborted) {
    for (const item of [...new Set(queues)].flatMap((queue) => queue.drain())) events.onResult(failed(item, context.failures[0]!, 0));
  }
  return { threads: threadCount, workersStarted, workerStartupMs: Math.round(lastStart - created), workers: context.workers };
}

/**
 * Runs one pool task: answers the worker's asks from `queue` and passes its results on. Should the
 * worker throw or die, the items it held are tried once more on a new task, or reported as errors.
 *
 * With limits, an ask for work waits until an item of `queue` has room on its host, and the item
 * goes out with its first request's permit. Retries are new requests: rather than move them here,
 * the worker asks before each request, the first and every retry (`want-permit`, which takes a
 * rate token and, for a retry, a new permit), and gives the permit back as the request ends
 * (`permit-back`). The retry stage, its waits and its notices stay as they are, in every mode.
 */
async function runTask(context: PoolContext, queue: WorkSource<Item>, onStart: () => void): Promise<void> {
  const { pool, fetch, concurrency, events, attempts, ports, stopWorkers, limits, board } = context;
  const { port1: port, port2: workerPort } = new MessageChannel();
  // By URL, the key a result comes back with: a list has each URL once.
  const held = new Map<string, Item>();
  // By split and start: the pieces this task's slots are fetching.
  const heldPieces = new Map<string, Piece>();
  const pieceKey = (piece: Piece) => `${piece.split} ${piece.start}`;
  let handedOut = 0;
  let running = false;
  let portClosed = false;
  port.once('close', () => (portClosed = true));
  const handOut = (item: Item | undefined) => {
    // Work that arrived from a feed after its task ended goes to the next asker.
    if (portClosed) return item && queue.putBack([item]);
    if (item !== undefined) {
      held.set(item.url, item);
      handedOut++;
      attempts.set(item.url, (attempts.get(item.url) ?? 0) + 1);
      board?.started();
    } else if (board !== undefined) {
      // No item left: a range of one in flight may come yet.
      return board.wait(handPiece, port);
    }
    port.postMessage({ type: 'work', item: item ?? null } satisfies MainMessage);
  };
  const handPiece = (piece: Piece | undefined) => {
    if (piece === undefined) return port.postMessage({ type: 'work', item: null } satisfies MainMessage);
    if (portClosed) return board!.putBack(piece);
    heldPieces.set(pieceKey(piece), piece);
    port.postMessage({ type: 'piece', piece } satisfies MainMessage);
  };
  // A task whose worker breaks the protocol is ended as one that crashed: its thread is terminated.
  const broken = new AbortController();
  let violation: ProtocolViolation | undefined;
  const handOutNext = () => {
    const piece = board?.take();
    if (piece !== undefined) return handPiece(piece);
    // A feed (the queue worker's jobs) comes with no limits of a local run: its rate is the queue's.
    if (limits && queue instanceof WorkQueue) return limits.take(queue, handOut, port);
    const next = events.signal.aborted ? undefined : queue.take();
    if (!(next instanceof Promise)) return handOut(next);
    if (board === undefined) return void next.then(handOut);
    // A feed's next job may be long in coming: a range shared meanwhile goes to this slot, and the
    // job, should it come after, to the next slot that asks.
    let pieceFirst = false;
    const stop = board.listen((piece) => {
      pieceFirst = true;
      handPiece(piece);
    }, port);
    void next.then((item) => {
      if (!pieceFirst) {
        stop();
        handOut(item);
      } else if (item !== undefined) queue.putBack([item]);
    });
  };
  const wantPermit = (url: string) => {
    const grant = (granted: boolean) => {
      if (granted) port.postMessage({ type: 'permit', url } satisfies MainMessage);
    };
    limits?.acquire(url, grant, port);
  };
  port.on('message', (message: WorkerMessage) => {
    if (!running) {
      running = true;
      onStart();
    }
    switch (message.type) {
      case 'started':
        context.workers.push({ thread: message.thread, worker: context.workers.length + 1, startedAt: message.startedAt });
        return;
      case 'want':
        return handOutNext();
      case 'result':
        // The bytes before it, counted before it: a progress bar's bytes never lag its results.
        if (message.bytes > 0) events.onBytes(message.bytes);
        held.delete(message.result.url);
        board?.finished();
        if (!limits || limits.finished(message.result)) events.onResult(numbered(context, message.result));
        return;
      case 'share':
        return void board
          ?.share(
            message.split,
            message.pieces,
            (start, bytes) => {
              if (!portClosed) port.postMessage({ type: 'written', split: message.split, start, bytes } satisfies MainMessage);
            },
            port,
          )
          .then((outcomes) => {
            if (!portClosed) port.postMessage({ type: 'shared', split: message.split, outcomes } satisfies MainMessage);
          });
      case 'take-back':
        return port.postMessage({ type: 'taken-back', split: message.split, piece: board?.takeBackNow(message.split) ?? null } satisfies MainMessage);
      case 'piece-written':
        return board?.written(message.piece, message.bytes);
      case 'piece-done':
        heldPieces.delete(pieceKey(message.piece));
        return board?.done(message.piece, message.outcome);
      case 'want-permit':
        return wantPermit(message.url);
      case 'sent':
        return limits?.sent(message.url);
      case 'permit-back':
        return limits?.release(message.url);
      case 'retry':
        return events.onRetry(numbered(context, message.notice));
      case 'bytes':
        return events.onBytes(message.bytes);
      default:
        violation ??= unexpectedMessage('worker', message);
        broken.abort();
    }
  });
  const closed = once(port, 'close');
  ports.add(port);
  try {
    await pool.run({ port: workerPort, fetch, concurrency, limited: limits !== undefined }, { transferList: [workerPort], signal: AbortSignal.any([stopWorkers, broken.signal]) });
    await closed;
  } catch (error) {
    // A worker ended on purpose posts nothing more: there is nothing to wait for.
    if (!stopWorkers.aborted && violation === undefined) await Promise.race([closed, sleep(CLOSE_GRACE_MS)]);
    port.close();
    // Its asks still waiting are void.
    limits?.withdraw(port);
    // Its ranges end unfinished, and the splits it owned go with it; its items are no longer in flight.
    board?.withdraw(port, heldPieces.values());
    for (let count = held.size; count > 0; count--) board?.finished();
    // A worker ended after Ctrl-C: what it held was interrupted, not lost to a fault.
    const why = stopWorkers.aborted ? 'interrupted' : (violation ?? (running ? new WorkerCrashed(error) : new WorkerUnloadable(error))).message;
    context.failures.push(why);
    const retry = stopWorkers.aborted ? [] : [...held.values()].filter((item) => (attempts.get(item.url) ?? 0) < MAX_ATTEMPTS);
    for (const item of held.values()) if (!retry.includes(item)) events.onResult(failed(item, why, attempts.get(item.url) ?? 0));
    queue.putBack(retry);
    // The permits of what it held come back once its items are in the queue again, for the asks that wait.
    for (const item of held.values()) limits?.release(item.url);
    // A task that took no item made no progress: replacing it could loop forever. One that held
    // ranges is replaced while there are ranges left, as every other slot may be an owner waiting for them.
    const lostPieces = heldPieces.size > 0 && board?.busy === true;
    if ((handedOut > 0 || lostPieces) && (queue.size > 0 || lostPieces) && !events.signal.aborted) await runTask(context, queue, () => {});
  } finally {
    ports.delete(port);
  }
}

/** With the number its thread got in this pool, as a person reads it: a thread's `started` comes before anything else it posts. */
function numbered<T extends { thread: number }>(context: PoolContext, event: T): T & { worker?: number } {
  const worker = context.workers.find((each) => each.thread === event.thread)?.worker;
  return worker === undefined ? event : { ...event, worker };
}

/** An item lost with its worker, declared on the main thread now: `attempts` counts the workers that had it in hand. */
function failed(item: Item, error: string, attempts: number): ItemResult {
  const now = performance.timeOrigin + performance.now();
  return { ...item, status: 'error', bytes: 0, startedAt: now, ms: 0, endedAt: now, thread: 0, attempts, error };
}

/** What a worker needs of the options: the fetch part alone crosses to the thread. */
function fetchOptionsOf(options: FetchOptions): FetchOptions {
  const { dest, timeoutMs, maxBytes, tempPrefix, retries, retryDelayMs, existing, ca, insecure, png, maxPixels, renderTimeoutMs, resume, sha256 } = options;
  const { headers, proxy, maxRedirects, notFound, split, splitMin } = options;
  return {
    dest,
    timeoutMs,
    maxBytes,
    tempPrefix,
    retries,
    retryDelayMs,
    existing,
    ca,
    insecure,
    png,
    maxPixels,
    renderTimeoutMs,
    resume,
    sha256,
    headers,
    proxy,
    maxRedirects,
    notFound,
    split,
    splitMin,
  };
}
