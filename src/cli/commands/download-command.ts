import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { download } from '../../api/download.js';
import { type Interrupt, onInterrupt } from '../interrupt.js';
import type { ItemNoun } from '../../input/items.js';
import { downloadSchema } from '../../options/download-schema.js';
import { optionsFrom, optionTable } from '../option-table.js';
import { createProgress, type Progress } from '../progress.js';
import { type Example, examplesText } from '../help-examples.js';
import { fitLines, terminalWidth, writeFitted } from '../../report/terminal-width.js';
import { describeRun, exitCodeFor, formatReport } from '../text-report.js';
import type { RunOutput } from '../../report/run-outputs.js';
import { preferThroughputGc } from '../throughput-gc.js';

const EXAMPLES: readonly Example[] = [
  ['$0', 'the 20 most populous countries, worker threads, embedded server with latency'],
  ['$0 BR IN US --verbose', 'three flags, one line each'],
  ['$0 B --threads 4 --concurrency 5', 'BA..BZ: 4 threads with 5 requests in flight each'],
  ['$0 --all --mode async --concurrency 20', 'every flag of the catalogue from the main event loop'],
  ['$0 --every --threads 8 --json > report.json', 'all 676 codes AA..ZZ, a JSON report'],
  ['$0 --server error --error-rate 0.3 --seed 7', 'the embedded server injecting faults into 30% of requests'],
  ['$0 --server local --partition chunks', 'no latency; fixed chunks instead of on-demand hand-out'],
  ['$0 --mode sequential --limit 5', 'the first 5 of the default list, one after another'],
  ['$0 --server http://127.0.0.1:8001/flags --ext svg --dest /tmp/flags', 'any server with {URL}/{cc}/{cc}.{ext}'],
  ['$0 --timeout 2000 --max-size 100000', 'give up on a request after 2 s, or on a body over 100 kB'],
  ['$0 --all --server error --error-rate 0.3 --retries 6 --retry-delay 50', 'retry transient failures up to 6 times, backoff from 50 ms'],
  ['$0 --all --server local --png 640 --threads 2 --concurrency 10', 'every flag, each rendered to a 640 px PNG by the thread that downloaded it'],
  ['$0 --png 640 --timeline run.svg', 'and a timeline of where the time went: requests, renders, worker start-ups'],
  ['$0 --all --update', 'ask the server for each flag already here whether it changed (304: kept)'],
  ['$0 --all --skip-existing', 'no request at all for a flag already here'],
  ['$0 --server https://127.0.0.1:8443/flags --ca ca.pem', 'an https server whose certificate a private CA signed'],
  ['$0 --server https://127.0.0.1:8443/flags --insecure', 'an https server whose certificate is not checked'],
  ['$0 -i urls.txt --per-host 2 --rate 5', 'at most 2 requests at once to each host, 5 started a second in all'],
  ["$0 -i urls.txt -H 'Authorization: Bearer TOKEN' --proxy http://proxy.example:3128", 'a header with every request, through a proxy (never printed: shown as ***)'],
  ['$0 -i urls.txt --dest files', 'every URL of a list, each saved under its own name (lines are checked first)'],
  ['$0 -i urls.txt --allow-missing', 'a URL that answers 404 is not found, exit 0, instead of a failure, exit 1'],
  ['$0 serve --dir tree --list | $0 -i - --layout tree', 'a whole tree, as {host}/{path}, from a list on standard input'],
];

const builder = (yargs: Argv) =>
  yargs
    .positional('codes', { type: 'string', array: true, describe: downloadSchema.codes.describe })
    .options({
      ...optionTable(downloadSchema),
      verbose: { alias: 'v', type: 'boolean', describe: 'One line per flag (code, status, bytes, time, thread) instead of a progress bar' },
      json: { type: 'boolean', describe: 'Print one machine-readable report on stdout' },
    })
    .epilog(examplesText(EXAMPLES, terminalWidth()));

