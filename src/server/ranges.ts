/** What a GET is sent: bytes `start` to `end` (exclusive) of the file, whole (200) or a part (206); or none (416). */
export type RangeAnswer = { status: 200 | 206; start: number; end: number } | { status: 416 };

/** One range of bytes: `N-M`, `N-` or the suffix `-N`. */
const ONE_RANGE = /^bytes[ \t]*=[ \t]*(\d*)[ \t]*-[ \t]*(\d*)$/i;

/**
 * The answer to `Range: {header}` for a file of `size` bytes (RFC 9110, 14.1.2). A header this
 * server does not take, several ranges or a malformed one, gets the whole file, as a server may
 * answer any Range (14.2). A range that starts at or past the end, a suffix of 0 bytes and any range
 * of an empty file cannot be satisfied; a last byte past the end means the end.
 */
export function rangeAnswer(header: string | undefined, size: number): RangeAnswer {
  const whole = { status: 200, start: 0, end: size } as const;
  const range = header === undefined ? null : ONE_RANGE.exec(header.trim());
  if (range === null) return whole;
  const [, first, last] = range;
  if (first === '') {
    if (last === '') return whole;
    const suffix = Number(last);
    return suffix === 0 || size === 0 ? { status: 416 } : { status: 206, start: Math.max(0, size - suffix), end: size };
  }
  const start = Number(first);
  if (last !== '' && Number(last) < start) return whole;
  if (start >= size) return { status: 416 };
  return { status: 206, start, end: last === '' ? size : Math.min(size, Number(last) + 1) };
}
