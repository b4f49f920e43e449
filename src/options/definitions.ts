import { createPrivateKey, X509Certificate } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import type { Options } from 'yargs';
import { UsageError } from '../errors.js';
import { DEFAULT_MAX_PIXELS, DEFAULT_RENDER_TIMEOUT_MS } from '../render/render-limits.js';
import { durationMs, positiveDecimal, wholeNumber } from './numbers.js';
import { serverKnobs } from '../server/server-options.js';
import type { Layout } from '../input/file-names.js';
import type { Mode, Partition } from '../types.js';

/** The modes, the ways to split the work, and the layouts of a list's files: the one list of each. */
export const MODES = ['threads', 'async', 'sequential'] as const satisfies readonly Mode[];
export const PARTITIONS = ['dynamic', 'chunks', 'round-robin'] as const satisfies readonly Partition[];
export const LAYOUTS = ['flat', 'tree'] as const satisfies readonly Layout[];

/**
 * A yargs `coerce` for an option that takes one of `choices`, in place of yargs' own `choices`, so
 * that the CLI and the API refuse a value with the same words.
 */
export function oneOf<T extends string>(option: string, choices: readonly T[]) {
  return (value: unknown): T => {
    // yargs gives a repeated option as a list, and coerces before the CLI's check of repeats runs.
    if (Array.isArray(value)) throw new UsageError(givenMoreThanOnce(option, value));
    if (!choices.includes(value as T)) throw new UsageError(`--${option} must be one of ${choices.join(', ')}, got ${JSON.stringify(value)}`);
    return value as T;
  };
}

/** What no option here means: yargs' list of the values of an option given more than once. */
export const givenMoreThanOnce = (option: string, values: readonly unknown[]) => `--${option} was given more than once (${values.join(', ')}): give it once`;

/** The help's note of an option's choices, as yargs would print it for `choices`. */
export const choicesNote = (choices: readonly string[]) => `[choices: ${choices.map((choice) => JSON.stringify(choice)).join(', ')}]`;

/**
 * `--ext` ends up in a URL path and a file name, so it is letters and digits only, as the embedded
 * server's file names are. Upper case is kept as typed: a real server's paths are case-sensitive.
 */
export function extension(value: unknown): string {
  if (typeof value !== 'string' || !/^[a-z0-9]{1,8}$/i.test(value)) {
    throw new UsageError(`--ext must be 1 to 8 letters or digits, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** Which codes: shared by the download and compare commands. */
export const selectionOptions = {
  all: { type: 'boolean', describe: 'Every flag of the catalogue (the 257 two-letter codes of flag-icons)' },
  every: { type: 'boolean', describe: 'All 676 codes from AA to ZZ (most answer 404: that is the point)' },
  limit: { requiresArg: true, coerce: wholeNumber('limit'), describe: 'At most this many codes [number]' },
} as const satisfies Record<string, Options>;

/** Each request in flight may hold a body this large in memory: `--max-size` goes no higher. */
const MAX_BODY_BYTES = 2 ** 30;

/** The server of a flags run when none is given: the embedded one, with the lesson's latency. */
export const DEFAULT_SERVER = 'delay';

/**
 * Where from and where to. `--server` has no yargs default, so that one given beside `--input`
 * can be told from none: the commands apply `DEFAULT_SERVER`.
 */
export const transferOptions = {
  server: {
    type: 'string',
    requiresArg: true,
    describe: `An embedded server profile (local: no delay; delay: 100-500 ms latency; error: latency and faults) or the base URL of any server with {URL}/{cc}/{cc}.{ext} [default: ${DEFAULT_SERVER}; not with --input]`,
  },
  ...serverKnobs,
  ext: {
    type: 'string',
    default: 'svg',
    requiresArg: true,
    coerce: extension,
    describe: 'File extension to fetch, 1 to 8 letters or digits, used as typed (gif for the Fluent Python site layout)',
  },
  dest: { type: 'string', default: 'downloaded', requiresArg: true, describe: 'Destination folder (created when missing)' },
  timeout: {
    default: 10_000,
    requiresArg: true,
    coerce: durationMs('timeout', 1),
    describe: 'Give up on a request after this many ms without an answer or a byte of its body [number]',
  },
  'max-size': {
    requiresArg: true,
    coerce: wholeNumber('max-size', 1, MAX_BODY_BYTES),
    describe: 'Largest response accepted, in bytes, as received and as decoded [number] [default: 5000000 for flags; no cap for the files of --input]',
  },
} as const satisfies Record<string, Options>;

/** The CPU stage: shared by the download and compare commands. */
export const renderOptions = {
  png: {
    requiresArg: true,
    coerce: wholeNumber('png', 16, 4096),
    describe: 'Also render each flag saved to {cc}.png this many px wide, aspect kept, on the thread that downloaded it (SVG only) [number]',
  },
  'max-pixels': {
    default: DEFAULT_MAX_PIXELS,
    requiresArg: true,
    coerce: wholeNumber('max-pixels', 1, 1024 ** 3 / 4),
    describe: 'With --png: refuse, before rendering, a PNG of more pixels (width × height) than this [number]',
  },
  'render-timeout': {
    default: DEFAULT_RENDER_TIMEOUT_MS,
    requiresArg: true,
    coerce: durationMs('render-timeout', 1),
    describe: 'With --png: stop a render that takes longer than this many ms (the flag is then an error) [number]',
  },
} as const satisfies Record<string, Options>;

/** `--png` renders SVG: with any other `--ext` it would only fail flag after flag. */
export function checkPngExt(png: number | undefined, ext: string): void {
  if (png !== undefined && ext.toLowerCase() !== 'svg') throw new UsageError(`--png renders SVG files: it cannot be used with --ext ${ext}`);
}

/** How the work is scheduled. */
export const scheduleOptions = {
  concurrency: {
    default: 1,
    requiresArg: true,
    coerce: wholeNumber('concurrency'),
    describe: 'Requests in flight per worker thread (threads) or in all (async) [number] [capped by the number of flags]',
  },
  partition: {
    default: 'dynamic' as Partition,
    requiresArg: true,
    coerce: oneOf('partition', PARTITIONS),
    describe: `How codes reach the workers: handed out one at a time as workers ask (dynamic), or split up front ${choicesNote(PARTITIONS)}`,
  },
} as const satisfies Record<string, Options>;

/** A PEM file holds a key or a few certificates: far less than this. */
const MAX_PEM_BYTES = 1024 * 1024;

/**
 * A yargs `coerce` for a PEM file option: the text, read and parsed now, so that a bad file is a
 * usage error before anything starts.
 */
export function pemFile(option: string, kind: PemKind) {
  return (path: unknown): string => {
    let pem: string;
    try {
      pem = readSmallFile(String(path), MAX_PEM_BYTES);
    } catch (error) {
      throw new UsageError(`--${option} ${path}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
    return checkPem(option, kind, pem, String(path));
  };
}

export type PemKind = 'certificate' | 'private key';

/** PEM text that must hold a `kind`; `from` names where it came from in the message (the file, for the CLI). */
export function checkPem(option: string, kind: PemKind, pem: unknown, from?: string): string {
  try {
    if (typeof pem !== 'string') throw new TypeError('not text');
    if (kind === 'certificate') new X509Certificate(pem);
    else createPrivateKey(pem);
  } catch {
    const where = from === undefined ? '' : ` ${from}`;
    throw new UsageError(`--${option}${where}: not a PEM ${kind} (expected -----BEGIN ${kind === 'certificate' ? 'CERTIFICATE' : 'PRIVATE KEY'}-----)`);
  }
  return pem;
}

/**
 * A regular file's text, refused past `maxBytes`. Opened without blocking and checked before any
 * read: a FIFO would hang the open or the read, and a device such as /dev/zero never ends.
 */
function readSmallFile(path: string, maxBytes: number): string {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    if (!fstatSync(fd).isFile()) throw new Error('not a regular file');
    const buffer = Buffer.alloc(maxBytes + 1);
    let length = 0;
    while (length <= maxBytes) {
      const read = readSync(fd, buffer, length, buffer.length - length, null);
      if (read === 0) break;
      length += read;
    }
    if (length > maxBytes) throw new Error(`larger than ${maxBytes} bytes`);
    return buffer.toString('utf8', 0, length);
  } finally {
    closeSync(fd);
  }
}

