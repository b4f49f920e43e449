import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { exitCodeOnSignal, onInterrupt } from '../interrupt.js';
import { compareSchema } from '../../options/compare-schema.js';
import { pick, without } from '../../options/schema.js';
import { optionsFrom, optionTable } from '../option-table.js';
import { type Example, examplesText } from '../help-examples.js';
import { terminalWidth, wrapWords } from '../../report/terminal-width.js';

const EXAMPLES: readonly Example[] = [
  ['$0 compare', 'the 20 default flags at 1, 2, 4, 8, 16 and 20 threads, 3 runs each, 300 ms fixed latency'],
  ['$0 compare --modes threads,async,sequential', 'the pool against the event loop and one-at-a-time'],
  ['$0 compare --threads 1,20 --chart c.svg', 'two thread counts, and a chart'],
  ['$0 compare --all --threads 8,20,64 --json', 'every flag, rows for a script'],
  ['$0 compare --threads 20 --jitter 200 --partition dynamic,chunks', 'what the split changes when latency varies'],
  ['$0 compare --server http://127.0.0.1:8080/flags', 'a real server (no bound: its latency is unknown)'],
  ['$0 compare --server local --repeat 5', 'no latency: what the overhead costs'],
  ['$0 compare -i urls.txt --modes threads,async --threads 1,2,4', 'the files of a URL list instead of flags'],
  ['$0 compare --all --png 640 --modes threads,async --threads 1,2,4 --server local', 'a CPU stage per flag: where threads pay against the event loop'],
  ['$0 compare --png 640 --timelines timelines', 'and one timeline per config: where the time goes'],
];

const builder = (yargs: Argv) =>
  yargs
    .positional('codes', { type: 'string', array: true, describe: compareSchema.codes.describe })
    .options({
      // Lists are read by the checks: the CLI refuses any option that arrives as an array.
      ...optionTable(pick(compareSchema, 'threads', 'modes', 'partition', 'concurrency', 'repeat')),
      json: { type: 'boolean', describe: 'Print the rows as JSON on stdout instead of the table' },
      wide: { type: 'boolean', describe: 'Every column of the table: also flags/s, bound, worker start-up and peak memory' },
      ...optionTable(without(compareSchema, 'threads', 'modes', 'partition', 'concurrency', 'repeat')),
    })
    .epilog(
      `${examplesText(EXAMPLES, terminalWidth())}\n\n` +
        'Each run is the real CLI in a child process (--json into a fresh temporary folder), timed from spawn to exit, ' +
        'all against one server started once. After an untimed warm-up, the configs run in turn, --repeat times over, ' +
        'so that a machine getting busier affects all of them alike; the table gives medians with min-max. The embedded ' +
        'server holds every answer for --latency ms (300 for delay) with no jitter unless --jitter is given, so the bound ' +
        'ceil(flags / requests in flight) × latency is exact and efficiency = bound / median. Under the table, a bar chart ' +
        'of the medians (Unicode blocks in a UTF-8 locale; # with NO_COLOR, TERM=dumb or another locale). A run in which any flag ' +
        'failed is listed with its reason and left out of the times; the exit code is then 1.',
    );

export type CompareArgs = ArgumentsCamelCase<{ json?: boolean; wide?: boolean }> & Record<string, unknown>;

/** The bar chart under the table: as wide as the terminal, up to this many columns. */
const CHART_WIDTH = 100;

// The comparison's modules load only when it runs: every download would pay for them otherwise.
async function handler(argv: CompareArgs): Promise<void> {
  const [{ runComparison }, { baselineOf }, { SignalRelay }, { comparisonText }, { chartCharset }] = await Promise.all([
    import('../../compare/comparison.js'),
    import('../../compare/rows.js'),
    import('../../compare/signal-relay.js'),
    import('../../compare/comparison-text.js'),
    import('../../compare/terminal-chart.js'),
  ]);
  const relay = new SignalRelay();
  const interrupt = onInterrupt('stopping the run in progress', (signal) => relay.send(signal));
  try {
    const { summary, boundNote, chartFailed } = await runComparison(
      {
        ...optionsFrom(compareSchema, argv),
        signal: interrupt.signal,
        onLog: (line) => process.stderr.write(`${wrapWords(line, terminalWidth(process.stderr)).join('\n')}\n`),
      },
      relay,
    );
    const stoppedBy = interrupt.stoppedBy;
    if (argv.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    else {
      const width = terminalWidth();
      const stopped = `Interrupted: the table holds the runs finished before ${stoppedBy === 'SIGINT' ? 'Ctrl-C' : stoppedBy}; the run then in progress was stopped and left out.`;
      const note = stoppedBy === undefined ? '' : `\n${wrapWords(stopped, width).join('\n')}`;
      const chartShape = { width: Math.min(width, CHART_WIDTH), charset: chartCharset() };
      const { rows } = summary;
      const text = comparisonText({ rows, baseline: baselineOf(rows), boundNote, chart: chartShape, width, wide: argv.wide });
      process.stdout.write(`\n${text}${note}\n`);
    }
    process.exitCode = stoppedBy !== undefined ? exitCodeOnSignal(stoppedBy) : chartFailed || summary.rows.some((row) => row.failed > 0) ? 1 : 0;
  } finally {
    interrupt.dispose();
  }
}

export const compareCommand: CommandModule<object, CompareArgs> = {
  command: 'compare [codes..]',
  describe: 'Time the same download at several thread counts (and modes), and say where the threads stop paying',
  builder: builder as unknown as CommandModule<object, CompareArgs>['builder'],
  handler,
};
