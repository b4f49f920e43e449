import { expandCodes } from '../input/codes.js';
import { UsageError } from '../errors.js';
import type { Layout } from '../input/file-names.js';
import { type FlagSourceSpec, resolveFlagSource } from '../input/flag-source.js';
import { checkInputOptions } from '../input/input-items.js';
import {
  checkPem,
  checkPngExt,
  DEFAULT_SERVER,
  LAYOUTS,
  limitOptions,
  MODES,
  PARTITIONS,
  reliabilityOptions,
  renderOptions,
  scheduleOptions,
  selectionOptions,
  transferOptions,
} from '../options/definitions.js';
import { defaultUserAgent, httpOptions, proxyOption } from '../options/http-options.js';
import { wholeNumber } from '../options/numbers.js';
import { type ProxySettings, proxySettings } from '../fetch/proxy.js';
import { serverKnobs } from '../server/server-options.js';
import type { Existing, Mode, Partition, RetryNotice } from '../types.js';
import { checked, choice, exclusive, flag, onlyKnown, text } from '../options/option-checks.js';

/** How a run starts, once its options are checked, its list read and its server up: what `flags` prints first. */
export interface RunStart {
  /** How many items the run has. */
  requested: number;
  /** Where they come from: the server (with its profile, for the embedded one) or the list. */
  server: string;
  mode: Mode;
  /** Worker threads at most (threads mode): `threads`, capped by the number of items. */
  threads: number;
  /** Requests in flight per thread (threads) or in all (async); 1 in sequential mode. */
  concurrency: number;
  /** What an item is: a flag, or a file of a list (`input`). */
  items: 'flag' | 'file';
}

/**
 * What `download()` takes: the long options of the `flags` command in camelCase, with the same
 * defaults and the same checks (a bad value throws `UsageError` with the message the CLI prints).
 * Numbers are numbers; `ca` is PEM text, not a path.
 */
export interface DownloadOptions {
  /** Two-letter country codes; one letter stands for its 26 codes. Default: the 20 most populous countries. */
  codes?: readonly string[];
  /** Every flag of the catalogue (the 257 two-letter codes of flag-icons). */
  all?: boolean;
  /** All 676 codes from AA to ZZ (most answer 404). */
  every?: boolean;
  /** At most this many codes (or files of `input`). */
  limit?: number;
  /**
   * Download the files of a URL list instead of flags: a path to a list (one http(s) URL a line,
   * optionally followed by a name; `#` comments; `-` reads standard input), or the lines themselves
   * as an array of strings, or of `{ url, file }` (`file` optional). Every line is checked first.
   */
  input?: string | readonly (string | { url: string; file?: string })[];
  /** With `input`: save each file under its last path segment (`flat`, the default) or as `{host}/{path}` (`tree`). */
  layout?: Layout;
  /**
   * An embedded server profile (`local`: no delay; `delay`: 100-500 ms latency, the default;
   * `error`: latency and faults) started for the run, or the base URL of any server with
   * `{URL}/{cc}/{cc}.{ext}`. Not with `input`.
   */
  server?: string;
  /** Embedded server: hold each answer this many ms (default by profile: local 0, delay 300, error 300). */
  latency?: number;
  /** Embedded server: spread the hold by ± this many ms, seeded (default: 0 with `latency`, else by profile). */
  jitter?: number;
  /** Embedded server: share 0..1 of flag requests that get a fault (default by profile: error 0.2, else 0). */
  errorRate?: number;
  /** Embedded server: seed of the jitter and fault draws (default 1). */
  seed?: number;
  /** File extension to fetch, 1 to 8 letters or digits (default `svg`). */
  ext?: string;
  /** Destination folder, created when missing (default `downloaded`, relative to the working folder). */
  dest?: string;
  /** `threads` (default): a pool of worker threads; `async`: the main event loop alone; `sequential`: one at a time. */
  mode?: Mode;
  /** Worker threads (default 20, capped by the number of items). */
  threads?: number;
  /** Requests in flight per worker thread (threads) or in all (async); default 1, capped by the number of items. */
  concurrency?: number;
  /** How items reach the workers: handed out as workers ask (`dynamic`, the default), or split up front (`chunks`, `round-robin`). */
  partition?: Partition;
  /** At most this many requests in flight to one host (scheme, host and port), across all threads; retries count. Default: no limit. */
  perHost?: number;
  /**
   * At most this many requests started per second across all threads, a decimal (0.5: one every
   * 2 s); retries count. The first max(1, ceil(rate / 10)) may start at once. Default: no limit.
   */
  rate?: number;
  /** Further attempts after a transient failure (reset, timeout, cut body, HTTP 408, 429, 5xx); default 3. */
  retries?: number;
  /** Base of the exponential backoff between attempts, in ms (default 100). */
  retryDelay?: number;
  /** Give up on a request after this many ms without an answer or a byte of its body (default 10000). */
  timeout?: number;
  /** Largest response accepted, in bytes (default 5000000 for flags; no cap for the files of `input`). */
  maxSize?: number;
  /** Ask with If-Modified-Since for an item whose file exists; a 304 keeps it (`not_modified`). Not with `skipExisting`. */
  update?: boolean;
  /** Make no request for an item whose file exists (`skipped`). */
  skipExisting?: boolean;
  /** Also render each SVG saved to `{cc}.png` this many px wide (16 to 4096), on the thread that downloaded it. */
  png?: number;
  /** With `png`: refuse a PNG of more pixels than this (default 4096 × 4096). */
  maxPixels?: number;
  /** With `png`: stop a render that takes longer than this many ms (default 60000). */
  renderTimeout?: number;
  /** PEM text of CA certificates to trust besides the system's, for https servers (read the file yourself). */
  ca?: string;
  /** Accept any https certificate, unverified. The CLI prints a warning for it; the library does not. Not with `ca`. */
  insecure?: boolean;
  /** `--continue`: keep the bytes of a broken transfer in `{file}.part` and resume it on the next attempt or run. */
  continue?: boolean;
  /** Hash each file as it streams; results carry `sha256`, and `SHA256SUMS` is written in `dest`. */
  sha256?: boolean;
  /** Path of a sha256sum manifest: a file whose bytes do not match its line is an error, never put in place. */
  checksums?: string;
  /** Path of an SVG file to draw where the time went into, after the run. */
  timeline?: string;
  /**
   * Headers sent with every request, each `'Name: value'` (`--header`); a name may repeat.
   * Authorization and Cookie go to the first URL's host only, never on after a redirect.
   */
  header?: string | readonly string[];
  /** The User-Agent header (default `flags/VERSION`). */
  userAgent?: string;
  /**
   * An http(s) proxy URL for every request, in place of the environment's HTTP_PROXY, HTTPS_PROXY
   * and ALL_PROXY (NO_PROXY still applies); `false`: no proxy whatever the environment says
   * (`--no-proxy`). Default: the environment's, as curl reads it.
   */
  proxy?: string | false;
  /** Follow at most this many redirects, to http: and https: only (default 10; 0: none). */
  maxRedirects?: number;
  /** Stops the run as Ctrl-C stops `flags`: no new request, those in flight cut, temporary files removed; the report says `interrupted`. */
  signal?: AbortSignal;
  /** Called once before the first request; the run waits for what it returns. */
  onStart?(start: RunStart): void | Promise<void>;
  /** Called when a transient failure is about to be tried again. */
  onRetry?(notice: RetryNotice): void;
  /** Called with the body bytes received since the last call, a few times a second: for a progress bar. */
  onBytes?(bytes: number): void;
}

