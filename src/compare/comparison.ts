import { resolve } from 'node:path';
import { OptionError } from '../errors.js';
import { checkInstalled } from '../paths.js';
import { RENDERING } from '../render/render-limits.js';
import { expandCodes } from '../input/codes.js';
import { type FlagSourceSpec, openFlagSource, resolveFlagSource } from '../input/flag-source.js';
import { checkListOnlyOptions, readInputItems } from '../input/input-items.js';
import { compareSchema } from '../options/compare-schema.js';
import { checkPngExt, DEFAULT_SERVER } from '../options/download-schema.js';
import { checkOptions, type GivenOptions } from '../options/schema.js';
import { checkOutputFile, writeWhole } from '../report/output-file.js';
import type { ServerKnobs } from '../server/server-options.js';
import { serverProfiles } from '../server/profiles.js';
import { prepareDestination, tempPrefixFor } from '../store/destination.js';
import { renderChart } from './chart.js';
import { compareChart, compareChartTitle } from './compare-chart.js';
import { plural } from '../report/plural.js';
import { measureConfigs } from './measure.js';
import { inFlight, planConfigs } from './plan.js';
import { baselineOf, buildRows, type CompareRow } from './rows.js';
import { SignalRelay } from './signal-relay.js';
import { defaultLadder, lowerBoundMs } from './stats.js';

/** What `compare()` takes besides its options: how to stop it, and what to hear of it as it goes. */
export interface CompareEvents {
  /** Stops the comparison: the run in progress is stopped as Ctrl-C stops it and left out; the summary says `interrupted`. */
  signal?: AbortSignal;
  /** Each line `flags compare` writes to stderr as it goes: the plan, each run's time, the files written. */
  onLog?(line: string): void;
}

/**
 * What `compare()` takes: the options of `flags compare` in camelCase, checked alike, each
 * documented where it is defined (src/options/compare-schema.ts).
 */
export type CompareOptions = GivenOptions<typeof compareSchema> & CompareEvents;

/** Every key of CompareEvents, each once: one left out fails to compile. */
const EVENTS = Object.keys({ signal: true, onLog: true } satisfies Record<keyof CompareEvents, true>);

/** What `flags compare --json` prints: one row per config, medians of its runs. */
export interface CompareSummary {
  /** How many items each run fetched (flags or files). */
  flags: number;
  server: string;
  /** The embedded server's fixed latency, when the bound is exact; else null. */
  latencyMs: number | null;
  png: number | null;
  repeat: number;
  interrupted: boolean;
  /** The row speedups are over: `sequential`, `1 thread`, or null. */
  baseline: string | null;
  rows: CompareRow[];
}

/** A comparison's summary, with what only its text needs. */
export interface Comparison {
  summary: CompareSummary;
  /** Why the table has no bound to read, when it has none. */
  boundNote?: string;
  /** The chart was asked for but could not be written. */
  chartFailed: boolean;
}

/**
 * `flags compare`: one server, every config run as the real CLI, the rows and what they read as.
 * `relay` hands the signals the caller receives to the run in progress; without one, `signal`
 * stops that run as Ctrl-C would.
 */
