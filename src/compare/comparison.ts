import { resolve } from 'node:path';
import { expandCodes } from '../codes.js';
import { prepareDestination, tempPrefixFor } from '../destination.js';
import { UsageError } from '../errors.js';
import { type FlagSourceSpec, openFlagSource, resolveFlagSource } from '../flag-source.js';
import { type InputArgs, readInputItems } from '../input-items.js';
import { exitCodeOnSignal, onInterrupt } from '../interrupt.js';
import { checkPngExt, DEFAULT_SERVER } from '../options.js';
import { checkOutputFile, writeWhole } from '../output-file.js';
import type { ServerKnobArgs } from '../server/options.js';
import { serverProfiles } from '../server/profiles.js';
import type { Mode, Partition } from '../types.js';
import { renderChart } from './chart.js';
import { compareChart } from './compare-chart.js';
import { comparisonText } from './comparison-text.js';
import { choiceListOption, threadListOption } from './lists.js';
import { measureConfigs } from './measure.js';
import { inFlight, planConfigs } from './plan.js';
import { baselineOf, buildRows } from './rows.js';
import { SignalRelay } from './signal-relay.js';
import { defaultLadder, lowerBoundMs } from './stats.js';
import { chartCharset } from './terminal-chart.js';

/** The bar chart under the table: as wide as the terminal, up to this many columns. */
const CHART_WIDTH = 100;

const MODES: readonly Mode[] = ['threads', 'async', 'sequential'];

const PARTITIONS: readonly Partition[] = ['dynamic', 'chunks', 'round-robin'];

/**
 * The compare command's options as yargs parsed and coerced them. Declared here rather than taken
 * from the command, which loads this module: the command depends on the comparison, not back.
 */
export type ComparisonOptions = InputArgs & {
  codes?: string[];
  input?: string;
  all?: boolean;
  every?: boolean;
  /** Comma-separated lists, read here so that each item is checked with its own message. */
  threads?: string;
  modes: string;
  partition: string;
  concurrency: number;
  repeat: number;
  json?: boolean;
  chart?: string;
  png?: number;
  timelines?: string;
  server?: string;
  latency?: number;
  jitter?: number;
  errorRate?: number;
  seed?: number;
  ext: string;
  timeout: number;
};

