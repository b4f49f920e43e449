/** `1 run`, `3 runs`, `100,000 jobs`: a count with its noun, plural when it is not one. */
export function plural(count: number, noun: string): string {
  return `${count.toLocaleString('en-US')} ${noun}${count === 1 ? '' : 's'}`;
}