export async function runComparison(options: CompareOptions, relay?: SignalRelay): Promise<Comparison> {
  const checked = checkOptions(compareSchema, options, EVENTS);
  const { codes = [], all, every, limit, layout, allowMissing, ext, timeout, png, concurrency, repeat, input } = checked;
  const knobs: ServerKnobs = { latency: checked.latency, jitter: checked.jitter, errorRate: checked.errorRate, seed: checked.seed };
  if (input === '-') throw new OptionError('input', (name) => `compare ${name('input')} needs a file: every run reads the list anew`);
  const inputArgs = { codes, layout, limit, all, every, server: checked.server, png, ...knobs };
  if (input === undefined) checkListOnlyOptions({ layout, allowMissing });
  const list = input === undefined ? undefined : await readInputItems(input, inputArgs);
  const count = list?.length ?? expandCodes({ args: codes, all, every, limit }).length;
  const noun = list ? 'files' : 'flags';
  const item = list ? 'file' : 'flag';
  const threads = checked.threads ?? defaultLadder(count);
  const tooMany = threads.find((threadCount) => threadCount > count);
  if (tooMany !== undefined) {
    throw new OptionError(
      'threads',
      (name) => `${name('threads')} ${tooMany}: there ${count === 1 ? 'is' : 'are'} only ${plural(count, item)}, so at most ${plural(count, 'thread')} can get one`,
    );
  }
  const { modes, partition: partitions } = checked;
  const configs = planConfigs({ modes, threads, concurrency, partitions });
  checkPngExt(png, ext);
  // Each run would fail alike without the optional renderer: said once, before any starts.
  if (png !== undefined) checkInstalled(['@resvg/resvg-wasm'], RENDERING);
  const timelines = options.timelines === undefined ? undefined : await prepareDestination(options.timelines, 'timelines');
  const chartFile = options.chart === undefined ? undefined : await checkOutputFile('chart', options.chart);

  const server = checked.server ?? DEFAULT_SERVER;
  // The embedded server holds every answer exactly as long unless jitter is asked for: the bound is then exact.
  if (serverProfiles.some((profile) => profile === server)) knobs.jitter ??= 0;
  // A list's URLs are absolute: no server starts, and their latency is not known.
  const spec = list ? undefined : resolveFlagSource(server, knobs, ext);
  const latencyMs = spec && 'embedded' in spec && spec.embedded.jitterMs === 0 && spec.embedded.latencyMs > 0 ? spec.embedded.latencyMs : undefined;

  const signal = options.signal ?? new AbortController().signal;
  const relayed = relay ?? relayOf(signal);
  const source = spec && (await openFlagSource(spec));
  try {
    const log = options.onLog ?? (() => {});
    const least = configs.reduce((sum, config) => sum + (latencyMs ? lowerBoundMs(count, inFlight(config), latencyMs) : 0), 0) * repeat;
    const from = source?.label ?? input!;
    log(`Comparing ${plural(configs.length, 'config')} × ${plural(repeat, 'run')} on ${plural(count, item)} from ${from}`);
    if (least > 0) log(`At this latency that takes at least ${Math.ceil(least / 1000)} s, plus each run's start-up.`);

    const selection = [...(all ? ['--all'] : []), ...(every ? ['--every'] : []), ...(limit === undefined ? [] : ['--limit', String(limit)])];
    const what = source
      ? [...codes, ...selection, '--server', source.baseUrl, '--ext', ext]
      : ['--input', resolve(input!), '--layout', layout, ...(allowMissing ? ['--allow-missing'] : []), ...(limit === undefined ? [] : ['--limit', String(limit)])];
    const commonArgs = [...what, '--timeout', String(timeout), ...(png === undefined ? [] : ['--png', String(png)])];
    const runs = await measureConfigs({ configs, commonArgs, repeat, timelines, log, signal, relay: relayed });
    const rows = buildRows(configs, runs, { flags: count, latencyMs });

    let chartFailed = false;
    // A chart of no bar is no chart: said so, and the file is left as it was.
    if (chartFile !== undefined && !rows.some((row) => row.medianMs !== null)) log(`No chart written to ${options.chart}: no config had a run that counts.`);
    else if (chartFile !== undefined) {
      const fixedLatency = spec && 'embedded' in spec && spec.embedded.jitterMs === 0 ? spec.embedded.latencyMs : undefined;
      try {
        await writeWhole(chartFile, renderChart(compareChart(rows, compareChartTitle(count, noun, fixedLatency, png))), tempPrefixFor());
        log(`Chart written to ${options.chart}`);
      } catch (error) {
        // Its folder may have gone during the runs: the table is still worth having.
        log(`flags: cannot write the chart to ${options.chart}: ${(error as Error).message}`);
        chartFailed = true;
      }
    }
    if (timelines !== undefined) log(`Timelines written to ${timelines}, one per config from its last run`);
    const summary: CompareSummary = {
      flags: count,
      server: from,
      latencyMs: latencyMs ?? null,
      png: png ?? null,
      repeat,
      interrupted: signal.aborted,
      baseline: baselineOf(rows)?.label ?? null,
      rows,
    };
    const bound = spec ? boundNote(spec, latencyMs) : 'No bound: the latency of the servers of a list is not known here.';
    return { summary, boundNote: bound, chartFailed };
  } finally {
    await source?.close();
  }
}

/** Without a caller's relay, `signal` stops the run in progress as Ctrl-C would. */
function relayOf(signal: AbortSignal): SignalRelay {
  const relay = new SignalRelay();
  signal.addEventListener('abort', () => relay.send('SIGINT'), { once: true });
  return relay;
}

function boundNote(spec: FlagSourceSpec, latencyMs: number | undefined): string | undefined {
  if (latencyMs !== undefined) return undefined;
  if (!('embedded' in spec)) return 'No bound: the latency of a real server is not known here.';
  const { jitterMs } = spec.embedded;
  if (jitterMs > 0) return `No bound: with --jitter ${jitterMs} the latency varies from answer to answer (--jitter 0 makes the bound exact).`;
  return 'No bound: the server answers without latency, so the time is all overhead (--latency gives it one).';
}
