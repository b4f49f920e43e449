import { realpath } from 'node:fs/promises';
import { join } from 'node:path';
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { formatChecksums, readChecksums, SUMS_FILE } from '../checksums.js';
import { expandCodes } from '../codes.js';
import { onInterrupt } from '../interrupt.js';
import { prepareDestination, sweepStaleTempFiles, tempPrefixFor } from '../destination.js';
import { openFlagSource, resolveFlagSource } from '../flag-source.js';
import { wholeNumber } from '../numbers.js';
import { checkPngExt, DEFAULT_SERVER, reliabilityOptions, renderOptions, scheduleOptions, selectionOptions, transferOptions } from '../options.js';
import { checkOutputFile, writeWhole } from '../output-file.js';
import { flagItems, type ItemNoun } from '../items.js';
import { createProgress } from '../progress.js';
import { describeRun, exitCodeFor, formatReport } from '../report.js';
import { runDownload } from '../run.js';
import { loadStrategy } from '../strategies/index.js';
import { readInputItems } from '../input-items.js';
import type { Item, Mode, RunReport } from '../types.js';

/** The book's thread pool size; more threads than flags would only cost start-up time. */
const DEFAULT_THREADS = 20;

/** `--server` when not given: the embedded server with latency (a list's URLs need none). */

/** `--max-size` for flags when not given: a flag is a few kilobytes, a list's file may be any size. */
const DEFAULT_FLAG_MAX_BYTES = 5_000_000;

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
      input: {
        alias: 'i',
        type: 'string',
        requiresArg: true,
        describe: 'Download the files of this URL list instead of flags (- reads standard input): one http(s) URL a line, optionally followed by a name; # comments',
      },
      layout: {
        choices: ['flat', 'tree'] as const,
        default: 'flat' as const,
        describe: 'With --input: save each file in dest under its last path segment (flat), or as {host}/{path} like wget -x (tree)',
      },
      ...transferOptions,
      ...reliabilityOptions,
      ...renderOptions,
      continue: {
        alias: 'c',
        type: 'boolean',
        describe: 'Keep the bytes of a broken transfer in {file}.part and resume it (Range with If-Range) on the next attempt or run',
      },
      sha256: { type: 'boolean', describe: 'Hash each file as it streams and write SHA256SUMS in dest (sha256sum -c checks it)' },
      checksums: { type: 'string', requiresArg: true, describe: 'A sha256sum manifest: a file whose bytes do not match its line is an error, never put in place' },
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
    .example('$0 --server https://127.0.0.1:8443/flags --insecure', 'an https server whose certificate is not checked')
    .example('$0 -i urls.txt --dest files', 'every URL of a list, each saved under its own name (lines are checked first)')
    .example('$0 serve --dir tree --list | $0 -i - --layout tree', 'a whole tree, as {host}/{path}, from a list on standard input');

type DownloadArgs = ArgumentsCamelCase<Awaited<ReturnType<typeof builder>['argv']>>;

