import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { serverThread } from '../paths.js';
import type { RunningServer } from './flag-server.js';
import type { ServerOptions } from './server-options.js';
import type { ThreadMessage } from './server-thread.js';
import { ServerStartError } from './start-error.js';

/**
 * The flag server in a worker thread of its own, so that the thread collecting download
 * results does not also serve them and the timings stay honest.
 */
export async function startEmbeddedServer(options: ServerOptions): Promise<RunningServer> {
  const worker = new Worker(serverThread, { workerData: options });
  // Settles when the thread ends: undefined if it exited, its error if it crashed. Until then this
  // is also the thread's 'error' listener, without which a crash would take the process down.
  const ended = once(worker, 'exit').then(
    () => undefined,
    (error: Error) => error,
  );
  /** The thread's next message; undefined if it ends first. */
  const nextMessage = () =>
    Promise.race([
      once(worker, 'message').then(
        ([message]) => message as ThreadMessage,
        () => undefined,
      ),
      ended.then(() => undefined),
    ]);

  const ready = await nextMessage();
  if (ready?.type !== 'ready') {
    await worker.terminate();
    const crash = await ended;
    if (ready?.type === 'failed' && ready.culprit !== null) throw new ServerStartError(ready.message, ready.culprit);
    const why = ready?.type === 'failed' ? ready.message : (crash?.message ?? 'it exited before it was ready');
    throw new Error(`embedded flag server thread failed to start: ${why}`, { cause: crash });
  }

  let closing: Promise<void> | undefined;
  return {
    baseUrl: ready.baseUrl,
    port: ready.port,
    close() {
      closing ??= (async () => {
        const closed = nextMessage();
        worker.postMessage('close');
        await closed;
        await worker.terminate();
        const crash = await ended;
        if (crash) throw new Error(`embedded flag server thread failed: ${crash.message}`, { cause: crash });
      })();
      return closing;
    },
  };
}
