import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { UsageError } from '../../errors.js';
import { LAYOUTS, oneOf, reliabilityOptions, renderOptions, selectionOptions, transferOptions } from '../../options/definitions.js';
import type { Layout } from '../../input/file-names.js';
import { perHostOption, queueOption, rateOption } from '../../queue/queue-options.js';
import { reportingQueueErrors } from './queue-errors.js';
import { plural } from '../../report/plural.js';

const { dest: _ownedByEachWorker, ...transfer } = transferOptions;

const builder = (yargs: Argv) =>
  yargs
    .positional('codes', { type: 'string', array: true, describe: 'Two-letter country codes; one letter stands for its 26 codes' })
    .options({
      ...queueOption,
      ...selectionOptions,
      input: { alias: 'i', type: 'string', requiresArg: true, describe: 'Enqueue the files of this URL list (- reads standard input), checked whole first' },
      layout: { default: 'flat' as Layout, requiresArg: true, coerce: oneOf('layout', LAYOUTS), describe: 'With --input: flat or tree, as for a local run' },
      ...transfer,
      ...reliabilityOptions,
      ...renderOptions,
      continue: { alias: 'c', type: 'boolean', describe: 'Keep the bytes of a broken transfer in {file}.part and resume it' },
      sha256: { type: 'boolean', describe: 'Hash each file as it streams (the digest is in each job’s result)' },
      checksums: { type: 'string', requiresArg: true, describe: 'A sha256sum manifest: a file whose bytes do not match its line is an error' },
      ...rateOption,
      ...perHostOption,
      'retry-failed': { type: 'boolean', describe: 'Put the failed jobs back in the queue, to be tried again; enqueue nothing else' },
      json: { type: 'boolean', describe: 'Print a machine-readable summary on stdout' },
    })
    .example('$0 enqueue -i urls.txt --queue redis://127.0.0.1:6379/demo', 'one job per URL of the list, the same URL twice is one job')
    .example('$0 enqueue --all --server http://10.0.0.5:8001/flags --rate 50', 'every flag; all workers together start at most 50 a second')
    .example('$0 enqueue --retry-failed', 'the queue of FLAGS_QUEUE: its failed jobs are tried again');

type EnqueueArgs = ArgumentsCamelCase<Awaited<ReturnType<typeof builder>['argv']>>;

async function handler(argv: EnqueueArgs): Promise<void> {
  await reportingQueueErrors(async () => {
    // The queue's code, and BullMQ with it, loads for the queue commands alone.
    const { enqueue } = await import('../../queue/enqueue.js');
    const { codes, all, every, limit, input, layout, server, ext, timeout, maxSize, retries, retryDelay, update, skipExisting, png, maxPixels, renderTimeout } = argv;
    const { ca, insecure, sha256, checksums, queue, rate, perHost, retryFailed } = argv;
    const given = { codes: codes?.map(String), all, every, limit, input, server, ext, timeout, maxSize, retries, retryDelay, update, skipExisting, png, maxPixels };
    const more = { renderTimeout, ca, insecure, continue: argv.continue, sha256, checksums, queue, rate, perHost, retryFailed };
    // yargs fills in defaults, so the API cannot tell what was typed: the list's options are refused here.
    if (retryFailed && (codes?.length || all || every || input !== undefined))
      throw new UsageError('--retry-failed puts the failed jobs back as they were: it takes no codes, --all, --every or --input');
    const summary = retryFailed ? await enqueue({ queue, retryFailed }) : await enqueue({ ...given, ...more, layout });
    if (argv.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    else if (retryFailed) process.stdout.write(`${plural(summary.items, 'failed job')} put back in ${summary.queue}\n`);
    else {
      const already = summary.items - summary.added;
      const note = already > 0 ? ` (${already.toLocaleString('en-US')} already there)` : '';
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
