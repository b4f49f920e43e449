/** A server that could not start; the culprit lets the CLI tell a usage error from a busy address. */
export class ServerStartError extends Error {
  override name = 'ServerStartError';

  constructor(
    message: string,
    readonly culprit: 'dir' | 'address',
  ) {
    super(message);
  }
}
