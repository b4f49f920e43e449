import { OptionError } from '../errors.js';
import { DEFAULT_MAX_PIXELS } from '../render/render-limits.js';
import type { Mode, Partition } from '../types.js';
import type { Layout } from '../input/file-names.js';
import { choicesNote, durationMs, flag, oneOf, positiveDecimal, text, wholeNumber } from './checks.js';
import { headerList, headerText, proxyOption } from './http-checks.js';
import { pemFile, pemText } from './pem-checks.js';
import { type Check, option } from './schema.js';
import { serverKnobs } from './server-schema.js';

/** The modes, the ways to split the work, and the layouts of a list's files: the one list of each. */
export const MODES = ['threads', 'async', 'sequential'] as const satisfies readonly Mode[];
export const PARTITIONS = ['dynamic', 'chunks', 'round-robin'] as const satisfies readonly Partition[];
export const LAYOUTS = ['flat', 'tree'] as const satisfies readonly Layout[];

/** The server of a flags run when none is given: the embedded one, with the lesson's latency. */
export const DEFAULT_SERVER = 'delay';

/** The book's thread pool size; more threads than items would only cost start-up time. */
export const DEFAULT_THREADS = 20;

/** Each request in flight may hold a body this large in memory: `maxSize` goes no higher. */
const MAX_BODY_BYTES = 2 ** 30;

/** Ranges of one file at once at most: past a few dozen, each range only adds a connection's cost. */
export const MAX_SPLIT = 64;

/** Files up to 4 MiB go as one stream: a range's request costs more than it saves on a small file. */
export const DEFAULT_SPLIT_MIN = 4 * 1024 * 1024;

/** A URL list given as its lines, each a URL or `{ url, file }`. */
export type ListEntries = readonly (string | { url: string; file?: string })[];

/** Where a list comes from, once checked: a path (`-`: standard input) or its lines. */
export type ListInput = { path: string } | { lines: string[] };

const codeList: Check<string[]> = (codes, option) => {
  if (!Array.isArray(codes) || codes.some((code) => typeof code !== 'string')) throw new OptionError(option, 'must be an array of strings');
  return [...codes];
};

/**
 * The extension ends up in a URL path and a file name, so it is letters and digits only, as the
 * embedded server's file names are. Upper case is kept as typed: a real server's paths are case-sensitive.
 */
const extension: Check<string> = (value, option) => {
  if (typeof value !== 'string' || !/^[a-z0-9]{1,8}$/i.test(value)) throw new OptionError(option, `must be 1 to 8 letters or digits, got ${JSON.stringify(value)}`);
  return value;
};

const listInput: Check<ListInput> = (input, option) => {
  if (typeof input === 'string') return { path: text(input, option) };
  if (!Array.isArray(input)) throw new OptionError(option, 'must be a path or an array of URLs');
  const lines = input.map((entry) => (typeof entry === 'string' ? entry : entry?.file === undefined ? entry?.url : `${entry.url} ${entry.file}`));
  // A line break inside an entry would make it two lines of the list.
  if (lines.some((line) => typeof line !== 'string' || /[\r\n]/.test(line))) {
    throw new OptionError(option, (name) => `${name(option)}: each entry must be a URL string, or { url, file }, on one line`);
  }
  return { lines };
};

/**
 * What `download()` and `flags` take, each option once: the library's property (documented here),
 * the CLI's flag and help, the check both apply, the default both use.
 */
