import { redact } from './report/redact.js';

/** How an interface names an option: the library by its property (`maxSize`), the CLI by its flag (`--max-size`). */
export type OptionNames = (option: string) => string;

/** The library's names: the properties of its options objects. */
export const propertyNames: OptionNames = (option) => option;

/**
 * `unknown`: no such option; `conflict`: two options that exclude each other; `invalid`: a value
 * refused, or a file it names that cannot be read or written as it must be.
 */
export type OptionErrorCode = 'ERR_FLAGS_UNKNOWN_OPTION' | 'ERR_FLAGS_OPTION_CONFLICT' | 'ERR_FLAGS_INVALID_OPTION';

/**
 * An option the library refuses, before anything is downloaded: `option` names the property
 * (`threads`), and the message says why in the library's words. The CLI says the same in its own
 * (`--threads`), from the same error. Messages are redacted once here: they often quote a URL,
 * which may hold a password.
 */
export class OptionError extends TypeError {
  override name = 'OptionError';
  readonly code: OptionErrorCode;
  readonly #says: (name: OptionNames) => string;

  /** `says` words the problem with the option names it is given; a string is said after the option's name. */
  constructor(
    readonly option: string,
    says: string | ((name: OptionNames) => string),
    code: OptionErrorCode = 'ERR_FLAGS_INVALID_OPTION',
  ) {
    const words = typeof says === 'string' ? (name: OptionNames) => `${name(option)} ${says}` : says;
    super(redact(words(propertyNames)));
    this.#says = words;
    this.code = code;
  }

  /** The message with the options named as another interface names them. */
  in(names: OptionNames): string {
    return redact(this.#says(names));
  }
}

/**
 * A feature whose optional package is not installed (`npm install --omit=optional` leaves them
 * out: a plain download needs none of them): the message names the package and how to install it.
 */
export class MissingPackageError extends Error {
  override name = 'MissingPackageError';
  readonly code = 'ERR_FLAGS_MISSING_PACKAGE';

  constructor(
    /** The packages that are not installed, e.g. `['bullmq', 'ioredis']`. */
    readonly packages: readonly string[],
    /** What needs them, e.g. `PNG rendering (--png)`. */
    readonly neededBy: string,
  ) {
    const [them, are] = packages.length === 1 ? ['package', 'is'] : ['packages', 'are'];
    super(`${neededBy} needs the optional ${them} ${packages.join(' and ')}, which ${are} not installed: npm install ${packages.join(' ')}`);
  }
}
