import { OptionError } from '../errors.js';
import type { Check } from './schema.js';

/**
 * The longest duration any option takes, in ms (about 24.8 days): Node's timers hold at most
 * 2^31 − 1 ms, and one asked for longer fires after 1 ms instead (from 2^32, AbortSignal.timeout throws).
 */
export const MAX_DURATION_MS = 2 ** 31 - 1;

/** Plain decimal notation, the one form every numeric option takes: no hex, octal, binary or exponent (`0x10`, `1e3`). */
const WHOLE = /^-?\d+$/;
const DECIMAL = /^-?(\d+\.?\d*|\.\d+)$/;

/**
 * A value as a number, NaN unless a number or written in plain decimal notation (`whole`: no
 * fraction). The CLI hands over the text as typed (yargs' number parsing is off).
 */
export function typedNumber(typed: unknown, whole: boolean): number {
  if (typeof typed === 'number') return typed;
  return typeof typed === 'string' && (whole ? WHOLE : DECIMAL).test(typed) ? Number(typed) : Number.NaN;
}

/** What was given, for a message: a number as it is, anything else quoted. */
export const shown = (typed: unknown) =>
  typeof typed === 'string' && DECIMAL.test(typed) ? typed : typeof typed === 'number' || typed === undefined ? String(typed) : JSON.stringify(typed);

/** A whole number from `min` (to `max`). */
export function wholeNumber(min = 1, max = Number.MAX_SAFE_INTEGER): Check<number> {
  const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`;
  return (typed, option) => {
    const number = typedNumber(typed, true);
    if (!Number.isInteger(number) || number < min || number > max) throw new OptionError(option, `must be a whole number ${range}, got ${shown(typed)}`);
    return number;
  };
}

/** A duration in whole ms, from `min` to `max` and never past `MAX_DURATION_MS`: the one check every duration option shares. */
export const durationMs = (min = 0, max = MAX_DURATION_MS) => wholeNumber(min, Math.min(max, MAX_DURATION_MS));

/** A number above 0, a fraction allowed (`0.5`). */
export const positiveDecimal: Check<number> = (typed, option) => {
  const number = typedNumber(typed, false);
  if (!(number > 0) || !Number.isFinite(number)) throw new OptionError(option, `must be a number > 0, got ${shown(typed)}`);
  return number;
};

/** A number (`whole`: with no fraction) that `valid` accepts, described as `expected`. */
export function numberThat(expected: string, whole: boolean, valid: (value: number) => boolean): Check<number> {
  return (typed, option) => {
    const value = typedNumber(typed, whole);
    if (!valid(value)) throw new OptionError(option, `must be ${expected}, got ${shown(typed)}`);
    return value;
  };
}

/** One of `choices`. */
export function oneOf<T extends string>(choices: readonly T[]): Check<T> {
  return (value, option) => {
    if (!choices.includes(value as T)) throw new OptionError(option, `must be one of ${choices.join(', ')}, got ${shown(value)}`);
    return value as T;
  };
}

/** The help's note of an option's choices, as yargs would print it for `choices`. */
export const choicesNote = (choices: readonly string[]) => `[choices: ${choices.map((choice) => JSON.stringify(choice)).join(', ')}]`;

/** True or false. */
export const flag: Check<boolean> = (value, option) => {
  if (typeof value !== 'boolean') throw new OptionError(option, `must be true or false, got ${shown(value)}`);
  return value;
};

/** Text, such as a path: a string, not empty. */
export const text: Check<string> = (value, option) => {
  if (typeof value !== 'string' || value === '') throw new OptionError(option, `must be a non-empty string, got ${shown(value)}`);
  return value;
};

/** A comma list of names from `choices` (or an array of them), repeats dropped, order kept. */
export function choiceList<T extends string>(choices: readonly T[]): Check<T[]> {
  return (value, option) => {
    const items = typeof value === 'string' ? value.split(',').map((part) => part.trim()) : Array.isArray(value) ? value : undefined;
    if (items === undefined) throw new OptionError(option, `must be a comma list or an array of ${choices.join(', ')}, got ${shown(value)}`);
    const picked: T[] = [];
    for (const item of items) {
      if (!choices.includes(item as T)) throw new OptionError(option, (name) => `${name(option)}: ${JSON.stringify(item)} is not one of ${choices.join(', ')}`);
      if (!picked.includes(item as T)) picked.push(item as T);
    }
    return picked;
  };
}

/** A comma list of whole numbers from 1 (or an array of them), repeats dropped, order kept: `1,2,4`. */
export const countList: Check<number[]> = (value, option) => {
  const items: unknown[] | undefined = typeof value === 'string' ? value.split(',') : Array.isArray(value) ? value : undefined;
  if (items === undefined) throw new OptionError(option, `must be a comma list or an array of whole numbers, got ${shown(value)}`);
  const counts: number[] = [];
  for (const raw of items) {
    const item = String(raw).trim();
    const count = Number(item);
    if (!/^\d+$/.test(item) || !Number.isSafeInteger(count) || count < 1) {
      // Quoted as given: text typed in a list, or the library's number as the number it is.
      throw new OptionError(option, (name) => `${name(option)}: ${typeof raw === 'string' ? JSON.stringify(item) : shown(raw)} is not a positive whole number`);
    }
    if (!counts.includes(count)) counts.push(count);
  }
  return counts;
};
