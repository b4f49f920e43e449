import { QueueError } from '../../queue/queue-error.js';

/** A queue that cannot be reached is said in one line with exit 1; anything else goes on up (a UsageError to its exit 2). */
export async function reportingQueueErrors(command: () => Promise<void>): Promise<void> {
  try {
    await command();
  } catch (error) {
    if (!(error instanceof QueueError)) throw error;
    process.stderr.write(`flags: ${error.message}\n`);
    process.exitCode = 1;
  }
}
