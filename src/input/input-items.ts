import type { Readable } from 'node:stream';
import { OptionError } from '../errors.js';
import type { Layout } from './file-names.js';
import type { Item } from '../types.js';

/** What only a flags run takes, each refused beside `input`. */
const FLAGS_ONLY = ['all', 'every', 'server', 'latency', 'jitter', 'errorRate', 'seed', 'png'] as const;

/** The options of a command that may take `input` instead of flags. */
export type InputArgs = { codes?: readonly string[]; layout: Layout; limit?: number; sha256?: boolean; continue?: boolean } & Partial<Record<(typeof FLAGS_ONLY)[number], unknown>>;

/**
 * The options that choose, serve or render flags are usage errors beside `--input`: its URLs are
 * absolute, so no server starts. Checked before the list is read.
 */
export function checkInputOptions(argv: InputArgs): void {
  const codes = argv.codes ?? [];
  if (codes.length > 0) throw new OptionError('codes', (name) => `codes (${codes.join(' ')}) cannot be combined with ${name('input')}: the list says what to download`);
  const given = FLAGS_ONLY.find((option) => argv[option] !== undefined && argv[option] !== false);
  if (given === 'png') throw new OptionError('png', (name) => `${name('png')} renders the flags' SVGs: it cannot be used with ${name('input')}`);
  if (given) throw new OptionError(given, (name) => `${name(given)} selects or serves flags: it cannot be used with ${name('input')}, whose URLs are absolute`);
}

/** The options that only a list's run reads: given to a flags run, they would change nothing, silently. */
export function checkListOnlyOptions({ layout, allowMissing }: { layout: Layout; allowMissing: boolean }): void {
  if (layout !== 'flat') throw new OptionError('layout', (name) => `${name('layout')} ${layout} names the files of ${name('input')}: a flag is saved as {cc}.{ext}`);
  if (allowMissing)
    throw new OptionError('allowMissing', (name) => `${name('allowMissing')} is for ${name('input')}: a flag's 404 is always an answer (not found), never a failure`);
}

/**
 * `--input`: the list's items, every line checked (an OptionError lists the bad ones), for the
 * download and compare commands alike, after `checkInputOptions`. `lines`: a list given as an array (the
 * library's), read instead of `input`, which its messages then do not name.
 */
export async function readInputItems(input: string, argv: InputArgs, lines?: Readable): Promise<Item[]> {
  checkInputOptions(argv);
  // The list reader loads only for a list: a flags run, --help and --version never pay for it.
  const { readUrlList } = await import('./url-list.js');
  return readUrlList(input, { layout: argv.layout, limit: argv.limit, stdin: lines, given: lines !== undefined, sums: argv.sha256, parts: argv.continue });
}
