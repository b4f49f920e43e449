import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { expandCodes } from '../codes.js';
import { onInterrupt } from '../interrupt.js';
import { prepareDestination, sweepStaleTempFiles, tempPrefixFor } from '../destination.js';
import { openFlagSource, resolveFlagSource } from '../flag-source.js';
import { checkPngExt, reliabilityOptions, renderOptions, scheduleOptions, selectionOptions, transferOptions, wholeNumber } from '../options.js';
import { checkOutputFile, writeWhole } from '../output-file.js';
import { flagItems } from '../items.js';
import { createProgress } from '../progress.js';
import { describeRun, exitCodeFor, formatReport } from '../report.js';
import { runDownload } from '../run.js';
import { loadStrategy } from '../strategies/index.js';
import type { Mode, RunReport } from '../types.js';

/** The book's thread pool size; more threads than flags would only cost start-up time. */
const DEFAULT_THREADS = 20;

const builder = (yargs: Argv) =>
  yargs
    .positional('codes', { type: 'string', array: true, describe: 'Two-letter country codes; one letter stands for its 26 codes' })
    .options({
      mode: {
        choices: ['threads', 'async', 'sequential'] as const,
        default: 'threads' as Mode,
        describe: 'threads: a Piscina pool of worker threads; async: the main event loop alone; sequential: one at a time',
      },
      threads: {
        requiresArg: true,
        coerce: wholeNumber('threads'),
        describe: `Worker threads [number] [default: ${DEFAULT_THREADS}, capped by the number of flags]`,
      },
      ...scheduleOptions,
      ...selectionOptions,
      ...transferOptions,
      ...reliabilityOptions,
      ...renderOptions,
      timeline: { type: 'string', requiresArg: true, describe: 'After the run, draw where the time went into this SVG file: a lane per thread, a bar per flag, worker start-ups' },
      verbose: { alias: 'v', type: 'boolean', describe: 'One line per flag (code, status, bytes, time, thread) instead of a progress bar' },
      json: { type: 'boolean', describe: 'Print one machine-readable report on stdout' },
    })
    .example('$0', 'the 20 most populous countries, worker threads, embedded server with latency')
    .example('$0 BR IN US --verbose', 'three flags, one line each')
    .example('$0 B --threads 4 --concurrency 5', 'BA..BZ: 4 threads with 5 requests in flight each')
    .example('$0 --all --mode async --concurrency 20', 'every flag of the catalogue from the main event loop')
    .example('$0 --every --threads 8 --json > report.json', 'all 676 codes AA..ZZ, a JSON report')
    .example('$0 --server error --error-rate 0.3 --seed 7', 'the embedded server injecting faults into 30% of requests')
    .example('$0 --server local --partition chunks', 'no latency; fixed chunks instead of on-demand hand-out')
    .example('$0 --mode sequential --limit 5', 'the first 5 of the default list, one after another')
    .example('$0 --server http://127.0.0.1:8001/flags --ext svg --dest /tmp/flags', 'any server with {URL}/{cc}/{cc}.{ext}')
    .example('$0 --timeout 2000 --max-size 100000', 'give up on a request after 2 s, or on a body over 100 kB')
    .example('$0 --all --server error --error-rate 0.3 --retries 6 --retry-delay 50', 'retry transient failures up to 6 times, backoff from 50 ms')
    .example('$0 --all --server local --png 640 --threads 2 --concurrency 10', 'every flag, each rendered to a 640 px PNG by the thread that downloaded it')
    .example('$0 --png 640 --timeline run.svg', 'and a timeline of where the time went: requests, renders, worker start-ups')
    .example('$0 --all --update', 'ask the server for each flag already here whether it changed (304: kept)')
    .example('$0 --all --skip-existing', 'no request at all for a flag already here')
    .example('$0 --server https://127.0.0.1:8443/flags --ca ca.pem', 'an https server whose certificate a private CA signed')
    .example('$0 --server https://127.0.0.1:8443/flags --insecure', 'an https server whose certificate is not checked');

