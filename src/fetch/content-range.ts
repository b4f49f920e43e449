/** The bytes `[start, end)` of a file of `total` bytes that a 206 holds. */
export interface ContentRange {
  start: number;
  end: number;
  total: number;
}

/** A 206's `Content-Range: bytes A-B/N` (RFC 9110, 14.4), read strictly; undefined for anything else (`*` for the length, a range past it). */
export function contentRange(header: string | null): ContentRange | undefined {
  const match = /^bytes (\d{1,16})-(\d{1,16})\/(\d{1,16})$/.exec(header?.trim() ?? '');
  if (match === null) return undefined;
  const [start, last, total] = [Number(match[1]), Number(match[2]), Number(match[3])];
  return start <= last && last < total ? { start, end: last + 1, total } : undefined;
}
