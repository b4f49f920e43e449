import type { Options } from 'yargs';
import { flagOf, type GivenOptions, type OptionSpec, type Schema } from '../options/schema.js';
import { asUsageError, givenMoreThanOnce, UsageError } from './usage-error.js';

/** A command's change to one of its options: the words of its help, or the CLI's own default. */
export type OptionChanges<S extends Schema> = { [K in keyof S]?: { describe?: string; default?: unknown } };

/**
 * yargs' table of a command's options, made from `schema` (less its positional and library-only
 * options), in the schema's order. Each option's `coerce` runs the schema's check, so that a bad
 * value stops the parse with the check's words; it gives the value on as the library takes it
 * (typed text, or a PEM file's text), and the library checks it once more, in the same words.
 */
export function optionTable<S extends Schema>(schema: S, changes: OptionChanges<S> = {}): Record<string, Options> {
  const table: Record<string, Options> = {};
  for (const [key, spec] of Object.entries(schema) as [string, OptionSpec][]) {
    if (spec.cli === false || spec.positional) continue;
    const change = changes[key as keyof S] ?? {};
    const fallback = change.default ?? spec.default;
    table[flagOf(key)] = {
      ...(yargsType(spec) && { type: yargsType(spec) }),
      ...(spec.alias && { alias: spec.alias }),
      ...(spec.type !== 'boolean' && !spec.negatable && { requiresArg: true }),
      // A flag not given is false in the library: the help says nothing of a default there.
      ...(fallback !== undefined && !(spec.type === 'boolean' && fallback === false) && { default: fallback }),
      ...(spec.conflicts && { conflicts: flagOf(spec.conflicts) }),
      ...(spec.type !== 'boolean' && { coerce: (typed: unknown) => coerce(spec, key, typed) }),
      describe: change.describe ?? spec.describe,
    };
  }
  return table;
}

/** yargs' type: numbers and PEM paths arrive as typed text, for the checks (the help says [number] or [string] itself, and a choice its choices). */
function yargsType(spec: OptionSpec): 'boolean' | 'string' | undefined {
  if (spec.type === 'boolean') return 'boolean';
  return spec.type === 'number' || spec.type === 'choice' || spec.fromPath ? undefined : 'string';
}

function coerce(spec: OptionSpec, key: string, typed: unknown): unknown {
  // yargs gives a repeated option as a list, and coerces before the CLI's check of repeats runs.
  if (Array.isArray(typed) && spec.type !== 'list') throw new UsageError(givenMoreThanOnce(flagOf(key), typed));
  try {
    const value = spec.fromPath ? spec.fromPath(String(typed), key) : typed;
    spec.check(value, key);
    return value;
  } catch (error) {
    // yargs passes on only the message: the flag's words, not the property's.
    throw asUsageError(error) ?? error;
  }
}

/** The keys of the schema's options that the CLI takes in a list, given more than once: `--header a --header b`. */
export const listOptions = (schema: Schema) => Object.keys(schema).filter((key) => schema[key]!.type === 'list');

/** The library's options from what yargs parsed: each option of the schema under its property, as typed. */
export function optionsFrom<S extends Schema>(schema: S, argv: Record<string, unknown>): GivenOptions<S> {
  return Object.fromEntries(Object.keys(schema).flatMap((key) => (argv[key] === undefined ? [] : [[key, argv[key]]]))) as GivenOptions<S>;
}
