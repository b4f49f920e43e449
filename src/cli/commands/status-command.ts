import { setTimeout as sleep } from 'node:timers/promises';
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { onInterrupt } from '../interrupt.js';
import { queueSchema } from '../../options/queue-schema.js';
import { optionTable } from '../option-table.js';
import type { QueueStatus } from '../../queue/status.js';
import { reportingQueueErrors } from './queue-errors.js';
import { grouped } from '../../report/plural.js';
import { terminalWidth } from '../../report/terminal-width.js';

/** How often `--watch` asks the queue again. */
const WATCH_EVERY_MS = 1000;

/** The bar's widest; it narrows to leave the counts room on the line, and goes below this. */
const BAR_WIDTH = 30;
const NARROWEST_BAR = 5;

const builder = (yargs: Argv) =>
  yargs
    .options({
      ...optionTable(queueSchema),
      watch: { alias: 'w', type: 'boolean', describe: 'Follow the queue with a progress bar until no job is waiting, delayed or active' },
      json: { type: 'boolean', describe: 'Print the counts as JSON' },
    })
    .example('$0 status --queue redis://127.0.0.1:6379/demo', 'waiting, active, delayed, completed and failed jobs')
    .example('$0 status --watch', 'the queue of FLAGS_QUEUE, followed until it is done');

type StatusArgs = ArgumentsCamelCase<{ queue?: string; watch?: boolean; json?: boolean }>;

/**
 * `[=====     ] 1,200 of 2,000 done (1,190 completed, 10 failed) | 40 active, 760 waiting`, in at
 * most `width` columns (`--watch` redraws it in place, so it must never wrap): the bar narrows,
 * and where even its narrowest would not fit, the counts go alone.
 */
export function formatStatus(status: QueueStatus, width: number): string {
  // Not "all done": a misspelled name is a queue with no job too.
  if (status.total === 0) return 'no job in this queue: nothing was enqueued here (is the name right?)';
  const done = status.completed + status.failed;
  const n = grouped;
  const delayed = status.delayed > 0 ? `, ${n(status.delayed)} delayed` : '';
  const counts = `${n(done)} of ${n(status.total)} done (${n(status.completed)} completed, ${n(status.failed)} failed) | ${n(status.active)} active, ${n(status.waiting)} waiting${delayed}`;
  const bar = Math.min(BAR_WIDTH, width - counts.length - '[] '.length);
  if (bar < NARROWEST_BAR) return counts;
  const filled = Math.round((done / status.total) * bar);
  return `[${'='.repeat(filled)}${' '.repeat(bar - filled)}] ${counts}`;
}

async function handler(argv: StatusArgs): Promise<void> {
  await reportingQueueErrors(async () => {
    // The queue's code, and BullMQ with it, loads for the queue commands alone.
    const { queueStatus } = await import('../../queue/status.js');
    const first = await queueStatus({ queue: argv.queue });
    if (!argv.watch) {
      process.stdout.write(argv.json ? `${JSON.stringify(first, null, 2)}\n` : `${first.queue}\n${formatStatus(first, terminalWidth())}\n`);
      return;
    }
    const interrupt = onInterrupt('no longer watching (the queue goes on)');
    // A terminal gets one line redrawn; a pipe or a log, a line each time.
    const redraw = process.stdout.isTTY ? '\r\x1b[2K' : '';
    const end = process.stdout.isTTY ? '' : '\n';
    try {
      process.stdout.write(`${first.queue}\n`);
      for (let status = first; ; status = await queueStatus({ queue: argv.queue })) {
        process.stdout.write(argv.json ? `${JSON.stringify(status)}\n` : `${redraw}${formatStatus(status, terminalWidth())}${end}`);
        if (status.waiting + status.active + status.delayed === 0 || interrupt.signal.aborted) break;
        await sleep(WATCH_EVERY_MS, undefined, { signal: interrupt.signal }).catch(() => {});
      }
      if (redraw !== '') process.stdout.write('\n');
    } finally {
      interrupt.dispose();
    }
  });
}

export const statusCommand: CommandModule<object, StatusArgs> = {
  command: 'status',
  describe: "A queue's jobs by state, once or followed (--watch)",
  builder: builder as unknown as CommandModule<object, StatusArgs>['builder'],
  handler,
};
