import type { IncomingHttpHeaders } from 'node:http';
import type { ServedFile } from './served-file.js';

type Validators = Pick<ServedFile, 'etag' | 'modifiedMs'>;

/**
 * Whether a GET or HEAD with these headers is answered 304 Not Modified (RFC 9110, 13.2.2):
 * If-None-Match decides when present; If-Modified-Since counts only without it, and only when
 * it holds a valid HTTP date.
 */
export function notModified(headers: IncomingHttpHeaders, file: Validators): boolean {
  const tags = headers['if-none-match'];
  if (tags !== undefined) return tags.trim() === '*' || anyTagMatches(tags, file.etag);
  const since = headers['if-modified-since'];
  return since !== undefined && file.modifiedMs <= parseHttpDate(since);
}

/**
 * Whether the Range of a GET with these headers may be honoured (RFC 9110, 13.1.5): always without
 * If-Range; with it, only when it names this very file: its ETag, compared strongly (a weak tag
 * never matches), or exactly its Last-Modified date. Otherwise the whole file is sent.
 */
export function ifRangeHolds(headers: IncomingHttpHeaders, file: Validators): boolean {
  const given = headers['if-range'];
  if (given === undefined) return true;
  const validator = String(given).trim();
  if (validator.startsWith('"') || validator.startsWith('W/')) return validator === file.etag;
  return parseHttpDate(validator) === file.modifiedMs;
}

/** Each entity tag of a list; W/ dropped, since If-None-Match compares weakly. */
const ENTITY_TAG = /(?:W\/)?("[^"]*")/g;

function anyTagMatches(list: string, etag: string): boolean {
  for (const [, opaque] of list.matchAll(ENTITY_TAG)) if (opaque === etag) return true;
  return false;
}

// The three forms of an HTTP date (RFC 9110, 5.6.7). Date.parse alone would also take "1" or
// "2024", which a recipient must ignore; asctime is GMT without saying so.
const IMF_FIXDATE = /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/;
const RFC_850 = /^[A-Z][a-z]+, \d{2}-[A-Z][a-z]{2}-\d{2} \d{2}:\d{2}:\d{2} GMT$/;
const ASCTIME = /^[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2} \d{4}$/;

/** Ms since the epoch, or NaN (which compares false with anything) when `text` is no HTTP date. */
function parseHttpDate(text: string): number {
  if (IMF_FIXDATE.test(text) || RFC_850.test(text)) return Date.parse(text);
  if (ASCTIME.test(text)) return Date.parse(`${text} GMT`);
  return Number.NaN;
}
