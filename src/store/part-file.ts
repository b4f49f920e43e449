import { lstat, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { writeNewFile } from './exclusive-file.js';
import { PART_SUFFIXES } from './reserved-names.js';
import type { Span } from '../types.js';

/**
 * `--continue`: a download in progress keeps its bytes in `{file}.part`, and beside it, in
 * `{file}.part.json`, the validator of the answer they came from (a strong ETag, else the
 * Last-Modified date) and the URL. The next attempt, in this run or a later one, asks for the rest
 * with `Range` and `If-Range`: the server sends the rest only if the file is still the one the
 * bytes came from.
 */
export interface PartState {
  /** Bytes already in the `.part` (of a split's: where its first hole starts). */
  bytes: number;
  /** What `If-Range` sends: a strong ETag, or an HTTP date. */
  validator: string;
  /** `--split`: the `.part` is the whole file's length, and holds these spans of it. */
  split?: SplitPart;
}

/** A split's `.part`: written in place, as long as the file, whole in `spans` (sorted, apart). */
export interface SplitPart {
  total: number;
  spans: Span[];
}

interface PartMeta extends Partial<SplitPart> {
  url: string;
  validator: string;
}

export const partPath = (target: string) => `${target}${PART_SUFFIXES[0]}`;
const metaPath = (target: string) => `${target}${PART_SUFFIXES[1]}`;

/** The largest `.part.json` read: a URL and a validator. */
const META_LIMIT = 64 * 1024;

/**
 * The `.part` of `target` that a request for `url` may resume, or undefined when there is none, it
 * has no validator, it came from another URL, or anything about it is not as this run left it.
 */
export async function resumablePart(target: string, url: string): Promise<PartState | undefined> {
  try {
    const [part, meta] = await Promise.all([lstat(partPath(target)), lstat(metaPath(target))]);
    if (!part.isFile() || part.nlink !== 1 || !meta.isFile() || meta.size > META_LIMIT || part.size === 0) return undefined;
    const saved = JSON.parse(await readFile(metaPath(target), 'utf8')) as Partial<PartMeta>;
    if (saved.url !== url || typeof saved.validator !== 'string' || saved.validator === '') return undefined;
    if (saved.total === undefined && saved.spans === undefined) return { bytes: part.size, validator: saved.validator };
    const split = splitPartOf(saved, part.size);
    return split && { bytes: split.spans[0]?.[0] === 0 ? split.spans[0][1] : 0, validator: saved.validator, split };
  } catch {
    return undefined;
  }
}

/** A split's record as written, or undefined when it is not one this run could have left: then the `.part` is not used. */
function splitPartOf({ total, spans }: Partial<SplitPart>, size: number): SplitPart | undefined {
  if (!Number.isSafeInteger(total) || total !== size || !Array.isArray(spans)) return undefined;
  let end = -1;
  for (const span of spans) {
    const ordered =
      Array.isArray(span) && span.length === 2 && Number.isSafeInteger(span[0]) && Number.isSafeInteger(span[1]) && span[0] > end && span[0] < span[1] && span[1] <= total;
    if (!ordered) return undefined;
    end = span[1];
  }
  return { total, spans: spans.map(([start, stop]) => [start, stop] as const) };
}

/** The spans of `[0, total)` that `kept` does not hold. */
export function holes(kept: readonly Span[], total: number): Span[] {
  const gaps: Span[] = [];
  let at = 0;
  for (const [start, end] of kept) {
    if (start > at) gaps.push([at, start]);
    at = end;
  }
  if (at < total) gaps.push([at, total]);
  return gaps;
}

/** Spans sorted and merged where they touch or overlap. */
export function merged(spans: readonly Span[]): Span[] {
  const sorted = spans.filter(([start, end]) => end > start).sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [start, end] of sorted) {
    const last = out.at(-1);
    if (last !== undefined && start <= last[1]) last[1] = Math.max(last[1], end);
    else out.push([start, end]);
  }
  return out;
}

/**
 * The validator `If-Range` may carry for an answer (RFC 9110, 13.1.5): a strong ETag, else its
 * Last-Modified date; a weak ETag cannot vouch for byte ranges. Undefined: the answer cannot be resumed.
 */
export function validatorOf(headers: { get(name: string): string | null }): string | undefined {
  const etag = headers.get('etag')?.trim();
  if (etag !== undefined && /^"[^"]*"$/.test(etag)) return etag;
  const lastModified = headers.get('last-modified')?.trim();
  return lastModified && !Number.isNaN(Date.parse(lastModified)) ? lastModified : undefined;
}

/**
 * Records which answer the `.part` of `target` holds (and, of a split, which spans), written whole: a temporary file of this run
 * (`tempPrefix`, swept like the others) renamed over the record.
 */
export async function recordPart(target: string, url: string, validator: string | undefined, tempPrefix: string, split?: SplitPart): Promise<void> {
  if (validator === undefined) {
    await rm(metaPath(target), { force: true });
    return;
  }
  const meta: PartMeta = { url, validator, ...split };
  const temp = await writeNewFile(join(dirname(target), `${tempPrefix}${basename(target)}.part.json`), JSON.stringify(meta));
  await rename(temp, metaPath(target));
}

/** The `.part` and its record gone: after the file is in place, or when its bytes are wrong. */
export async function removePart(target: string): Promise<void> {
  await Promise.all([rm(partPath(target), { force: true }), rm(metaPath(target), { force: true })]);
}

/** The record alone gone: the `.part` itself is now the file (renamed into place). */
export const forgetPart = (target: string) => rm(metaPath(target), { force: true });