/** `flags serve --cert --key`: a key that is not the certificate's fails every handshake, so it is a usage error up front. */
export function checkKeyPair(cert: string, key: string): true | string {
  let matches = false;
  try {
    matches = new X509Certificate(cert).checkPrivateKey(createPrivateKey(key));
  } catch {
    // A key of another type than the certificate's cannot match it either.
  }
  return matches || '--key does not match --cert: it is not the private key of that certificate';
}

/** How failures are retried, files already there treated, and servers trusted. */
export const reliabilityOptions = {
  retries: {
    default: 3,
    requiresArg: true,
    coerce: wholeNumber('retries', 0, 100),
    describe: 'Further attempts after a transient failure (reset, timeout, cut body, HTTP 408, 429, 5xx); 0: none [number]',
  },
  'retry-delay': {
    default: 100,
    requiresArg: true,
    coerce: durationMs('retry-delay', 0, 60_000),
    describe: 'Base of the exponential backoff with full jitter between attempts, in ms; a Retry-After wins; waits are capped at 5 s [number]',
  },
  update: {
    type: 'boolean',
    conflicts: 'skip-existing',
    describe: 'Ask with If-Modified-Since for a flag whose file exists; a 304 leaves it as it is (not_modified)',
  },
  'skip-existing': { type: 'boolean', describe: 'Make no request for a flag whose file exists (skipped)' },
  ca: { requiresArg: true, coerce: pemFile('ca', 'certificate'), describe: 'Also trust the CA certificates of this PEM file (https servers) [string]' },
  insecure: { type: 'boolean', conflicts: 'ca', describe: 'Accept any https certificate, unverified (a warning is printed)' },
} as const satisfies Record<string, Options>;

/** How hard a run may press on servers, across all its threads: `--per-host` and `--rate`. */
export const limitOptions = {
  'per-host': {
    requiresArg: true,
    coerce: wholeNumber('per-host'),
    describe: 'At most this many requests in flight to one host (scheme, host and port), across all threads; retries count [number]',
  },
  rate: {
    requiresArg: true,
    coerce: positiveDecimal('rate'),
    describe: 'At most this many requests started per second, across all threads, a decimal (0.5: one every 2 s); retries count [number]',
  },
} as const satisfies Record<string, Options>;
