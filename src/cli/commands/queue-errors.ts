import { QueueError } from '../../queue/queue-error.js';
import { writeFitted } from '../../report/terminal-width.js';

/** A queue that cannot be reached is said in one line with exit 1; anything else goes on up (a UsageError to its exit 2). */
export async function reportingQueueErrors(command: () => Promise<void>): Promise<void> {
  try {
    await command();
  } catch (error) {
    if (!(error instanceof QueueError)) throw error;
    writeFitted(process.stderr, `flags: ${error.message}`);
    process.exitCode = 1;
  }
}
