import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { exitCodeOnSignal, type Interrupt, onInterrupt } from '../interrupt.js';
import { workSchema } from '../../options/queue-schema.js';
import { formatResult, formatRetry } from '../text-report.js';
import { reportingQueueErrors } from './queue-errors.js';
import { writeFitted } from '../../report/terminal-width.js';
import { plural } from '../../report/plural.js';
import { optionsFrom, optionTable } from '../option-table.js';

const builder = (yargs: Argv) =>
  yargs
    .options({
      ...optionTable(workSchema),
      verbose: { alias: 'v', type: 'boolean', describe: 'One line per job (code or file, status, bytes, time, thread)' },
      json: { type: 'boolean', describe: "Print this worker's summary as JSON on stdout" },
    })
    .example('$0 worker --queue redis://10.0.0.2:6379/demo --dest files', 'take jobs until Ctrl-C; each machine runs one')
    .example('$0 worker --threads 4 --concurrency 5 --exit-when-drained', 'the queue of FLAGS_QUEUE, 20 jobs at once, until every job is done');

type WorkerArgs = ArgumentsCamelCase<{ verbose?: boolean; json?: boolean }> & Record<string, unknown>;

async function handler(argv: WorkerArgs): Promise<void> {
  const lines = argv.json ? process.stderr : process.stdout;
  const stop = new AbortController();
  let interrupt: Interrupt | undefined;
  try {
    await reportingQueueErrors(async () => {
      // The queue's code, and BullMQ with it, loads for the queue commands alone.
      const { work } = await import('../../queue/work.js');
      const summary = await work({
        ...optionsFrom(workSchema, argv),
        signal: stop.signal,
        onStart(start) {
          interrupt = onInterrupt('taking no new job, finishing those in hand');
          interrupt.signal.addEventListener('abort', () => stop.abort(), { once: true });
          const rate = start.rate === undefined ? '' : `, at most ${start.rate} jobs a second over all workers`;
          const perHost = start.perHost === undefined ? '' : `, at most ${start.perHost} in flight to each host here`;
          writeFitted(lines, `Worker ${start.host} on ${start.queue}: ${start.items}s from ${start.server} into ${start.dest}`);
          writeFitted(lines, `${start.threads} worker threads × ${start.concurrency} in flight${rate}${perHost}`);
        },
        onResult: (result) => argv.verbose && lines.write(`${formatResult(result)}\n`),
        onRetry: (notice) => argv.verbose && lines.write(`${formatRetry(notice)}\n`),
        onQueueError: (message) => writeFitted(process.stderr, `flags: ${message}`),
      });
      if (argv.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
      else {
        const { done, ok, notFound, notModified, skipped, error, elapsedMs } = summary;
        const kept = [notModified > 0 ? `, ${notModified} not modified` : '', skipped > 0 ? `, ${skipped} skipped` : ''].join('');
        lines.write(`${plural(done, 'job')} done: ${ok} ok, ${notFound} not found${kept}, ${error} failed in ${(elapsedMs / 1000).toFixed(2)} s\n`);
      }
      // A stopped worker leaves no job unfinished: the signal says only how it was asked to stop.
      if (interrupt?.stoppedBy !== undefined) process.exitCode = exitCodeOnSignal(interrupt.stoppedBy);
    });
  } finally {
    interrupt?.dispose();
  }
}

export const workerCommand: CommandModule<object, WorkerArgs> = {
  command: 'worker',
  describe: "Download a queue's jobs with the pool of worker threads, into this machine's --dest, until stopped or drained",
  builder: builder as unknown as CommandModule<object, WorkerArgs>['builder'],
  handler,
};
