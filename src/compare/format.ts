/** Wall times in seconds with two decimals: runs here last from a few hundred ms to a minute. */
export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

/** `0.91 s (0.88-0.95)`: the median and the spread of the runs behind it. */
export function medianWithRange(medianMs: number, minMs: number, maxMs: number): string {
  return `${seconds(medianMs)} (${(minMs / 1000).toFixed(2)}-${(maxMs / 1000).toFixed(2)})`;
}

export function mebibytes(bytes: number): string {
  return `${Math.round(bytes / 2 ** 20)} MB`;
}

export function percent(share: number): string {
  return `${Math.round(share * 100)}%`;
}

export function times(factor: number): string {
  return `${factor >= 10 ? factor.toFixed(0) : factor.toFixed(1)}×`;
}

/** A table cell for a figure that may be missing. */
export function cell<T>(value: T | null | undefined, show: (value: T) => string): string {
  return value === null || value === undefined ? '—' : show(value);
}
