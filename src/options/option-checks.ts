import type { Options } from 'yargs';
import { UsageError } from '../errors.js';
import { oneOf } from './definitions.js';

/**
 * An option's value checked as the CLI checks it, by the `coerce` of its yargs definition (the one
 * place each check lives, its message naming the long option), or the CLI's default when not given.
 */
export function checked<T>(definition: Options, value: unknown): T {
  if (value === undefined) return definition.default as T;
  return (definition.coerce ? definition.coerce(value) : value) as T;
}

/** A boolean option: true, false or not given (false). */
export function flag(name: string, value: unknown): boolean {
  if (value !== undefined && typeof value !== 'boolean') throw new UsageError(`--${name} must be true or false, got ${JSON.stringify(value)}`);
  return value ?? false;
}

/** An option that takes one of `choices`, or the first when not given: the CLI's check and words. */
export function choice<T extends string>(name: string, choices: readonly T[], value: unknown): T {
  return value === undefined ? choices[0]! : oneOf(name, choices)(value);
}

/** A text option, such as a path. */
export function text(name: string, value: unknown): string | undefined {
  if (value !== undefined && (typeof value !== 'string' || value === '')) throw new UsageError(`--${name} must be a non-empty string, got ${JSON.stringify(value)}`);
  return value;
}

/** Options that exclude each other, with the words yargs uses for them on the command line. */
export function exclusive(options: Record<string, unknown>, first: string, second: string): void {
  if (options[camel(first)] && options[camel(second)]) throw new UsageError(`Arguments ${first} and ${second} are mutually exclusive`);
}

/** A misspelt option would otherwise be ignored without a word, as the CLI's strict mode refuses it. */
export function onlyKnown(options: object, known: readonly string[]): void {
  const unknown = Object.keys(options).filter((key) => !known.includes(key));
  if (unknown.length > 0) throw new UsageError(`Unknown option${unknown.length === 1 ? '' : 's'}: ${unknown.join(', ')}`);
}

/** `max-size` → `maxSize`: the API's name for a long option. */
export const camel = (name: string) => name.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
