import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { queueSchema } from '../../options/queue-schema.js';
import { optionTable } from '../option-table.js';
import { fitLines, terminalWidth } from '../../report/terminal-width.js';
import { exitCodeFor, formatReport } from '../text-report.js';
import { reportingQueueErrors } from './queue-errors.js';

const builder = (yargs: Argv) =>
  yargs
    .options({
      ...optionTable(queueSchema),
      json: { type: 'boolean', describe: "Print the report as JSON, as a local run's --json does, each result with its host" },
    })
    .example('$0 report --queue redis://127.0.0.1:6379/demo', 'what became of every job, in the words of a local run')
    .example('$0 report --json > report.json', 'the same, for a program');

type ReportArgs = ArgumentsCamelCase<{ queue?: string; json?: boolean }>;

async function handler(argv: ReportArgs): Promise<void> {
  await reportingQueueErrors(async () => {
    // The queue's code, and BullMQ with it, loads for the queue commands alone.
    const { queueReport } = await import('../../queue/status.js');
    const report = await queueReport({ queue: argv.queue });
    process.stdout.write(
      argv.json
        ? `${JSON.stringify(report, null, 2)}\n`
        : `${fitLines(formatReport(report, report.items, 'a queue enqueued with --allow-missing counts it as not found instead'), terminalWidth())}\n`,
    );
    process.exitCode = exitCodeFor(report, undefined);
  });
}

export const reportCommand: CommandModule<object, ReportArgs> = {
  command: 'report',
  describe: "The report of a local run over a queue's completed and failed jobs",
  builder: builder as unknown as CommandModule<object, ReportArgs>['builder'],
  handler,
};