type DownloadArgs = ArgumentsCamelCase<Awaited<ReturnType<typeof builder>['argv']>>;

async function handler(argv: DownloadArgs): Promise<void> {
  const codes = expandCodes({ args: argv.codes ?? [], all: argv.all, every: argv.every, limit: argv.limit });
  checkPngExt(argv.png, argv.ext);
  const sourceSpec = resolveFlagSource(argv.server, argv, argv.ext);
  const timeline = argv.timeline === undefined ? undefined : await checkOutputFile('timeline', argv.timeline);
  const dest = await prepareDestination(argv.dest);
  await sweepStaleTempFiles(dest);
  const source = await openFlagSource(sourceSpec);
  if (argv.insecure) process.stderr.write('flags: warning: --insecure: https certificates are not verified; anyone on the path can alter the files\n');
  const interrupt = onInterrupt('stopping the downloads in flight');
  try {
    const mode = argv.mode;
    const threads = Math.min(argv.threads ?? DEFAULT_THREADS, codes.length);
    // Slots are set up before they ask for work: more than there are flags would only idle.
    const concurrency = Math.min(argv.concurrency, codes.length);
    const lines = argv.json ? process.stderr : process.stdout;
    lines.write(`${describeRun(codes.length, source.label, { mode, threads, concurrency: mode === 'sequential' ? 1 : concurrency })}\n`);
    const progress = await createProgress(codes.length, argv.verbose ?? false, lines, interrupt.signal);
    const tempPrefix = tempPrefixFor();
    const report = await runDownload(
      flagItems(codes, source.baseUrl, argv.ext),
      {
        server: source.label,
        strategy: await loadStrategy(mode),
        mode,
        threads,
        concurrency,
        partition: argv.partition,
        dest,
        timeoutMs: argv.timeout,
        maxBytes: argv.maxSize,
        tempPrefix,
        retries: argv.retries,
        retryDelayMs: argv.retryDelay,
        existing: argv.update ? 'update' : argv.skipExisting ? 'skip' : 'replace',
        ca: argv.ca,
        insecure: argv.insecure ?? false,
        png: argv.png,
        maxPixels: argv.maxPixels,
        renderTimeoutMs: argv.renderTimeout,
      },
      { onResult: (result) => progress.update(result), onRetry: (notice) => progress.retry(notice), signal: interrupt.signal },
    );
    progress.stop();
    process.stdout.write(argv.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatReport(report)}\n`);
    process.exitCode = exitCodeFor(report, interrupt.stoppedBy);
    if (timeline !== undefined) await writeTimeline(report, timeline, tempPrefix, lines);
  } finally {
    interrupt.dispose();
    await source.close();
  }
}

/** `--timeline`: loaded only when asked for, so that a run without it does not pay for it. */
async function writeTimeline(report: RunReport, file: string, tempPrefix: string, lines: NodeJS.WritableStream): Promise<void> {
  if (report.results.length === 0) {
    lines.write(`No timeline: no flag finished.\n`);
    return;
  }
  const [{ runTimeline }, { timelineSvg }] = await Promise.all([import('../timeline/run-timeline.js'), import('../timeline/timeline-svg.js')]);
  try {
    await writeWhole(file, timelineSvg(runTimeline(report)), tempPrefix);
    lines.write(`Timeline written to ${file}\n`);
  } catch (error) {
    process.stderr.write(`flags: cannot write the timeline to ${file}: ${(error as Error).message}\n`);
    process.exitCode = 1;
  }
}

export const downloadCommand: CommandModule<object, DownloadArgs> = {
  command: '$0 [codes..]',
  describe: 'Download flags (default: the 20 most populous countries) and report what it took',
  builder: builder as unknown as CommandModule<object, DownloadArgs>['builder'],
  handler,
};
