import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { enqueueSchema } from '../../options/queue-schema.js';
import { without } from '../../options/schema.js';
import { reportingQueueErrors } from './queue-errors.js';
import { grouped, plural } from '../../report/plural.js';
import { optionsFrom, optionTable } from '../option-table.js';
import { UsageError } from '../usage-error.js';

const builder = (yargs: Argv) =>
  yargs
    .positional('codes', { type: 'string', array: true, describe: enqueueSchema.codes.describe })
    .options({
      ...optionTable(enqueueSchema),
      json: { type: 'boolean', describe: 'Print a machine-readable summary on stdout' },
    })
    .example('$0 enqueue -i urls.txt --queue redis://127.0.0.1:6379/demo', 'one job per URL of the list, the same URL twice is one job')
    .example('$0 enqueue --all --server http://10.0.0.5:8001/flags --rate 50', 'every flag; all workers together start at most 50 a second')
    .example('$0 enqueue --retry-failed', 'the queue of FLAGS_QUEUE: its failed jobs are tried again');

type EnqueueArgs = ArgumentsCamelCase<{ json?: boolean; retryFailed?: boolean; queue?: string }> & Record<string, unknown>;

async function handler(argv: EnqueueArgs): Promise<void> {
  await reportingQueueErrors(async () => {
    // The queue's code, and BullMQ with it, loads for the queue commands alone.
    const { enqueue } = await import('../../queue/enqueue.js');
    const { codes, all, every, input, queue, retryFailed } = argv;
    // yargs fills in defaults, so the API cannot tell what was typed: the list's options are refused here.
    if (retryFailed && ((codes as unknown[] | undefined)?.length || all || every || input !== undefined))
      throw new UsageError('--retry-failed puts the failed jobs back as they were: it takes no codes, --all, --every or --input');
    const summary = retryFailed ? await enqueue({ queue, retryFailed }) : await enqueue(optionsFrom(without(enqueueSchema, 'retryFailed'), argv));
    if (argv.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    else if (retryFailed) process.stdout.write(`${plural(summary.items, 'failed job')} put back in ${summary.queue}\n`);
    else {
      const already = summary.items - summary.added;
      const note = already > 0 ? ` (${grouped(already)} already there)` : '';
      process.stdout.write(
        `Enqueued ${plural(summary.added, 'new job')} of ${plural(summary.items, 'item')}${note} on ${summary.queue} in ${(summary.elapsedMs / 1000).toFixed(2)} s\n`,
      );
    }
  });
}

export const enqueueCommand: CommandModule<object, EnqueueArgs> = {
  command: 'enqueue [codes..]',
  describe: 'Add one job per item (flags, or the files of a list) to a queue on Redis, for workers on any machine',
  builder: builder as unknown as CommandModule<object, EnqueueArgs>['builder'],
  handler,
};
