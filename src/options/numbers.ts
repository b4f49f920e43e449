import { UsageError } from '../errors.js';

/**
 * The longest duration any option takes, in ms (about 24.8 days): Node's timers hold at most
 * 2^31 − 1 ms, and one asked for longer fires after 1 ms instead (from 2^32, AbortSignal.timeout throws).
 */
export const MAX_DURATION_MS = 2 ** 31 - 1;

/** Plain decimal notation, the one form every numeric option takes: no hex, octal, binary or exponent (`0x10`, `1e3`). */
const WHOLE = /^-?\d+$/;
const DECIMAL = /^-?(\d+\.?\d*|\.\d+)$/;

/**
 * A typed option's value as a number, NaN unless written in plain decimal notation (`whole`: no
 * fraction). yargs hands over the text as typed (its number parsing is off) and a default as a number.
 */
export function typedNumber(typed: unknown, whole: boolean): number {
  if (typeof typed === 'number') return typed;
  return typeof typed === 'string' && (whole ? WHOLE : DECIMAL).test(typed) ? Number(typed) : Number.NaN;
}

/** What was typed, for a message: a number as it is, anything else quoted. */
export const shown = (typed: unknown) => (typeof typed === 'string' && DECIMAL.test(typed) ? typed : JSON.stringify(typed));

/** A yargs `coerce` that accepts only whole numbers from `min` (to `max`), naming the option when not. */
export function wholeNumber(option: string, min = 1, max = Number.MAX_SAFE_INTEGER) {
  const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`;
  return (typed: unknown): number => {
    const number = typedNumber(typed, true);
    if (!Number.isInteger(number) || number < min || number > max) throw new UsageError(`--${option} must be a whole number ${range}, got ${shown(typed)}`);
    return number;
  };
}

/**
 * A yargs `coerce` for a duration in whole ms, from `min` to `max` and never past
 * `MAX_DURATION_MS`: the one check every duration option shares.
 */
export function durationMs(option: string, min = 0, max = MAX_DURATION_MS) {
  return wholeNumber(option, min, Math.min(max, MAX_DURATION_MS));
}

/** A yargs `coerce` that accepts only a number above 0, a fraction allowed (`0.5`), naming the option when not. */
export function positiveDecimal(option: string) {
  return (typed: unknown): number => {
    const number = typedNumber(typed, false);
    if (!(number > 0) || !Number.isFinite(number)) throw new UsageError(`--${option} must be a number > 0, got ${shown(typed)}`);
    return number;
  };
}
