import type { ProxySettings } from './fetch/proxy.js';

/**
 * Every download ends in exactly one of these states. `not_modified` (a 304 to `--update`) and
 * `skipped` (`--skip-existing`) leave a file that was already there.
 */
export type Status = 'ok' | 'not_found' | 'not_modified' | 'skipped' | 'error';

/**
 * One file to fetch, from `url` to `{dest}/{file}`: `file` is relative and `/`-separated. A flag's
 * item also carries its lower-case country code.
 */
export interface Item {
  url: string;
  file: string;
  cc?: string;
  /** The line of the URL list that asked for it, from 1 (a list's item only). */
  line?: number;
  /** The SHA-256 its bytes must have (`--checksums`): bytes that do not are never put in place. */
  sha256?: string;
}

/** How one item ended: the same schema for a flag and for any file of a list. */
export interface ItemResult extends Item {
  status: Status;
  /** Bytes written to the destination file (0 unless ok). */
  bytes: number;
  /** When its request started, in epoch ms (`performance.timeOrigin + performance.now()` in the thread that did it). */
  startedAt: number;
  /** Wall time of the request, from its start to the file in place (the PNG too, with `--png`), in whole ms. */
  ms: number;
  /** When its file was in place, in epoch ms on the clock of `startedAt`, unrounded: the end of its bar on a timeline. */
  endedAt: number;
  /** The last part of `ms` that the PNG render took, to 0.1 ms: only when one was rendered. */
  renderMs?: number;
  /** When its render started, in epoch ms on the clock of `startedAt`, unrounded: only when one was rendered. */
  renderStartedAt?: number;
  /** The worker thread that did it, its id (0: the main thread). */
  thread: number;
  /** The pool's number for that worker, 1..threads in the order the workers came up, as --verbose and the timeline name it: only in threads mode. */
  worker?: number;
  /** Requests made for it: 1 unless retried, 0 when skipped; with `--split`, a range asked for again counts too. */
  attempts: number;
  /** Why it failed: only on `error`. */
  error?: string;
  /** The SHA-256 of the file (`--sha256`): of the bytes saved, or of a file kept as it was. */
  sha256?: string;
  /** Where the redirects from `url` ended: only when it was redirected. */
  finalUrl?: string;
  /** `--split`: the ranges its last attempt fetched it as, at once (absent: one stream). */
  ranges?: number;
}

/** How one request for an item ended, before the retry stage decides whether to try again. */
export interface Attempt {
  status: Status;
  bytes: number;
  error?: string;
  /** The SHA-256 of the file saved (`--sha256`). */
  sha256?: string;
  /**
   * Set on a failure that may pass next time: a reset, a timeout, a cut body, HTTP 408, 429 or 5xx,
   * a checksum mismatch; `retries` caps the further attempts for this kind of failure.
   */
  transient?: { retryAfter?: string; retries?: number };
  /** Where the redirects ended, when there were any. */
  finalUrl?: string;
  /** A split's ranges asked for again (a reset, a cut, a 5xx), on top of the item's own attempts. */
  rangeRetries?: number;
  /** A split's ranges (absent: one stream). */
  ranges?: number;
}

/** A transient failure about to be tried again, as `--verbose` shows it. */
export interface RetryNotice extends Item {
  /** The attempt that failed, from 1. */
  attempt: number;
  /** Why it failed. */
  error: string;
  /** How long the slot waits before the next attempt. */
  waitMs: number;
  thread: number;
  /** The pool's number for that worker thread, as in `ItemResult.worker`. */
  worker?: number;
}

/** What to do about an item whose file is already in the destination. */
export type Existing = 'replace' | 'update' | 'skip';

/** What the fetch-and-save routine needs, the same in every strategy. */
export interface FetchOptions {
  /** Absolute destination folder; it exists and is writable. */
  dest: string;
  /** Per attempt. */
  timeoutMs: number;
  maxBytes: number;
  /** Prefix of this run's temporary files, so that they can be swept after an interruption. */
  tempPrefix: string;
  /** Further attempts after a transient failure (0: none). */
  retries: number;
  /** Base of the exponential backoff between attempts, in ms. */
  retryDelayMs: number;
  /** `replace`: download every item; `update`: ask with If-Modified-Since; `skip`: leave the file alone. */
  existing: Existing;
  /** PEM certificates trusted besides the system's. */
  ca?: string;
  /** Accept any certificate. */
  insecure: boolean;
  /** Width of the PNG rendered from each SVG saved (status ok), on the same thread, beside it; absent: none. */
  png?: number;
  /** A PNG of more pixels than this is refused before it is rendered (default: 4096 × 4096). */
  maxPixels?: number;
  /** A render that takes longer than this, in ms, is stopped (default: by the width, see `defaultRenderTimeoutMs`). */
  renderTimeoutMs?: number;
  /**
   * What a 404 is: an answer (`not_found`, the default: a flag's, or a list's file's with
   * `--allow-missing`), or a failure (`error`, `HTTP 404 Not Found`: a list's file's).
   */
  notFound?: 'answer' | 'error';
  /** `--continue`: write to `{file}.part`, kept after a broken transfer, and resume it with a range request. */
  resume?: boolean;
  /** `--sha256`: hash each file as it streams; results carry the digest. */
  sha256?: boolean;
  /** Headers sent besides flags' own (`--user-agent`, then each `--header`), in order; a name may repeat. */
  headers?: (readonly [string, string])[];
  /** Redirects followed at most (`--max-redirects`; default 10). */
  maxRedirects?: number;
  /** The proxies requests go through (`--proxy`, or the environment's); absent: none. */
  proxy?: ProxySettings;
  /** `--split`: a file that answers ranges and is larger than `splitMin` is fetched as up to this many ranges at once (1: one stream). */
  split?: number;
  /** `--split-min`: files of at most this many bytes are fetched as one stream. */
  splitMin?: number;
}

