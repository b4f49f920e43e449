import { redact } from './report/redact.js';

/**
 * A problem with what the user typed: reported with its message and exit code 2, before any work.
 * The message is redacted here, once for every check: it often quotes a URL, which may hold a password.
 */
export class UsageError extends Error {
  override name = 'UsageError';

  constructor(message: string) {
    super(redact(message));
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