/** `flags compare`: one server, every config run as the real CLI, the table or JSON rows, the chart. */
export async function runComparison(argv: ComparisonOptions): Promise<void> {
  if (argv.input === '-') throw new UsageError('compare --input needs a file: every run reads the list anew');
  const list = argv.input === undefined ? undefined : await readInputItems(argv.input, argv);
  const count = list?.length ?? expandCodes({ args: argv.codes ?? [], all: argv.all, every: argv.every, limit: argv.limit }).length;
  const noun = list ? 'files' : 'flags';
  const threads = argv.threads === undefined ? defaultLadder(count) : threadListOption(argv.threads);
  const tooMany = threads.find((threadCount) => threadCount > count);
  if (tooMany !== undefined) {
    throw new UsageError(`--threads ${tooMany}: there are only ${count} ${noun}, so at most ${count} threads can get one`);
  }
  const modes = choiceListOption('modes', MODES, argv.modes);
  const partitions = choiceListOption('partition', PARTITIONS, argv.partition);
  const configs = planConfigs({ modes, threads, concurrency: argv.concurrency, partitions });
  checkPngExt(argv.png, argv.ext);
  const timelines = argv.timelines === undefined ? undefined : await prepareDestination(argv.timelines, '--timelines folder');
  const chartFile = argv.chart === undefined ? undefined : await checkOutputFile('chart', argv.chart);

  const knobs: ServerKnobArgs = { latency: argv.latency, jitter: argv.jitter, 'error-rate': argv.errorRate, seed: argv.seed };
  const server = argv.server ?? DEFAULT_SERVER;
  // The embedded server holds every answer exactly as long unless jitter is asked for: the bound is then exact.
  if (serverProfiles.some((profile) => profile === server)) knobs.jitter ??= 0;
  // A list's URLs are absolute: no server starts, and their latency is not known.
  const spec = list ? undefined : resolveFlagSource(server, knobs, argv.ext);
  const latencyMs = spec && 'embedded' in spec && spec.embedded.jitterMs === 0 && spec.embedded.latencyMs > 0 ? spec.embedded.latencyMs : undefined;

  const relay = new SignalRelay();
  const interrupt = onInterrupt('stopping the run in progress', (signal) => relay.send(signal));
  const source = spec && (await openFlagSource(spec));
  try {
    const log = (line: string) => process.stderr.write(`${line}\n`);
    const least = configs.reduce((sum, config) => sum + (latencyMs ? lowerBoundMs(count, inFlight(config), latencyMs) : 0), 0) * argv.repeat;
    const from = source?.label ?? argv.input!;
    log(`Comparing ${configs.length} configs × ${argv.repeat} runs on ${count} ${noun} from ${from}`);
    if (least > 0) log(`At this latency that takes at least ${Math.ceil(least / 1000)} s, plus each run's start-up.`);

    const what = source
      ? [...(argv.codes ?? []).map(String), ...selectionArgs(argv), '--server', source.baseUrl, '--ext', argv.ext]
      : ['--input', resolve(argv.input!), '--layout', argv.layout, ...(argv.limit === undefined ? [] : ['--limit', String(argv.limit)])];
    const commonArgs = [...what, '--timeout', String(argv.timeout), ...(argv.png === undefined ? [] : ['--png', String(argv.png)])];
    const runs = await measureConfigs({ configs, commonArgs, repeat: argv.repeat, timelines, log, signal: interrupt.signal, relay });
    const rows = buildRows(configs, runs, { flags: count, latencyMs });
    const baseline = baselineOf(rows);
    const stoppedBy = interrupt.stoppedBy;

    let chartFailed = false;
    if (chartFile !== undefined && rows.some((row) => row.medianMs !== null)) {
      const latency = latencyMs === undefined ? '' : `, ${latencyMs} ms latency`;
      try {
        await writeWhole(chartFile, renderChart(compareChart(rows, `${count} ${noun}${latency}: wall time by requests in flight`)), tempPrefixFor());
        log(`Chart written to ${argv.chart}`);
      } catch (error) {
        // Its folder may have gone during the runs: the table below is still worth printing.
        log(`flags: cannot write the chart to ${argv.chart}: ${(error as Error).message}`);
        chartFailed = true;
      }
    }
    if (timelines !== undefined) log(`Timelines written to ${timelines}, one per config from its last run`);
    if (argv.json) {
      const summary = {
        flags: count,
        server: from,
        latencyMs: latencyMs ?? null,
        png: argv.png ?? null,
        repeat: argv.repeat,
        interrupted: stoppedBy !== undefined,
        baseline: baseline?.label ?? null,
        rows,
      };
      process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    } else {
      const note = stoppedBy === undefined ? '' : `\nInterrupted: the table holds the runs finished before ${stoppedBy === 'SIGINT' ? 'Ctrl-C' : stoppedBy}.`;
      const chart = { width: Math.min(process.stdout.columns ?? 80, CHART_WIDTH), charset: chartCharset() };
      process.stdout.write(
        `\n${comparisonText({ rows, baseline, boundNote: spec ? boundNote(spec, latencyMs) : 'No bound: the latency of the servers of a list is not known here.', chart })}${note}\n`,
      );
    }
    process.exitCode = stoppedBy !== undefined ? exitCodeOnSignal(stoppedBy) : chartFailed || rows.some((row) => row.failed > 0) ? 1 : 0;
  } finally {
    interrupt.dispose();
    await source?.close();
  }
}

function boundNote(spec: FlagSourceSpec, latencyMs: number | undefined): string | undefined {
  if (latencyMs !== undefined) return undefined;
  if (!('embedded' in spec)) return 'No bound: the latency of a real server is not known here.';
  const { jitterMs } = spec.embedded;
  if (jitterMs > 0) return `No bound: with --jitter ${jitterMs} the latency varies from answer to answer (--jitter 0 makes the bound exact).`;
  return 'No bound: the server answers without latency, so the time is all overhead (--latency gives it one).';
}

function selectionArgs(argv: ComparisonOptions): string[] {
  return [...(argv.all ? ['--all'] : []), ...(argv.every ? ['--every'] : []), ...(argv.limit === undefined ? [] : ['--limit', String(argv.limit)])];
}
