import { OptionError, type OptionNames } from '../errors.js';
import { flagOf } from '../options/schema.js';
import { redact } from '../report/redact.js';

/** The CLI's names: the flag, and the codes by their place. */
export const flagNames: OptionNames = (option) => (option === 'codes' ? 'codes' : `--${flagOf(option)}`);

/** What no option here means: yargs' list of the values of an option given more than once. */
export const givenMoreThanOnce = (flag: string, values: readonly unknown[]) => `--${flag} was given more than once (${values.join(', ')}): give it once`;

/**
 * A problem with what was typed: printed with exit code 2, before any work. Redacted here, for
 * yargs' own messages: they may quote a URL, which may hold a password.
 */
export class UsageError extends Error {
  override name = 'UsageError';

  constructor(message: string) {
    super(redact(message));
  }
}

/** An error as a usage error of the CLI's, if it is one: the library's refusal of an option, in the words of its flags. */
export function asUsageError(error: unknown): UsageError | undefined {
  if (error instanceof UsageError) return error;
  if (error instanceof OptionError) return new UsageError(error.in(flagNames));
  return undefined;
}
