import { readFileSync } from 'node:fs';
import type { Options } from 'yargs';
import { UsageError } from '../errors.js';
import { givenMoreThanOnce } from './definitions.js';
import { wholeNumber } from './numbers.js';
import { packageJson } from '../paths.js';
import { proxyUrl } from '../fetch/proxy.js';
import { DEFAULT_MAX_REDIRECTS } from '../fetch/redirects.js';

/** A header's name, as HTTP allows it (a token). */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Headers flags sets itself, for resuming, `--update` and decoding: one given would break them. */
const OWN_HEADERS = ['host', 'range', 'if-range', 'if-modified-since', 'accept-encoding', 'content-length', 'transfer-encoding', 'connection'];

/** Any control character but a tab: a value holding one would end the header, or the request. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it matches
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f]/;

/** `--header 'Name: value'`, given once or more (yargs gives a repeated option as a list): each checked, in order. */
export function headerList(typed: unknown): [string, string][] {
  return (Array.isArray(typed) ? typed : [typed]).map(header);
}

function header(typed: unknown): [string, string] {
  if (typeof typed !== 'string') throw new UsageError(`--header must be 'Name: value', got ${JSON.stringify(typed)}`);
  const colon = typed.indexOf(':');
  if (colon === -1) throw new UsageError(`--header ${JSON.stringify(typed)} has no colon: give it as 'Name: value'`);
  const name = typed.slice(0, colon).trim();
  const value = typed.slice(colon + 1).trim();
  if (!TOKEN.test(name)) throw new UsageError(`--header ${JSON.stringify(typed)}: ${JSON.stringify(name)} is not a header name`);
  if (OWN_HEADERS.includes(name.toLowerCase())) throw new UsageError(`--header ${JSON.stringify(typed)}: flags sets ${name} itself`);
  if (CONTROL.test(value)) throw new UsageError(`--header ${JSON.stringify(typed)}: a value cannot hold a control character or line break`);
  return [name, value];
}

/** `--user-agent`: any text a header may hold. */
export function userAgent(typed: unknown): string {
  if (Array.isArray(typed)) throw new UsageError(givenMoreThanOnce('user-agent', typed));
  if (typeof typed !== 'string' || typed.trim() === '' || CONTROL.test(typed)) {
    throw new UsageError(`--user-agent must be non-empty text on one line, got ${JSON.stringify(typed)}`);
  }
  return typed.trim();
}

/** `--proxy URL`, checked; `false` is `--no-proxy`. */
export function proxyOption(typed: unknown): string | false {
  if (Array.isArray(typed)) throw new UsageError(givenMoreThanOnce('proxy', typed));
  if (typed === false) return false;
  if (typeof typed !== 'string') throw new UsageError(`--proxy must be a proxy URL or false (--no-proxy), got ${JSON.stringify(typed)}`);
  return proxyUrl('--proxy', typed);
}

let version: string | undefined;

/** What `User-Agent` says unless told otherwise: `flags/0.1.0`. */
export function defaultUserAgent(): string {
  version ??= (JSON.parse(readFileSync(packageJson, 'utf8')) as { version: string }).version;
  return `flags/${version}`;
}

/** Proxies, headers, credentials and redirects. */
export const httpOptions = {
  header: {
    alias: 'H',
    type: 'string',
    requiresArg: true,
    coerce: headerList,
    describe: "Send this header with every request, as 'Name: value'; repeat it for more (Authorization and Cookie go to the first host only)",
  },
  'user-agent': { type: 'string', requiresArg: true, coerce: userAgent, describe: 'The User-Agent header [default: flags/VERSION]' },
  proxy: {
    type: 'string',
    coerce: proxyOption,
    describe: 'Send every request through this http(s) proxy, in place of HTTP_PROXY, HTTPS_PROXY and ALL_PROXY (NO_PROXY still applies); --no-proxy: none, whatever they say',
  },
  'max-redirects': {
    default: DEFAULT_MAX_REDIRECTS,
    requiresArg: true,
    coerce: wholeNumber('max-redirects', 0, 1000),
    describe: 'Follow at most this many redirects, to http: and https: only (0: none) [number]',
  },
} as const satisfies Record<string, Options>;
