import { expandCodes } from '../input/codes.js';
import { type FlagSourceSpec, resolveFlagSource } from '../input/flag-source.js';
import { checkInputOptions, checkListOnlyOptions } from '../input/input-items.js';
import { checkPngExt, DEFAULT_SERVER, downloadSchema, type ListInput } from '../options/download-schema.js';
import { defaultUserAgent } from '../options/http-checks.js';
import { type CheckedOptions, checkOptions, fetchValues, type FetchValues, type GivenOptions } from '../options/schema.js';
import { OptionError } from '../errors.js';
import { type ProxySettings, proxySettings } from '../fetch/proxy.js';
import type { Existing, FetchOptions, Mode, RetryNotice } from '../types.js';

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
  /** Requests in flight to one host at most, across all threads, when limited. */
  perHost?: number;
  /** Requests started per second at most, across all threads, when limited. */
  rate?: number;
}

/**
 * What `download()` takes besides its options: how to stop it, and what to hear of it as it goes.
 * A callback that throws stops the run as `signal` does, and the report rejects with its error.
 */
export interface DownloadEvents {
  /** Stops the run as Ctrl-C stops `flags`: no new request, those in flight cut, temporary files removed; the report says `interrupted`. */
  signal?: AbortSignal;
  /** Called once before the first request; the run waits for what it returns. */
  onStart?(start: RunStart): void | Promise<void>;
  /** Called when a transient failure is about to be tried again. */
  onRetry?(notice: RetryNotice): void;
  /** Called with the body bytes received since the last call, a few times a second: for a progress bar. */
  onBytes?(bytes: number): void;
}

/** Every key of DownloadEvents, each once: one left out fails to compile. */
const EVENTS = Object.keys({ signal: true, onStart: true, onRetry: true, onBytes: true } satisfies Record<keyof DownloadEvents, true>);

/**
 * What `download()` takes: the long options of the `flags` command in camelCase, with the same
 * defaults and the same checks (a bad value throws an OptionError naming the property, `threads`),
 * each documented where it is defined (src/options/download-schema.ts). Numbers are numbers;
 * `ca` is PEM text, not a path.
 */
export type DownloadOptions = GivenOptions<typeof downloadSchema> & DownloadEvents;

/** The worker's fetch options that travel as their option was given, each under the `fetch` name of its option. */
export type TravellingFetchOptions = FetchValues<typeof downloadSchema>;

/** What they must be: a `fetch` name that the fetch options do not have, or a value of another type, fails to compile. */
type AsFetchOptions = Pick<FetchOptions, keyof TravellingFetchOptions & keyof FetchOptions> & { [K in Exclude<keyof TravellingFetchOptions, keyof FetchOptions>]: never };

/** A flags run's options once checked, before anything is read, created or started. */
export interface CheckedDownload extends Omit<CheckedOptions<typeof downloadSchema>, 'input' | 'codes'>, DownloadEvents {
  input?: ListInput;
  /** The codes of a flags run, and where they come from. */
  codes: string[];
  source?: FlagSourceSpec;
  existing: Existing;
  /** User-Agent first, then each `header`. */
  headers: [string, string][];
  proxySettings?: ProxySettings;
  /** What travels to the workers as it was given. */
  fetch: TravellingFetchOptions;
}

/**
 * Every check that needs no I/O, each with the words of the CLI's (the library naming properties
 * where the CLI names flags): what can be refused is refused before `download()` returns. Reading
 * a list or a manifest, and writing to the destination, come later.
 */
export function checkDownloadOptions(options: DownloadOptions): CheckedDownload {
  checkEvents(options);
  const checked = checkOptions(downloadSchema, options, EVENTS);
  const { codes = [], all, every, limit, layout, input, server, latency, jitter, errorRate, seed, png, ext } = checked;
  const run: CheckedDownload = {
    ...checked,
    codes,
    input,
    existing: checked.update ? 'update' : checked.skipExisting ? 'skip' : 'replace',
    headers: [['User-Agent', checked.userAgent ?? defaultUserAgent()], ...(checked.header ?? [])],
    fetch: fetchValues(downloadSchema, checked) satisfies AsFetchOptions,
    signal: options.signal,
    onStart: options.onStart,
    onRetry: options.onRetry,
    onBytes: options.onBytes,
  };
  if (input !== undefined) {
    checkInputOptions({ codes, layout, limit, all, every, server, latency, jitter, errorRate, seed, png });
    return { ...run, codes: [], proxySettings: proxySettings(checked.proxy) };
  }
  checkListOnlyOptions(checked);
  const selected = expandCodes({ args: codes, all, every, limit });
  checkPngExt(png, ext);
  const source = resolveFlagSource(server ?? DEFAULT_SERVER, { latency, jitter, errorRate, seed }, ext);
  // The environment's proxies are for reaching other hosts: the embedded server is our own, on
  // 127.0.0.1, and only a proxy asked for by name (\`proxy\`) stands between us and it.
  const ownServer = 'embedded' in source && checked.proxy === undefined;
  return { ...run, codes: selected, source, proxySettings: ownServer ? undefined : proxySettings(checked.proxy) };
}

/** The options are an object, and its events what they say they are: a callback of another type would fail mid-run, in a thread. */
function checkEvents(options: unknown): asserts options is DownloadEvents {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new OptionError('options', `must be an object of options, got ${options === null ? 'null' : Array.isArray(options) ? 'an array' : typeof options}`);
  }
  const { signal, ...callbacks } = Object.fromEntries(EVENTS.map((key) => [key, (options as Record<string, unknown>)[key]]));
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw new OptionError('signal', 'must be an AbortSignal');
  for (const [key, value] of Object.entries(callbacks))
    if (value !== undefined && typeof value !== 'function') throw new OptionError(key, `must be a function, got ${typeof value}`);
}

/** `maxSize` for flags when not given: a flag is a few kilobytes, a list's file may be any size. */
const DEFAULT_FLAG_MAX_BYTES = 5_000_000;

/** How every worker fetches an item of this run: what only the run's folder and its temporary files' prefix leave out. */
export function fetchOptionsOf(checked: CheckedDownload, items: 'flag' | 'file'): Omit<FetchOptions, 'dest' | 'tempPrefix'> {
  const maxBytes = checked.maxSize ?? (items === 'file' ? Number.POSITIVE_INFINITY : DEFAULT_FLAG_MAX_BYTES);
  // A list's file that is not there is a failure, unless the run allows it; a flag's 404 is the lesson's answer.
  const notFound = items === 'file' && !checked.allowMissing ? 'error' : 'answer';
  return { ...checked.fetch, maxBytes, existing: checked.existing, headers: checked.headers, proxy: checked.proxySettings, notFound };
}