type DownloadArgs = ArgumentsCamelCase<{ verbose?: boolean; json?: boolean; insecure?: boolean }> & Record<string, unknown>;

/** Parsed and checked by yargs; the API checks again, runs, and this draws its progress and prints its report. */
async function handler(argv: DownloadArgs): Promise<void> {
  // Only there does the main thread carry the bodies; a worker's fresh heap marks once or twice a run.
  if (argv.mode !== 'threads') preferThroughputGc();
  const lines = argv.json ? process.stderr : process.stdout;
  const stop = new AbortController();
  // Signals are ours once the run starts: before, while a list is read from a terminal say, one ends the process at once, as ever.
  let interrupt: Interrupt | undefined;
  let progress: Progress | undefined;
  let noun: ItemNoun = 'flag';
  try {
    const run = download({
      ...optionsFrom(downloadSchema, argv),
      signal: stop.signal,
      async onStart(start) {
        noun = start.items;
        if (argv.insecure) writeFitted(process.stderr, 'flags: warning: --insecure: https certificates are not verified; anyone on the path can alter the files');
        interrupt = onInterrupt('stopping the downloads in flight');
        interrupt.signal.addEventListener('abort', () => stop.abort(), { once: true });
        // The server's description is long: broken between words, not wherever the terminal's edge falls.
        const width = terminalWidth(lines === process.stdout ? process.stdout : process.stderr);
        lines.write(`${fitLines(describeRun(start.requested, start.server, start, noun), width)}\n`);
        // The mode's line counts the slots: with limits, the server sees fewer requests than that.
        if (start.perHost !== undefined || start.rate !== undefined) lines.write(`${fitLines(describeLimits(start.perHost, start.rate), width)}\n`);
        progress = await createProgress(start.requested, argv.verbose ?? false, lines, interrupt.signal, noun);
      },
      onRetry: (notice) => progress?.retry(notice),
      onBytes: (bytes) => progress?.bytes(bytes),
    });
    for await (const result of run) progress?.update(result);
    const report = await run.report;
    progress?.stop();
    process.stdout.write(argv.json ? `${JSON.stringify(report, null, 2)}\n` : `${fitLines(formatReport(report, noun), terminalWidth())}\n`);
    process.exitCode = exitCodeFor(report, interrupt?.stoppedBy);
    for (const output of await run.outputs) printOutput(output, lines, noun);
  } finally {
    interrupt?.dispose();
  }
}

/** `--per-host` and `--rate` as the run's second line says them. */
function describeLimits(perHost: number | undefined, rate: number | undefined): string {
  const parts = [perHost === undefined ? [] : `at most ${perHost} in flight per host`, rate === undefined ? [] : `at most ${rate} started per second`].flat();
  return `Limits: ${parts.join(', ')}, retries included`;
}

/** What became of SHA256SUMS and the timeline; one that could not be written makes the exit code 1. */
function printOutput(output: RunOutput, lines: NodeJS.WritableStream, noun: ItemNoun): void {
  const { kind, path, written, error } = output;
  if (error !== undefined) {
    process.stderr.write(kind === 'checksums' ? `flags: cannot write ${path}: ${error}\n` : `flags: cannot write the timeline to ${path}: ${error}\n`);
    process.exitCode = 1;
  } else if (kind === 'checksums') {
    const kept = output.kept ? ` (${output.kept} kept from the one before: ${output.kept === 1 ? 'a file' : 'files'} this run did not download again)` : '';
    lines.write(`Checksums of ${output.files} ${output.files === 1 ? 'file' : 'files'} written to ${path}${kept}\n`);
  } else lines.write(written ? `Timeline written to ${path}\n` : `No timeline: no ${noun} finished.\n`);
}

export const downloadCommand: CommandModule<object, DownloadArgs> = {
  command: '$0 [codes..]',
  describe: 'Download flags (default: the 20 most populous countries), or the files of a URL list (--input), and report what it took',
  builder: builder as unknown as CommandModule<object, DownloadArgs>['builder'],
  handler,
};