async function handler(argv: DownloadArgs): Promise<void> {
  // A list is read and checked whole before anything is created: a bad line leaves dest untouched.
  const list = argv.input === undefined ? undefined : await readInputItems(argv.input, argv);
  const codes = list ? [] : expandCodes({ args: argv.codes ?? [], all: argv.all, every: argv.every, limit: argv.limit });
  checkPngExt(argv.png, argv.ext);
  const sourceSpec = list ? undefined : resolveFlagSource(argv.server ?? DEFAULT_SERVER, argv, argv.ext);
  const timeline = argv.timeline === undefined ? undefined : await checkOutputFile('timeline', argv.timeline);
  const sums = argv.checksums === undefined ? undefined : await readChecksums(argv.checksums);
  // Real-pathed, so that a symlinked folder inside it can be told from one that leads out.
  const dest = await realpath(await prepareDestination(argv.dest));
  await sweepStaleTempFiles(dest);
  const source = sourceSpec && (await openFlagSource(sourceSpec));
  const items = withChecksums(list ?? flagItems(codes, source!.baseUrl, argv.ext), sums);
  const from = list ? (argv.input === '-' ? 'standard input' : argv.input!) : source!.label;
  const noun: ItemNoun = list ? 'file' : 'flag';
  if (argv.insecure) process.stderr.write('flags: warning: --insecure: https certificates are not verified; anyone on the path can alter the files\n');
  const interrupt = onInterrupt('stopping the downloads in flight');
  try {
    const mode = argv.mode;
    const threads = Math.min(argv.threads ?? DEFAULT_THREADS, items.length);
    // Slots are set up before they ask for work: more than there are items would only idle.
    const concurrency = Math.min(argv.concurrency, items.length);
    const lines = argv.json ? process.stderr : process.stdout;
    lines.write(`${describeRun(items.length, from, { mode, threads, concurrency: mode === 'sequential' ? 1 : concurrency }, noun)}\n`);
    const progress = await createProgress(items.length, argv.verbose ?? false, lines, interrupt.signal, noun);
    const tempPrefix = tempPrefixFor();
    const report = await runDownload(
      items,
      {
        server: from,
        strategy: await loadStrategy(mode),
        mode,
        threads,
        concurrency,
        partition: argv.partition,
        dest,
        timeoutMs: argv.timeout,
        maxBytes: argv.maxSize ?? (list ? Number.POSITIVE_INFINITY : DEFAULT_FLAG_MAX_BYTES),
        tempPrefix,
        retries: argv.retries,
        retryDelayMs: argv.retryDelay,
        existing: argv.update ? 'update' : argv.skipExisting ? 'skip' : 'replace',
        ca: argv.ca,
        insecure: argv.insecure ?? false,
        png: argv.png,
        maxPixels: argv.maxPixels,
        renderTimeoutMs: argv.renderTimeout,
        resume: argv.continue ?? false,
        sha256: argv.sha256 ?? false,
      },
      { onResult: (result) => progress.update(result), onRetry: (notice) => progress.retry(notice), onBytes: (bytes) => progress.bytes(bytes), signal: interrupt.signal },
    );
    progress.stop();
    process.stdout.write(argv.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatReport(report, noun)}\n`);
    process.exitCode = exitCodeFor(report, interrupt.stoppedBy);
    if (argv.sha256) await writeSums(report, dest, tempPrefix, lines);
    if (timeline !== undefined) await writeTimeline(report, timeline, tempPrefix, lines, noun);
  } finally {
    interrupt.dispose();
    await source?.close();
  }
}

/** `--checksums`: each item listed in the manifest gets the digest its bytes must have. */
function withChecksums(items: Item[], sums: Map<string, string> | undefined): Item[] {
  if (sums === undefined) return items;
  return items.map((item) => (sums.has(item.file) ? { ...item, sha256: sums.get(item.file)! } : item));
}

/** `--sha256`: the manifest of every file of the run that has a digest, written whole in dest. */
async function writeSums(report: RunReport, dest: string, tempPrefix: string, lines: NodeJS.WritableStream): Promise<void> {
  const checksums = report.results.flatMap(({ file, sha256 }) => (sha256 === undefined ? [] : [{ file, sha256 }]));
  const path = join(dest, SUMS_FILE);
  try {
    await writeWhole(path, formatChecksums(checksums), tempPrefix);
    lines.write(`Checksums of ${checksums.length} files written to ${path}\n`);
  } catch (error) {
    process.stderr.write(`flags: cannot write ${path}: ${(error as Error).message}\n`);
    process.exitCode = 1;
  }
}

/** `--timeline`: loaded only when asked for, so that a run without it does not pay for it. */
async function writeTimeline(report: RunReport, file: string, tempPrefix: string, lines: NodeJS.WritableStream, noun: ItemNoun): Promise<void> {
  if (report.results.length === 0) {
    lines.write(`No timeline: no ${noun} finished.\n`);
    return;
  }
  const [{ runTimeline }, { timelineSvg }] = await Promise.all([import('../timeline/run-timeline.js'), import('../timeline/timeline-svg.js')]);
  try {
    await writeWhole(file, timelineSvg(runTimeline(report, noun)), tempPrefix);
    lines.write(`Timeline written to ${file}\n`);
  } catch (error) {
    process.stderr.write(`flags: cannot write the timeline to ${file}: ${(error as Error).message}\n`);
    process.exitCode = 1;
  }
}

export const downloadCommand: CommandModule<object, DownloadArgs> = {
  command: '$0 [codes..]',
  describe: 'Download flags (default: the 20 most populous countries), or the files of a URL list (--input), and report what it took',
  builder: builder as unknown as CommandModule<object, DownloadArgs>['builder'],
  handler,
};