export const downloadSchema = {
  /** Two-letter country codes; one letter stands for its 26 codes. Default: the 20 most populous countries. */
  codes: option<string[], readonly string[]>({
    type: 'list',
    positional: true,
    check: codeList,
    describe: 'Two-letter country codes; one letter stands for its 26 codes',
    group: 'selection',
  }),
  /** `threads` (default): a pool of worker threads; `async`: the main event loop alone; `sequential`: one at a time. */
  mode: option<Mode>({
    type: 'choice',
    check: oneOf(MODES),
    default: 'threads',
    describe: `threads: a Piscina pool of worker threads; async: the main event loop alone; sequential: one at a time ${choicesNote(MODES)}`,
    group: 'schedule',
  }),
  /** Worker threads (default 20, capped by the number of items). */
  threads: option({
    type: 'number',
    check: wholeNumber(),
    describe: `Worker threads [number] [default: ${DEFAULT_THREADS}, capped by the number of flags]`,
    group: 'schedule',
  }),
  /** Requests in flight per worker thread (threads) or in all (async); default 1, capped by the number of items. */
  concurrency: option({
    type: 'number',
    check: wholeNumber(),
    default: 1,
    describe: 'Requests in flight per worker thread (threads) or in all (async) [number] [capped by the number of flags]',
    group: 'schedule',
  }),
  /** How items reach the workers: handed out as workers ask (`dynamic`, the default), or split up front (`chunks`, `round-robin`). */
  partition: option<Partition>({
    type: 'choice',
    check: oneOf(PARTITIONS),
    default: 'dynamic',
    describe: `How codes reach the workers: handed out one at a time as workers ask (dynamic), or split up front ${choicesNote(PARTITIONS)}`,
    group: 'schedule',
  }),
  /** At most this many requests in flight to one host (scheme, host and port), across all threads; retries count. Default: no limit. */
  perHost: option({
    type: 'number',
    check: wholeNumber(),
    describe: 'At most this many requests in flight to one host (scheme, host and port), across all threads; retries count [number]',
    group: 'limits',
  }),
  /**
   * At most this many requests started per second across all threads, a decimal (0.5: one every
   * 2 s); retries count. The first max(1, ceil(rate / 10)) may start at once. Default: no limit.
   */
  rate: option({
    type: 'number',
    check: positiveDecimal,
    describe: 'At most this many requests started per second, across all threads, a decimal (0.5: one every 2 s); retries count [number]',
    group: 'limits',
  }),
  /** Every flag of the catalogue (the 257 two-letter codes of flag-icons). */
  all: option({ type: 'boolean', check: flag, default: false, describe: 'Every flag of the catalogue (the 257 two-letter codes of flag-icons)', group: 'selection' }),
  /** All 676 codes from AA to ZZ (most answer 404). */
  every: option({ type: 'boolean', check: flag, default: false, describe: 'All 676 codes from AA to ZZ (most answer 404: that is the point)', group: 'selection' }),
  /** At most this many codes (or files of `input`). */
  limit: option({ type: 'number', check: wholeNumber(), describe: 'At most this many codes [number]', group: 'selection' }),
  /**
   * Download the files of a URL list instead of flags: a path to a list (one http(s) URL a line,
   * optionally followed by a name; `#` comments; `-` reads standard input), or the lines themselves
   * as an array of strings, or of `{ url, file }` (`file` optional). Every line is checked first.
   */
  input: option<ListInput, string | ListEntries>({
    type: 'text',
    alias: 'i',
    check: listInput,
    describe: 'Download the files of this URL list instead of flags (- reads standard input): one http(s) URL a line, optionally followed by a name; # comments',
    group: 'input',
  }),
  /** With `input`: save each file under its last path segment (`flat`, the default) or as `{host}/{path}` (`tree`). */
  layout: option<Layout>({
    type: 'choice',
    check: oneOf(LAYOUTS),
    default: 'flat',
    describe: `With --input: save each file in dest under its last path segment (flat), or as {host}/{path} like wget -x (tree) ${choicesNote(LAYOUTS)}`,
    group: 'input',
  }),
  /**
   * With `input`: a URL that answers 404 ends `not_found`, an answer, as a flag's does. Without it
   * (the default), a list's 404 is an `error` (`HTTP 404 Not Found`), and the CLI exits 1, as wget2,
   * curl --fail and aria2c do: a list that did not come down whole is a failure.
   */
  allowMissing: option({
    type: 'boolean',
    check: flag,
    default: false,
    describe:
      "With --input: a URL that answers 404 is not found, an answer (exit 0), instead of an error (exit 1, as wget2's, curl --fail's and aria2c's); a flag's 404 is always an answer",
    group: 'input',
  }),
  /**
   * An embedded server profile (`local`: no delay; `delay`: 100-500 ms latency, the default;
   * `error`: latency and faults) started for the run, or the base URL of any server with
   * `{URL}/{cc}/{cc}.{ext}`. Not with `input`.
   */
  server: option({
    type: 'text',
    check: text,
    describe: `An embedded server profile (local: no delay; delay: 100-500 ms latency; error: latency and faults) or the base URL of any server with {URL}/{cc}/{cc}.{ext} [default: ${DEFAULT_SERVER}; not with --input]`,
    group: 'server',
  }),
  ...serverKnobs,
  /** File extension to fetch, 1 to 8 letters or digits (default `svg`). */
  ext: option({
    type: 'text',
    check: extension,
    default: 'svg',
    describe: 'File extension to fetch, 1 to 8 letters or digits, used as typed (gif for the Fluent Python site layout)',
    group: 'selection',
  }),
  /** Destination folder, created when missing (default `downloaded`, relative to the working folder). */
  dest: option({ type: 'text', check: text, default: 'downloaded', describe: 'Destination folder (created when missing)', group: 'transfer' }),
  /** Give up on a request after this many ms without an answer or a byte of its body (default 10000). */
  timeout: option({
    type: 'number',
    check: durationMs(1),
    default: 10_000,
    describe: 'Give up on a request after this many ms without an answer or a byte of its body [number]',
    group: 'transfer',
    fetch: 'timeoutMs',
  }),
  /** Largest response accepted, in bytes (default 5000000 for flags; no cap for the files of `input`). */
  maxSize: option({
    type: 'number',
    check: wholeNumber(1, MAX_BODY_BYTES),
    describe: 'Largest response accepted, in bytes, as received and as decoded [number] [default: 5000000 for flags; no cap for the files of --input]',
    group: 'transfer',
  }),
  /**
   * Fetch a file that answers ranges and is larger than `splitMin` as up to this many ranges at
   * once, spread over the run's free slots and threads, into one file (default 1: one stream).
   */
  split: option({
    type: 'number',
    check: wholeNumber(1, MAX_SPLIT),
    default: 1,
    describe: `Fetch a file larger than --split-min whose server answers ranges as up to this many ranges at once, over the free slots of every thread, into one file (1 to ${MAX_SPLIT}) [number]`,
    group: 'transfer',
    fetch: 'split',
  }),
  /** With `split`: files of at most this many bytes are fetched as one stream (default 4 MiB). */
  splitMin: option({
    type: 'number',
    check: wholeNumber(1, Number.MAX_SAFE_INTEGER),
    default: DEFAULT_SPLIT_MIN,
    describe: 'With --split: a file of at most this many bytes is fetched as one stream [number]',
    group: 'transfer',
    fetch: 'splitMin',
  }),
  /** Further attempts after a transient failure (reset, timeout, cut body, HTTP 408, 429, 5xx); default 3. */
  retries: option({
    type: 'number',
    check: wholeNumber(0, 100),
    default: 3,
    describe: 'Further attempts after a transient failure (reset, timeout, cut body, HTTP 408, 429, 5xx); 0: none [number]',
    group: 'reliability',
    fetch: 'retries',
  }),
  /** Base of the exponential backoff between attempts, in ms (default 100). */
  retryDelay: option({
    type: 'number',
    check: durationMs(0, 60_000),
    default: 100,
    describe: 'Base of the exponential backoff with full jitter between attempts, in ms; a Retry-After wins; waits are capped at 5 s [number]',
    group: 'reliability',
    fetch: 'retryDelayMs',
  }),
  /** Ask with If-Modified-Since for an item whose file exists; a 304 keeps it (`not_modified`). Not with `skipExisting`. */
  update: option({
    type: 'boolean',
    check: flag,
    default: false,
    conflicts: 'skipExisting',
    describe: 'Ask with If-Modified-Since for a flag whose file exists; a 304 leaves it as it is (not_modified)',
    group: 'reliability',
  }),
  /** Make no request for an item whose file exists (`skipped`). */
  skipExisting: option({ type: 'boolean', check: flag, default: false, describe: 'Make no request for a flag whose file exists (skipped)', group: 'reliability' }),
  /** PEM text of CA certificates to trust besides the system's, for https servers (the CLI takes the file's path). */
  ca: option({
    type: 'text',
    check: pemText('certificate'),
    fromPath: pemFile('certificate'),
    describe: 'Also trust the CA certificates of this PEM file (https servers) [string]',
    group: 'reliability',
    fetch: 'ca',
  }),
  /** Accept any https certificate, unverified. The CLI prints a warning for it; the library does not. Not with `ca`. */
  insecure: option({
    type: 'boolean',
    check: flag,
    default: false,
    conflicts: 'ca',
    describe: 'Accept any https certificate, unverified (a warning is printed)',
    group: 'reliability',
    fetch: 'insecure',
  }),
  /** Also render each SVG saved to `{cc}.png` this many px wide (16 to 4096), on the thread that downloaded it. */
  png: option({
    type: 'number',
    check: wholeNumber(16, 4096),
    describe: 'Also render each flag saved to {cc}.png this many px wide, aspect kept, on the thread that downloaded it (SVG only) [number]',
    group: 'render',
    fetch: 'png',
  }),
  /** With `png`: refuse a PNG of more pixels than this (default 4096 × 4096). */
  maxPixels: option({
    type: 'number',
    check: wholeNumber(1, 1024 ** 3 / 4),
    default: DEFAULT_MAX_PIXELS,
    describe: 'With --png: refuse, before rendering, a PNG of more pixels (width × height) than this [number]',
    group: 'render',
    fetch: 'maxPixels',
  }),
  /**
   * With `png`: stop a render that takes longer than this many ms, wall time, parsing included.
   * Default: by the width, 4 ms per thousand pixels of a 4:3 flag, at least 2000 (2000 at 640 px,
   * 50332 at 4096): a flag renders in milliseconds, a hostile SVG holds a thread that long at most.
   */
  renderTimeout: option({
    type: 'number',
    check: durationMs(1),
    describe:
      'With --png: stop a render that takes longer than this many ms (the flag is then an error) [number] [default: by width: 4 per 1,000 px of a 4:3 flag, at least 2000: 2000 at 640 px, 50332 at 4096]',
    group: 'render',
    fetch: 'renderTimeoutMs',
  }),
  /**
   * Headers sent with every request, each `'Name: value'` (`--header`); a name may repeat.
   * Authorization and Cookie go to the first URL's host only, never on after a redirect.
   */
  header: option<[string, string][], string | readonly string[]>({
    type: 'list',
    alias: 'H',
    check: headerList,
    describe: "Send this header with every request, as 'Name: value'; repeat it for more (Authorization and Cookie go to the first host only)",
    group: 'http',
  }),
  /** The User-Agent header (default `flags/VERSION`). */
  userAgent: option({ type: 'text', check: headerText, describe: 'The User-Agent header [default: flags/VERSION]', group: 'http' }),
  /**
   * An http(s) proxy URL for every request, in place of the environment's HTTP_PROXY, HTTPS_PROXY
   * and ALL_PROXY (NO_PROXY still applies); `false`: no proxy whatever the environment says
   * (`--no-proxy`). Default: the environment's, as curl reads it.
   */
  proxy: option<string | false>({
    type: 'text',
    negatable: true,
    check: proxyOption,
    describe: 'Send every request through this http(s) proxy, in place of HTTP_PROXY, HTTPS_PROXY and ALL_PROXY (NO_PROXY still applies); --no-proxy: none, whatever they say',
    group: 'http',
  }),
  /** Follow at most this many redirects, to http: and https: only (default 10; 0: none). */
  maxRedirects: option({
    type: 'number',
    check: wholeNumber(0, 1000),
    default: 10,
    describe: 'Follow at most this many redirects, to http: and https: only (0: none) [number]',
    group: 'http',
    fetch: 'maxRedirects',
  }),
  /** Keep the bytes of a broken transfer in `{file}.part` and resume it on the next attempt or run (`--continue`). */
  continue: option({
    type: 'boolean',
    alias: 'c',
    check: flag,
    default: false,
    describe: 'Keep the bytes of a broken transfer in {file}.part and resume it (Range with If-Range) on the next attempt or run',
    group: 'reliability',
    fetch: 'resume',
  }),
  /** Hash each file as it streams; results carry `sha256`, and `SHA256SUMS` is written in `dest`. */
  sha256: option({
    type: 'boolean',
    check: flag,
    default: false,
    describe: 'Hash each file as it streams and write SHA256SUMS in dest (sha256sum -c checks it)',
    group: 'outputs',
    fetch: 'sha256',
  }),
  /** Path of a sha256sum manifest: a file whose bytes do not match its line is an error, never put in place. */
  checksums: option({
    type: 'text',
    check: text,
    describe: 'A sha256sum manifest: a file whose bytes do not match its line is an error, never put in place',
    group: 'reliability',
  }),
  /** Path of an SVG file to draw where the time went into, after the run. */
  timeline: option({
    type: 'text',
    check: text,
    describe: 'After the run, draw where the time went into this SVG file: a lane per thread, a bar per flag, worker start-ups',
    group: 'outputs',
  }),
};

/** `png` renders SVG: with any other `ext` it would only fail flag after flag. */
export function checkPngExt(png: number | undefined, ext: string): void {
  if (png !== undefined && ext.toLowerCase() !== 'svg') throw new OptionError('png', (name) => `${name('png')} renders SVG files: it cannot be used with ${name('ext')} ${ext}`);
}
