import { Worker } from 'node:worker_threads';
import { serverThread } from '../paths.js';
import type { RunningServer } from './flag-server.js';
import type { ServerOptions } from './options.js';
import type { ThreadMessage } from './server-thread.js';
import { ServerStartError } from './start-error.js';

/**
 * The flag server in a worker thread of its own, so that the thread collecting download
 * results does not also serve them and the timings stay honest.
 */
export async function startEmbeddedServer(options: ServerOptions): Promise<RunningServer> {
  const worker = new Worker(serverThread, { workerData: options });
  let crash: Error | undefined;
  worker.on('error', (error) => (crash ??= error));
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  const nextMessage = () => Promise.race([new Promise<ThreadMessage>((resolve) => worker.once('message', resolve)), exited.then(() => undefined)]);

  const ready = await nextMessage();
  if (ready?.type !== 'ready') {
    await worker.terminate();
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
        if (crash) throw new Error(`embedded flag server thread failed: ${crash.message}`, { cause: crash });
      })();
      return closing;
    },
  };
}
