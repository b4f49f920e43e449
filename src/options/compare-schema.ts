import type { Mode, Partition } from '../types.js';
import { choiceList, countList, text, wholeNumber } from './checks.js';
import { downloadSchema, MODES, PARTITIONS } from './download-schema.js';
import { option } from './schema.js';
import { serverKnobs } from './server-schema.js';

/** What `compare()` and `flags compare` take: their own options, and a download's that every run of the comparison is given. */
export const compareSchema = {
  /** Thread counts to compare, e.g. `[1, 2, 4]` or `'1,2,4'` (default: doublings up to the number of flags, at most 64). */
  threads: option<number[], string | readonly number[]>({
    type: 'text',
    check: countList,
    describe: 'Thread counts to compare, e.g. 1,2,4,8,16,20 [default: doublings up to the number of flags, at most 64]',
    group: 'compare',
  }),
  /** Modes to compare (default `threads`): `async` at the same requests in flight as each thread count, `sequential` the baseline. */
  modes: option<Mode[], string | readonly Mode[]>({
    type: 'text',
    check: choiceList(MODES),
    default: 'threads',
    describe: 'Modes to compare: threads, async (at the same requests in flight as each thread count), sequential (the baseline)',
    group: 'compare',
  }),
  /** How threads mode splits the items, or several ways to compare (default `dynamic`). */
  partition: option<Partition[], string | readonly Partition[]>({
    type: 'text',
    check: choiceList(PARTITIONS),
    default: 'dynamic',
    describe: 'How threads mode splits the codes, or a list of ways to compare: dynamic, chunks, round-robin',
    group: 'compare',
  }),
  /** Requests in flight per worker thread (default 1). */
  concurrency: { ...downloadSchema.concurrency, describe: 'Requests in flight per worker thread [number]' },
  /** Timed runs of each config, in interleaved order (default 3). */
  repeat: option({ type: 'number', check: wholeNumber(), default: 3, describe: 'Timed runs of each config, in interleaved order [number]', group: 'compare' }),
  /** Also draw wall time against threads into this SVG file. */
  chart: option({ type: 'text', check: text, describe: 'Also draw wall time against threads, with the bound, into this SVG file', group: 'compare' }),
  /** Every run also renders each flag to a PNG this many px wide: the CPU stage. */
  png: {
    ...downloadSchema.png,
    describe: 'Every run also renders each flag to a PNG this many px wide, on the thread that downloaded it: the CPU stage [number]',
  },
  /** A folder (created when missing) for one timeline per config, from its last run. */
  timelines: option({
    type: 'text',
    check: text,
    describe: 'Write one timeline per config into this folder (created when missing), from its last run: <config>.svg',
    group: 'compare',
  }),
  codes: downloadSchema.codes,
  all: downloadSchema.all,
  every: downloadSchema.every,
  limit: downloadSchema.limit,
  /** Compare on the files of this URL list (a path; every run reads it) instead of flags. */
  input: option({
    type: 'text',
    alias: 'i',
    check: text,
    describe: 'Compare on the files of this URL list instead of flags (a file: every run reads it); no bound, their latency is not known',
    group: 'input',
  }),
  /** With `input`: how files are named in each run, `flat` (the default) or `tree`. */
  layout: { ...downloadSchema.layout, describe: 'With --input: how files are named in each run (see flags --help) [choices: "flat", "tree"]' },
  /** With `input`: a URL that answers 404 is not found in every run, instead of an error that fails the run. */
  allowMissing: {
    ...downloadSchema.allowMissing,
    describe: 'With --input: a URL that answers 404 is not found in every run, instead of an error that leaves the run out of the times',
  },
  /** One server for every run: an embedded profile (`local`, `delay`, the default, `error`) or a base URL. Not with `input`. */
  server: {
    ...downloadSchema.server,
    describe: 'One server for every run: an embedded profile (local, delay, error) or the base URL of any server with {URL}/{cc}/{cc}.{ext} [default: delay; not with --input]',
  },
  /** Hold each embedded answer this many ms (default: local 0, delay and error 300). */
  latency: { ...serverKnobs.latency, describe: 'Hold each embedded answer this many ms [number] [default: local 0, delay and error 300]' },
  /** Spread the embedded server's hold by ± this many ms (default 0 here, so that the bound is exact). */
  jitter: { ...serverKnobs.jitter, describe: "Spread the embedded server's hold by ± this many ms [number] [default: 0 here, so that the bound is exact]" },
  errorRate: serverKnobs.errorRate,
  seed: serverKnobs.seed,
  ext: downloadSchema.ext,
  timeout: downloadSchema.timeout,
};
