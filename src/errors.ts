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
