/** `1 run`, `3 runs`, `100,000 jobs`: a count with its noun, plural when it is not one. */
export function plural(count: number, noun: string): string {
  return `${grouped(count)} ${noun}${count === 1 ? '' : 's'}`;
}

/**
 * `100000` as `100,000`, as `toLocaleString('en-US')` writes it, for a whole number: the first
 * toLocaleString of a process loads ICU's number formats, some 15-20 ms, before a run's first line.
 */
export function grouped(count: number): string {
  return Number.isSafeInteger(count) ? String(count).replace(/\B(?=(\d{3})+$)/g, ',') : count.toLocaleString('en-US');
}