/**
 * One range of a file being fetched in several (`--split`), as any free slot of any thread takes it:
 * the bytes `start` to `end` (exclusive) of `url`, written in place into `temp`, asked with
 * `If-Range: validator`, so that a file changed on the server is never stitched from two versions.
 */
export interface Piece {
  /** The split it belongs to: unique in the run, its owner's thread and number. */
  split: string;
  /** The item's URL, for the limits and the messages. */
  item: string;
  /** The item's file, for the notices of a range tried again. */
  file: string;
  /** Where the item's redirects ended: ranges are asked of it directly. */
  url: string;
  temp: string;
  start: number;
  end: number;
  /** The file's length, as the first answer's Content-Range said. */
  total: number;
  validator: string;
}

/** Bytes `[start, end)` of a file. */
export type Span = readonly [start: number, end: number];

/** How a piece ended: the bytes written from its start, and, unless it is whole, why not. */
export interface PieceOutcome {
  bytes: number;
  error?: string;
  /** Its requests tried again. */
  retries?: number;
  /** The server's file is no longer the one the split began with (If-Range was answered 200). */
  changed?: boolean;
}

/**
 * Where a split's owner shares its pieces with the run's free slots: on the main thread itself
 * (async mode), or across the pool's port (threads mode). Whoever runs a piece reports its outcome
 * with `done`; `share` resolves once every piece it gave has one.
 */
export interface PieceExchange {
  /** `onWritten` hears, now and then, how many bytes from its start each piece has on disk. */
  share(split: string, pieces: readonly Piece[], onWritten?: PieceWritten): Promise<PieceOutcome[]>;
  /** One of the split's pieces that no slot has taken yet, taken back by its owner; undefined: none left. */
  takeBack(split: string): Promise<Piece | undefined>;
  /** Whoever runs a piece says, now and then, how many bytes from its start are on disk. */
  written(piece: Piece, bytes: number): void;
  done(piece: Piece, outcome: PieceOutcome): void;
}

/** A piece (by its start) has `bytes` from its start on disk. */
export type PieceWritten = (start: number, bytes: number) => void;

export type Mode = 'sequential' | 'async' | 'threads';
export type Partition = 'dynamic' | 'chunks' | 'round-robin';

export interface ScheduleOptions extends FetchOptions {
  mode: Mode;
  /** Worker threads (threads mode only). */
  threads: number;
  /** Requests in flight per worker (threads) or in all (async). */
  concurrency: number;
  partition: Partition;
  /** `--per-host`: requests in flight to one origin at most, across all threads. */
  perHost?: number;
  /** `--rate`: requests started per second at most, across all threads. */
  rate?: number;
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
  notModified: number;
  skipped: number;
  error: number;
  bytes: number;
  elapsedMs: number;
  /** Threads mode: worker threads created, and the time until the last pool task was under way. */
  workersStarted: number;
  workerStartupMs: number | null;
  /** The `--png` width, or null when no PNG was rendered. */
  png: number | null;
  /** Render time summed over the flags (0 without `--png`). */
  renderMs: number;
  /** The process start in epoch ms (the main thread's `performance.timeOrigin`): a timeline's zero. */
  processStart: number;
  /** Each pool worker that started, and when its first request did (null: it got none). */
  workers: WorkerStart[];
  /** Peak resident set size of the whole process, in bytes. */
  peakRssBytes: number;
  interrupted: boolean;
  results: ItemResult[];
}

/** A pool worker's start-up, in epoch ms on the same clock as `ItemResult.startedAt`. */
export interface WorkerStart {
  thread: number;
  /** Its number in the pool, 1..threads in the order the workers came up. */
  worker: number;
  startedAt: number;
  firstRequestAt: number | null;
}

/** What happens to an item on its way, as it happens. */
export interface ItemEvents {
  onRetry(notice: RetryNotice): void;
  /** Body bytes received since the last call, for a progress bar (a worker sends them a few times a second). */
  onBytes(bytes: number): void;
}

/** How a strategy reports back to the harness. */
export interface StrategyEvents extends ItemEvents {
  onResult(result: ItemResult): void;
  /** Aborted on Ctrl-C: stop handing out work and cut the requests in flight short. */
  signal: AbortSignal;
}

export interface StrategyOutcome {
  /** Worker threads used (0: the main thread alone). */
  threads: number;
  /** Worker threads created: fewer than `threads` when the items ran out before the pool was full. */
  workersStarted: number;
  /** Time from the pool's creation until its last task was under way. */
  workerStartupMs: number | null;
  /** When each pool worker's thread started, in epoch ms. */
  workers: Omit<WorkerStart, 'firstRequestAt'>[];
}

/** Every strategy has this signature: only the scheduling differs between them. */
export type Strategy = (items: readonly Item[], options: ScheduleOptions, events: StrategyEvents) => Promise<StrategyOutcome>;
