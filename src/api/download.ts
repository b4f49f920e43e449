import { realpath } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { prepareDestination, sweepStaleTempFiles, tempPrefixFor } from '../store/destination.js';
import { openFlagSource } from '../input/flag-source.js';
import { readInputItems } from '../input/input-items.js';
import { flagItems, type ItemNoun } from '../input/items.js';
import { checkInstalled } from '../paths.js';
import { RENDERING } from '../render/render-limits.js';
import { checkOutputFile } from '../report/output-file.js';
import { redactAll } from '../report/redact.js';
import { poolSize } from '../schedule/pool-size.js';
import { runDownload } from '../schedule/run.js';
import type { RunOutput } from '../report/run-outputs.js';
import { loadStrategy } from '../schedule/strategies/load-strategy.js';
import type { Item, ItemResult, RunReport } from '../types.js';
import { DEFAULT_THREADS } from '../options/download-schema.js';
import { type CheckedDownload, checkDownloadOptions, type DownloadOptions, fetchOptionsOf } from './download-options.js';
import { ResultQueue } from './result-queue.js';

/** A run under way: iterate it for each result as it lands (optional), await `report` for the whole. */
export interface DownloadRun extends AsyncIterable<ItemResult> {
  /**
   * The report `flags --json` prints, once the run is over and its other files written. Rejects
   * with an OptionError when what needs reading or writing first (the list, the manifest, the
   * destination, the timeline's folder) is not right, and with `MissingPackageError` when `png`
   * is asked for without the optional @resvg/resvg-wasm: nothing has been downloaded then.
   */
  readonly report: Promise<RunReport>;
  /** SHA256SUMS (`sha256`) and the timeline: whether each was written, resolved with `report`. */
  readonly outputs: Promise<RunOutput[]>;
}

/**
 * Downloads flags, or the files of a list, as the `flags` command does, and prints nothing.
 * Options that are wrong in themselves throw an OptionError at once, before anything starts.
 * Breaking out of `for await` stops the run as `signal` does and waits until it has stopped.
 */
export function download(options: DownloadOptions = {}): DownloadRun {
  const checked = checkDownloadOptions(options);
  const results = new ResultQueue<ItemResult>();
  // A reader that stops early ends the run as the caller's signal would.
  const stop = new AbortController();
  const signal = checked.signal ? AbortSignal.any([checked.signal, stop.signal]) : stop.signal;
  // A callback that throws stops the run too, and its error is the run's: it is the caller's own.
  let thrown: { error: unknown } | undefined;
  const guarded =
    <T>(callback: (value: T) => void) =>
    (value: T) => {
      try {
        callback(value);
      } catch (error) {
        thrown ??= { error };
        stop.abort();
      }
    };
  const events = { onRetry: checked.onRetry && guarded(checked.onRetry), onBytes: checked.onBytes && guarded(checked.onBytes) };
  const done = runChecked({ ...checked, ...events }, signal, (result) => results.push(result)).then((value) => {
    if (thrown) throw thrown.error;
    return value;
  });
  done.then(
    () => results.end(),
    (error) => results.end(error),
  );
  const report = done.then(({ report }) => report);
  const outputs = done.then(({ outputs }) => outputs);
  // Whoever only iterates hears of a failure there: an unawaited promise must not also report it.
  report.catch(() => {});
  outputs.catch(() => {});
  return {
    report,
    outputs,
    [Symbol.asyncIterator]: () =>
      results.iterate(async () => {
        stop.abort();
        await done.catch(() => {});
      }),
  };
}

/** What needs I/O before the run (each an OptionError, in the CLI's order), the run, then its other files. */
async function runChecked(checked: CheckedDownload, signal: AbortSignal, onResult: (result: ItemResult) => void): Promise<{ report: RunReport; outputs: RunOutput[] }> {
  // The renderer is an optional package: missing, it is one error now, not one per flag once downloaded.
  if (checked.png !== undefined) checkInstalled(['@resvg/resvg-wasm'], RENDERING);
  const list = checked.input === undefined ? undefined : await readList(checked);
  // A timeline straight in dest is checked once dest is there: dest is made when missing.
  const inDest = checked.timeline !== undefined && dirname(resolve(checked.timeline)) === resolve(checked.dest);
  const early = checked.timeline === undefined || inDest ? undefined : await checkOutputFile('timeline', checked.timeline);
  // The manifest's reader and the run's extra files load only when asked for: start-up never pays for them.
  const sums = checked.checksums === undefined ? undefined : await (await import('../store/checksums.js')).readChecksums(checked.checksums);
  // Real-pathed, so that a symlinked folder inside it can be told from one that leads out.
  const dest = await realpath(await prepareDestination(checked.dest));
  await sweepStaleTempFiles(dest);
  const timeline = inDest ? await checkOutputFile('timeline', checked.timeline!) : early;
  const source = checked.source && (await openFlagSource(checked.source));
  try {
    const items = withChecksums(list ?? flagItems(checked.codes, source!.baseUrl, checked.ext), sums);
    const from = source?.label ?? listName(checked.input!);
    const noun: ItemNoun = list ? 'file' : 'flag';
    const { mode } = checked;
    const { threads, concurrency } = poolSize({ threads: checked.threads ?? DEFAULT_THREADS, concurrency: checked.concurrency }, items.length, checked.split);
    const { perHost, rate } = checked;
    await checked.onStart?.({ requested: items.length, server: from, mode, threads, concurrency: mode === 'sequential' ? 1 : concurrency, items: noun, perHost, rate });
    const tempPrefix = tempPrefixFor();
    const report = await runDownload(
      items,
      {
        server: from,
        strategy: await loadStrategy(mode),
        mode,
        threads,
        concurrency,
        partition: checked.partition,
        perHost: checked.perHost,
        rate: checked.rate,
        ...fetchOptionsOf(checked, noun),
        dest,
        tempPrefix,
      },
      // Everything that leaves the run is redacted on its way out: a URL's password, a credential's header.
      { onResult: (result) => onResult(redactAll(result)), onRetry: checked.onRetry && ((notice) => checked.onRetry!(redactAll(notice))), onBytes: checked.onBytes, signal },
    ).then(redactAll);
    const outputs: RunOutput[] = [];
    if (checked.sha256 || timeline !== undefined) {
      const { writeSums, writeTimeline } = await import('../report/run-outputs.js');
      if (checked.sha256) outputs.push(await writeSums(report, dest, tempPrefix));
      if (timeline !== undefined) outputs.push(await writeTimeline(report, timeline, tempPrefix, noun));
    }
    return { report, outputs };
  } finally {
    await source?.close();
  }
}

/** `input`: a list read and checked whole before anything is created, so that a bad line leaves dest untouched. */
export function readList({ input, layout, limit, sha256, continue: resume }: CheckedDownload): Promise<Item[]> {
  const args = { layout, limit, sha256, continue: resume };
  if (input !== undefined && 'path' in input) return readInputItems(input.path, args);
  return readInputItems('-', args, Readable.from([input!.lines.join('\n')]));
}

/** How the report names a list. */
export function listName(input: NonNullable<CheckedDownload['input']>): string {
  if ('lines' in input) return 'the list given';
  return input.path === '-' ? 'standard input' : input.path;
}

/** `checksums`: each item listed in the manifest gets the digest its bytes must have. */
export function withChecksums(items: Item[], sums: Map<string, string> | undefined): Item[] {
  if (sums === undefined) return items;
  return items.map((item) => (sums.has(item.file) ? { ...item, sha256: sums.get(item.file)! } : item));
}
