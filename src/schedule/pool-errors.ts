/**
 * What can go wrong inside the pool itself, never by a user's or a server's doing: each a class of
 * its own, so that the code that meets one can tell which it is. An item lost to one is reported
 * with its message, which opens with `worker failed:` as the run's report has always said it.
 */

/** A worker thread that ended its task with an error or died (`process.exit`, an uncaught throw). */
export class WorkerCrashed extends Error {
  override name = 'WorkerCrashed';

  constructor(cause: unknown) {
    super(`worker failed: ${messageOf(cause)}`, { cause });
  }
}

/** A worker file that failed before it said a word: it cannot be loaded (missing, or it throws as it loads). */
export class WorkerUnloadable extends Error {
  override name = 'WorkerUnloadable';

  constructor(cause: unknown) {
    super(`worker failed: ${messageOf(cause)}`, { cause });
  }
}

/** A message on a pool task's port that the protocol (`messages.ts`) does not have: the two ends do not speak the same one. */
export class ProtocolViolation extends Error {
  override name = 'ProtocolViolation';

  constructor(side: 'worker' | 'main thread', message: unknown) {
    super(`worker failed: protocol violation: the ${side} sent ${describe(message)}`);
  }
}

/** The harness was given a second result for one item: a strategy broke its promise of exactly one. */
export class DuplicateResult extends Error {
  override name = 'DuplicateResult';

  constructor(url: string) {
    super(`internal error: a second result for ${url}`);
  }
}

/**
 * For the `default` of a switch over every message type: it compiles only while every type has
 * its case, and at run time it names the stranger.
 */
export function unexpectedMessage(side: 'worker' | 'main thread', message: never): ProtocolViolation {
  return new ProtocolViolation(side, message);
}

const messageOf = (cause: unknown) => (cause instanceof Error ? cause.message : String(cause));

/** A message as the error shows it: its type when it has one, else what it is, briefly. */
function describe(message: unknown): string {
  const type = (message as { type?: unknown } | null)?.type;
  if (typeof type === 'string') return `a message of unknown type ${JSON.stringify(type.slice(0, 40))}`;
  return `a message with no type (${message === null ? 'null' : typeof message})`;
}
