/** A problem with what the user typed: reported with its message and exit code 2, before any work. */
export class UsageError extends Error {
  override name = 'UsageError';
}
