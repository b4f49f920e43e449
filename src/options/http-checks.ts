import { readFileSync } from 'node:fs';
import { OptionError } from '../errors.js';
import { proxyUrl } from '../fetch/proxy.js';
import { packageJson } from '../paths.js';
import type { Check } from './schema.js';

/** A header's name, as HTTP allows it (a token). */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Headers flags sets itself, for resuming, `--update` and decoding: one given would break them. */
const OWN_HEADERS = ['host', 'range', 'if-range', 'if-modified-since', 'accept-encoding', 'content-length', 'transfer-encoding', 'connection'];

/** Any control character but a tab: a value holding one would end the header, or the request. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it matches
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f]/;

/** What Node cannot put on the wire in a header, which it sends as Latin-1: it would fail every request instead. */
const BEYOND_LATIN1 = /[\u{100}-\u{10ffff}]/u;

/** Why a header's value cannot be sent, or nothing. */
function unsendable(value: string): string | undefined {
  if (CONTROL.test(value)) return 'a value cannot hold a control character or line break';
  const beyond = BEYOND_LATIN1.exec(value)?.[0];
  // A URL's way of sending any text: percent-encoded UTF-8.
  if (beyond !== undefined) return `a value cannot hold ${JSON.stringify(beyond)}: only Latin-1 characters can be sent (percent-encode others, as ${encodeURIComponent(beyond)})`;
  return undefined;
}

/** Headers as 'Name: value', one or a list of them: each checked, in order. */
export const headerList: Check<[string, string][]> = (typed, option) => (Array.isArray(typed) ? typed : [typed]).map((one) => header(one, option));

function header(typed: unknown, option: string): [string, string] {
  if (typeof typed !== 'string') throw new OptionError(option, `must be 'Name: value', got ${JSON.stringify(typed)}`);
  const colon = typed.indexOf(':');
  if (colon === -1) throw new OptionError(option, `${JSON.stringify(typed)} has no colon: give it as 'Name: value'`);
  const name = typed.slice(0, colon).trim();
  const value = typed.slice(colon + 1).trim();
  if (!TOKEN.test(name)) throw new OptionError(option, `${JSON.stringify(typed)}: ${JSON.stringify(name)} is not a header name`);
  if (OWN_HEADERS.includes(name.toLowerCase())) throw new OptionError(option, `${JSON.stringify(typed)}: flags sets ${name} itself`);
  const why = unsendable(value);
  if (why !== undefined) throw new OptionError(option, `${JSON.stringify(typed)}: ${why}`);
  return [name, value];
}

/** Any text a header may hold. */
export const headerText: Check<string> = (typed, option) => {
  if (typeof typed !== 'string' || typed.trim() === '' || CONTROL.test(typed)) throw new OptionError(option, `must be non-empty text on one line, got ${JSON.stringify(typed)}`);
  const why = unsendable(typed);
  if (why !== undefined) throw new OptionError(option, `${JSON.stringify(typed)}: ${why}`);
  return typed.trim();
};

/** A proxy URL, checked; `false` for none (`--no-proxy`). */
export const proxyOption: Check<string | false> = (typed, option) => {
  if (typed === false) return false;
  if (typeof typed !== 'string') throw new OptionError(option, (name) => `${name(option)} must be a proxy URL or false (--no-proxy), got ${JSON.stringify(typed)}`);
  return proxyUrl(option, typed);
};

let version: string | undefined;

/** What `User-Agent` says unless told otherwise: `flags/0.1.0`. */
export function defaultUserAgent(): string {
  version ??= (JSON.parse(readFileSync(packageJson, 'utf8')) as { version: string }).version;
  return `flags/${version}`;
}
