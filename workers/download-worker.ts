import { downloadFlag } from '../src/download.js';
import type { MainMessage, WorkerMessage, WorkerTask } from '../src/messages.js';
import { runSlots } from '../src/slots.js';

/** A pool task: download the codes the main thread hands out over `port`, posting each result. */
export default async function downloadTask({ port, fetch, concurrency }: WorkerTask): Promise<void> {
  const cancel = new AbortController();
  const answers: ((cc: string | undefined) => void)[] = [];
  const post = (message: WorkerMessage) => port.postMessage(message);
  port.on('message', (message: MainMessage) => {
    if (message.type === 'cancel') cancel.abort();
    else answers.shift()?.(message.cc ?? undefined);
  });
  const next = () =>
    cancel.signal.aborted
      ? undefined
      : new Promise<string | undefined>((resolve) => {
          answers.push(resolve);
          post({ type: 'want' });
        });
  try {
    await runSlots(
      concurrency,
      next,
      (cc) => downloadFlag(cc, fetch, cancel.signal),
      (result) => post({ type: 'result', result }),
    );
  } finally {
    port.close();
  }
}