/** A flags run's options once checked, before anything is read, created or started. */
export interface CheckedDownload {
  input?: { path: string } | { lines: string[] };
  layout: Layout;
  limit?: number;
  /** The codes of a flags run, and where they come from. */
  codes: string[];
  source?: FlagSourceSpec;
  ext: string;
  dest: string;
  mode: Mode;
  threads?: number;
  concurrency: number;
  partition: Partition;
  perHost?: number;
  rate?: number;
  timeoutMs: number;
  maxBytes?: number;
  retries: number;
  retryDelayMs: number;
  existing: Existing;
  ca?: string;
  insecure: boolean;
  png?: number;
  maxPixels: number;
  renderTimeoutMs: number;
  resume: boolean;
  sha256: boolean;
  checksums?: string;
  timeline?: string;
  /** User-Agent first, then each `header`. */
  headers: [string, string][];
  proxy?: ProxySettings;
  maxRedirects: number;
  signal?: AbortSignal;
  onStart?: DownloadOptions['onStart'];
  onRetry?: DownloadOptions['onRetry'];
  onBytes?: DownloadOptions['onBytes'];
}

const KNOWN: readonly (keyof DownloadOptions)[] = [
  'codes',
  'all',
  'every',
  'limit',
  'input',
  'layout',
  'server',
  'latency',
  'jitter',
  'errorRate',
  'seed',
  'ext',
  'dest',
  'mode',
  'threads',
  'concurrency',
  'partition',
  'perHost',
  'rate',
  'retries',
  'retryDelay',
  'timeout',
  'maxSize',
  'update',
  'skipExisting',
  'png',
  'maxPixels',
  'renderTimeout',
  'ca',
  'insecure',
  'continue',
  'sha256',
  'checksums',
  'timeline',
  'header',
  'userAgent',
  'proxy',
  'maxRedirects',
  'signal',
  'onStart',
  'onRetry',
  'onBytes',
];

