/** Every download ends in exactly one of these states. */
export type Status = 'ok' | 'not_found' | 'error';

export interface FlagResult {
  /** Lower-case two-letter country code. */
  cc: string;
  status: Status;
  /** Bytes written to the destination file (0 unless ok). */
  bytes: number;
  /** Wall time of the request, from its start to the file in place. */
  ms: number;
  /** The worker thread that did it (0: the main thread). */
  thread: number;
  /** Why it failed: only on `error`. */
  error?: string;
}

/** What the fetch-and-save routine needs, the same in every strategy. */
export interface FetchOptions {
  /** Base URL: a flag is at `{baseUrl}/{cc}/{cc}.{ext}`. */
  baseUrl: string;
  ext: string;
  /** Absolute destination folder; it exists and is writable. */
  dest: string;
  timeoutMs: number;
  maxBytes: number;
  /** Prefix of this run's temporary files, so that they can be swept after an interruption. */
  tempPrefix: string;
}

export type Mode = 'sequential' | 'async' | 'threads';
export type Partition = 'dynamic' | 'chunks' | 'round-robin';

export interface ScheduleOptions extends FetchOptions {
  mode: Mode;
  /** Worker threads (threads mode only). */
  threads: number;
  /** Requests in flight per worker (threads) or in all (async). */
  concurrency: number;
  partition: Partition;
}

export interface RunReport {
  server: string;
  mode: Mode;
  threads: number;
  concurrency: number;
  partition: Partition;
  requested: number;
  ok: number;
  notFound: number;
  error: number;
  bytes: number;
  elapsedMs: number;
  /** Threads mode: worker threads created, and the time until the last pool task was under way. */
  workersStarted: number;
  workerStartupMs: number | null;
  /** Peak resident set size of the whole process, in bytes. */
  peakRssBytes: number;
  interrupted: boolean;
  results: FlagResult[];
}

/** How a strategy reports back to the harness. */
export interface StrategyEvents {
  onResult(result: FlagResult): void;
  /** Aborted on Ctrl-C: stop handing out work and cut the requests in flight short. */
  signal: AbortSignal;
}

export interface StrategyOutcome {
  /** Worker threads used (0: the main thread alone). */
  threads: number;
  /** Worker threads created: fewer than `threads` when the codes ran out before the pool was full. */
  workersStarted: number;
  /** Time from the pool's creation until its last task was under way. */
  workerStartupMs: number | null;
}

/** Every strategy has this signature: only the scheduling differs between them. */
export type Strategy = (codes: readonly string[], options: ScheduleOptions, events: StrategyEvents) => Promise<StrategyOutcome>;
