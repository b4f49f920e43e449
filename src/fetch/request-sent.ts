import { AsyncLocalStorage } from 'node:async_hooks';
import { channel } from 'node:diagnostics_channel';
import type { ClientRequest } from 'node:http';

/** Who is told, within the run of `whenSent`, that its request went out. */
const sending = new AsyncLocalStorage<() => void>();
let listening = false;

/**
 * Runs `start`, which makes an HTTP request, and calls `onSent` once, when the first request made
 * within it has been written to its socket: the moment the server can see it, later than the
 * call by whatever came between (a new connection, code compiled on first use, a busy thread).
 * Node announces every client request on a diagnostics channel, in the caller's async context.
 */
export function whenSent<T>(onSent: () => void, start: () => T): T {
  if (!listening) {
    listening = true;
    channel('http.client.request.start').subscribe((message) => {
      const told = sending.getStore();
      if (told !== undefined) (message as { request: ClientRequest }).request.once('finish', told);
    });
  }
  let said = false;
  return sending.run(() => {
    if (!said) {
      said = true;
      onSent();
    }
  }, start);
}
