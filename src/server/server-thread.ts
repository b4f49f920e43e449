import { parentPort, workerData } from 'node:worker_threads';
import { startFlagServer } from './flag-server.js';
import type { ServerOptions } from './server-options.js';
import { ServerStartError } from './start-error.js';

/** What this thread tells its parent; the parent's only message back is "close". */
export type ThreadMessage =
  | { type: 'ready'; baseUrl: string; port: number }
  | { type: 'failed'; message: string; culprit: ServerStartError['culprit'] | null }
  | { type: 'closed' };

const parent = parentPort;
if (parent === null) throw new Error('server-thread.js runs only as a worker thread (see embedded.ts)');

const tell = (message: ThreadMessage) => parent.postMessage(message);

try {
  // The parent cannot read this thread's request log, so keeping one would only grow.
  const server = await startFlagServer(workerData as ServerOptions, { log: false });
  parent.once('message', () => void server.close().then(() => tell({ type: 'closed' })));
  tell({ type: 'ready', baseUrl: server.baseUrl, port: server.port });
} catch (error) {
  const culprit = error instanceof ServerStartError ? error.culprit : null;
  tell({ type: 'failed', message: (error as Error).message, culprit });
}
