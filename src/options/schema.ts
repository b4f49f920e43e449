import { OptionError } from '../errors.js';

/** A check refuses a value with an OptionError naming `option`, or returns what the program uses. */
export type Check<Out> = (value: unknown, option: string) => Out;

/**
 * One option, defined once: everything the CLI's table, the library's checks and the worker's
 * fetch options are made from. Its property name is the key it stands under in a schema; its flag
 * is that name in kebab case (`maxSize`, `--max-size`). `In` is what the library takes, `Out` what
 * the check makes of it.
 */
export interface OptionSpec<In = unknown, Out = In> {
  /**
   * How the command line gives it: a `boolean` flag; `text` (a string, as typed); `choice`, text
   * that names one of a few values; `number` (typed text, read by the check: yargs' own number
   * parsing is off); `list`, text that may be repeated.
   */
  type: 'boolean' | 'text' | 'choice' | 'number' | 'list';
  check: Check<Out>;
  /** The value when none is given, the same for the CLI and the library; the CLI's help shows it. */
  default?: NoInfer<In>;
  /** The CLI's help line, with its notes as yargs prints them. */
  describe: string;
  /** The stage it belongs to, for the docs and the help's reader: what part of a run it changes. */
  group: OptionGroup;
  alias?: string;
  /** Another option of the same schema that cannot be given with this one. */
  conflicts?: string;
  /** A text option that the CLI also takes negated (`--no-proxy`), as `false`. */
  negatable?: true;
  /** The command line gives a path where the library takes the file's text: the CLI reads it, then checks what it read. */
  fromPath?: (path: string, option: string) => string;
  /** The name of this option's value in the worker's fetch options, for an option that travels to the workers as it is. */
  fetch?: string;
  /** `false`: the library's alone, not on the command line. */
  cli?: false;
  /** Given by position on the command line (`flags br in`), not as a flag. */
  positional?: true;
  /** The value's type for the library (never set: it carries `In`). */
  readonly input?: In;
}

export type OptionGroup = 'selection' | 'input' | 'server' | 'schedule' | 'limits' | 'transfer' | 'reliability' | 'http' | 'render' | 'outputs' | 'queue' | 'compare';

/**
 * An option spec with its types inferred from its check; `In`, what the library takes, is what the
 * check returns unless given. One with a default is typed so, for `CheckedOptions`.
 */
export function option<Out, In = Out, const Fetch extends string = never>(
  spec: OptionSpec<In, Out> & { default: In; fetch?: Fetch },
): OptionSpec<In, Out> & { default: In; fetch?: Fetch };
export function option<Out, In = Out, const Fetch extends string = never>(spec: OptionSpec<In, Out> & { fetch?: Fetch }): OptionSpec<In, Out> & { fetch?: Fetch };
export function option<Out, In = Out>(spec: OptionSpec<In, Out>): OptionSpec<In, Out> {
  return spec;
}

export type Schema = Record<string, OptionSpec<unknown, unknown>>;

type InOf<S> = S extends OptionSpec<infer In, unknown> ? In : never;
type OutOf<S> = S extends OptionSpec<unknown, infer Out> ? Out : never;

/** What the library takes: every option of the schema, optional, as its property. */
export type GivenOptions<S extends Schema> = { [K in keyof S]?: InOf<S[K]> };

/** The options once checked: an option with a default is always there. */
export type CheckedOptions<S extends Schema> = { -readonly [K in keyof S]: S[K] extends { default: unknown } ? OutOf<S[K]> : OutOf<S[K]> | undefined };

/** What travels to the workers as it is, under the fetch options' names. */
export type FetchValues<S extends Schema> = { [K in keyof S as FetchName<S[K]>]: CheckedOptions<S>[K] };

type FetchName<S> = S extends { fetch?: infer Name } ? Extract<Name, string> : never;

/** `maxSize` → `max-size`: the CLI's flag of a property. */
export const flagOf = (property: string) => property.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);

/**
 * `given` checked against `schema`, each value (absent: its default) by its option's check, and
 * every pair that conflicts refused. `others` are the keys the caller checks itself (callbacks,
 * the signal); any other key is an OptionError: a misspelt option would otherwise be ignored.
 */
export function checkOptions<S extends Schema>(schema: S, given: object, others: readonly string[] = []): CheckedOptions<S> {
  const unknown = Object.keys(given).filter((key) => !Object.hasOwn(schema, key) && !others.includes(key));
  if (unknown.length > 0) {
    throw new OptionError(unknown[0]!, (name) => `Unknown option${unknown.length === 1 ? '' : 's'}: ${unknown.map(name).join(', ')}`, 'ERR_FLAGS_UNKNOWN_OPTION');
  }
  const values = given as Record<string, unknown>;
  const checked: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(schema)) {
    const value = values[key];
    const given = value ?? spec.default;
    checked[key] = given === undefined ? undefined : spec.check(given, key);
  }
  for (const [key, spec] of Object.entries(schema)) {
    if (spec.conflicts !== undefined && isGiven(checked[key]) && isGiven(checked[spec.conflicts])) {
      throw new OptionError(key, (name) => `${name(key)} and ${name(spec.conflicts!)} exclude each other: give one`, 'ERR_FLAGS_OPTION_CONFLICT');
    }
  }
  return checked as CheckedOptions<S>;
}

/** Given, for a conflict: a flag set, or any value at all. */
const isGiven = (value: unknown) => value !== undefined && value !== false;

/** The values of the options that travel to the workers as they are, under their fetch names. */
export function fetchValues<S extends Schema>(schema: S, checked: CheckedOptions<S>): FetchValues<S> {
  const values: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(schema)) if (spec.fetch !== undefined) values[spec.fetch] = checked[key as keyof S];
  return values as FetchValues<S>;
}

/** The schema less some options, for a command that takes the rest. */
export function without<S extends Schema, K extends keyof S>(schema: S, ...keys: K[]): Omit<S, K> {
  return Object.fromEntries(Object.entries(schema).filter(([key]) => !keys.includes(key as K))) as Omit<S, K>;
}

/** The schema's options under `keys`, for a command that takes only those. */
export function pick<S extends Schema, K extends keyof S>(schema: S, ...keys: K[]): Pick<S, K> {
  return Object.fromEntries(keys.map((key) => [key, schema[key]])) as Pick<S, K>;
}