/**
 * Every check that needs no I/O, in the CLI's order, each with the CLI's message: what can be
 * refused is refused before `download()` returns. Reading a list or a manifest, and writing to
 * the destination, come later.
 */
export function checkDownloadOptions(options: DownloadOptions): CheckedDownload {
  onlyKnown(options, KNOWN);
  const { all, every, update, skipExisting, insecure } = options;
  const ext = checked<string>(transferOptions.ext, options.ext);
  const png = checked<number | undefined>(renderOptions.png, options.png);
  const knobs = {
    latency: checked<number | undefined>(serverKnobs.latency, options.latency),
    jitter: checked<number | undefined>(serverKnobs.jitter, options.jitter),
    'error-rate': checked<number | undefined>(serverKnobs['error-rate'], options.errorRate),
    seed: checked<number | undefined>(serverKnobs.seed, options.seed),
  };
  const limit = checked<number | undefined>(selectionOptions.limit, options.limit);
  const layout = choice('layout', LAYOUTS, options.layout);
  const server = text('server', options.server);
  const codes = options.codes ?? [];
  if (!Array.isArray(codes) || codes.some((code) => typeof code !== 'string')) throw new UsageError('codes must be an array of strings');
  exclusive(options as Record<string, unknown>, 'update', 'skip-existing');
  exclusive(options as Record<string, unknown>, 'ca', 'insecure');
  const common = {
    layout,
    limit,
    ext,
    dest: text('dest', options.dest) ?? transferOptions.dest.default,
    mode: choice('mode', MODES, options.mode),
    threads: options.threads === undefined ? undefined : wholeNumber('threads')(options.threads),
    concurrency: checked<number>(scheduleOptions.concurrency, options.concurrency),
    partition: choice('partition', PARTITIONS, options.partition),
    perHost: checked<number | undefined>(limitOptions['per-host'], options.perHost),
    rate: checked<number | undefined>(limitOptions.rate, options.rate),
    timeoutMs: checked<number>(transferOptions.timeout, options.timeout),
    maxBytes: checked<number | undefined>(transferOptions['max-size'], options.maxSize),
    retries: checked<number>(reliabilityOptions.retries, options.retries),
    retryDelayMs: checked<number>(reliabilityOptions['retry-delay'], options.retryDelay),
    existing: (flag('update', update) ? 'update' : flag('skip-existing', skipExisting) ? 'skip' : 'replace') as Existing,
    ca: options.ca === undefined ? undefined : checkPem('ca', 'certificate', options.ca),
    insecure: flag('insecure', insecure),
    png,
    maxPixels: checked<number>(renderOptions['max-pixels'], options.maxPixels),
    renderTimeoutMs: checked<number>(renderOptions['render-timeout'], options.renderTimeout),
    resume: flag('continue', options.continue),
    sha256: flag('sha256', options.sha256),
    checksums: text('checksums', options.checksums),
    timeline: text('timeline', options.timeline),
    headers: [
      ['User-Agent', checked<string | undefined>(httpOptions['user-agent'], options.userAgent) ?? defaultUserAgent()] as [string, string],
      ...checked<[string, string][]>(httpOptions.header, options.header ?? []),
    ],
    proxy: proxySettings(options.proxy === undefined ? undefined : proxyOption(options.proxy)),
    maxRedirects: checked<number>(httpOptions['max-redirects'], options.maxRedirects),
    signal: options.signal,
    onStart: options.onStart,
    onRetry: options.onRetry,
    onBytes: options.onBytes,
  };
  if (options.input !== undefined) {
    checkInputOptions({ codes, layout, limit, all, every, server, latency: knobs.latency, jitter: knobs.jitter, 'error-rate': knobs['error-rate'], seed: knobs.seed, png });
    return { ...common, input: listInput(options.input), codes: [] };
  }
  const selected = expandCodes({ args: codes, all: flag('all', all), every: flag('every', every), limit });
  checkPngExt(png, ext);
  return { ...common, codes: selected, source: resolveFlagSource(server ?? DEFAULT_SERVER, knobs, ext) };
}

/** `input`: a path, or the list's lines given as an array. */
function listInput(input: NonNullable<DownloadOptions['input']>): CheckedDownload['input'] {
  if (typeof input === 'string') return { path: text('input', input)! };
  if (!Array.isArray(input)) throw new UsageError('--input must be a path or an array of URLs');
  const lines = input.map((entry) => (typeof entry === 'string' ? entry : entry?.file === undefined ? entry?.url : `${entry.url} ${entry.file}`));
  // A line break inside an entry would make it two lines of the list.
  if (lines.some((line) => typeof line !== 'string' || /[\r\n]/.test(line))) throw new UsageError('--input: each entry must be a URL string, or { url, file }, on one line');
  return { lines: lines as string[] };
}
