import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { errorCode } from '../store/destination.js';
import { PART_SUFFIXES, SUMS_FILE } from '../store/reserved-names.js';
import { OptionError } from '../errors.js';
import { fileNameFor, type Layout } from './file-names.js';
import { parseListLine } from './list-line.js';
import { textLines } from './text-lines.js';

/** One download of a list: the URL, the file it is saved as (relative to dest, `/`-separated), and the line that asked for it. */
export interface ListItem {
  url: string;
  file: string;
  line: number;
}

export interface ListOptions {
  layout: Layout;
  /** Keep only the first this many items (after duplicates are dropped). */
  limit?: number;
  /** What the list `-` reads; standard input unless given. */
  stdin?: Readable;
  /** `--sha256`: dest holds its manifest, which no item may write. */
  sums?: boolean;
  /** `--continue`: an item's `.part` and `.part.json` lie beside it, which no other item may write. */
  parts?: boolean;
  /** The lines came as they are (the library's array in `stdin`): messages name no file, not even `-`. */
  given?: boolean;
}

/** How many problems a usage error lists; the rest are counted. */
const SHOWN = 10;

/**
 * Reads the URL list `list` (a path, or `-` for standard input) line by line and checks every line
 * before anything is downloaded. A URL listed twice is one item (the first line's), unless the two
 * lines save it under different names. Bad lines, and two items that would write one file (or a
 * file where another needs a folder), are an OptionError that lists the first ten. The whole list is
 * checked even with `limit`, so that a trial run with a limit reports what the full run would.
 * Returns the items in list order.
 */
export async function readUrlList(list: string, { layout, limit, stdin, sums = false, parts = false, given = false }: ListOptions): Promise<ListItem[]> {
  const check = new ListCheck(layout, sums, parts);
  const refusal = (problem: string) => new OptionError('input', (name) => `${name('input')}${given ? '' : ` ${list}`}: ${problem}`);
  let number = 0;
  try {
    // process.stdin is opened only when read: merely touching it sets up a handle.
    for await (const lines of textLines(list === '-' ? (stdin ?? process.stdin) : createReadStream(list))) {
      for (const line of lines) check.add(line, ++number);
    }
  } catch (error) {
    throw refusal(`cannot read it (${errorCode(error)})`);
  }
  if (check.problemCount > 0) {
    const more = check.problemCount - check.shown.length;
    const lines = [...check.shown, ...(more > 0 ? [`and ${more} more`] : [])];
    throw refusal(`${check.problemCount} ${check.problemCount === 1 ? 'problem' : 'problems'}, nothing downloaded:\n  ${lines.join('\n  ')}`);
  }
  if (check.items.length === 0) throw refusal('no URL in it');
  return limit === undefined ? check.items : check.items.slice(0, limit);
}

/** The checks that span lines: duplicates, and files that would overwrite each other. */
class ListCheck {
  readonly items: ListItem[] = [];
  readonly shown: string[] = [];
  problemCount = 0;
  private readonly byUrl = new Map<string, ListItem>();
  private readonly files = new Map<string, ListItem>();
  /** Every folder some item's file lies in, with the first such item. */
  private readonly folders = new Map<string, ListItem>();

  constructor(
    private readonly layout: Layout,
    private readonly sums: boolean,
    private readonly parts: boolean,
  ) {}

  add(text: string, line: number): void {
    const parsed = parseListLine(text);
    if (parsed === undefined) return;
    const problem =
      'problem' in parsed ? `line ${line}: ${parsed.problem}` : this.accept({ url: parsed.url.href, file: parsed.name ?? fileNameFor(parsed.url, this.layout), line });
    if (problem) this.problem(problem);
  }

  /** Keeps `item` unless its URL came before (then it must be the same file) or its file clashes with another; says why not. */
  private accept(item: ListItem): string | undefined {
    const same = this.byUrl.get(item.url);
    if (same) return same.file === item.file ? undefined : `line ${same.line} and line ${item.line} list ${item.url} as two files: ${same.file} and ${item.file}`;
    const clash = this.clash(item);
    if (clash) return clash;
    this.byUrl.set(item.url, item);
    this.files.set(item.file, item);
    for (const folder of foldersOf(item.file)) if (!this.folders.has(folder)) this.folders.set(folder, item);
    this.items.push(item);
    return undefined;
  }

  /** Why `item` cannot be written beside the items before it, if it cannot. */
  private clash(item: ListItem): string | undefined {
    const hint = this.layout === 'flat' ? ' (give one a name, or use --layout tree)' : ' (give one a name)';
    const twin = this.files.get(item.file);
    if (twin) return `line ${twin.line} and line ${item.line} both write ${item.file}${hint}`;
    const inside = this.folders.get(item.file);
    if (inside) return `line ${inside.line} writes ${inside.file}, so line ${item.line} cannot write a file ${item.file}`;
    const blocking = foldersOf(item.file).find((folder) => this.files.has(folder));
    if (blocking) return `line ${this.files.get(blocking)!.line} writes a file ${blocking}, so line ${item.line} cannot write ${item.file}`;
    if (this.sums && item.file === SUMS_FILE) return `line ${item.line} writes ${SUMS_FILE}, where --sha256 writes its manifest (give it another name)`;
    if (this.parts) return this.partClash(item, hint);
    return undefined;
  }

  /** With --continue, a file must not be another's `.part` (or `.part.json`), which the run would take for a partial download of it. */
  private partClash(item: ListItem, hint: string): string | undefined {
    for (const suffix of PART_SUFFIXES) {
      const owner = item.file.endsWith(suffix) ? this.files.get(item.file.slice(0, -suffix.length)) : undefined;
      if (owner) return `line ${owner.line} writes ${owner.file}, whose ${suffix} --continue keeps beside it, so line ${item.line} cannot write ${item.file}${hint}`;
      const part = this.files.get(`${item.file}${suffix}`);
      if (part) return `line ${part.line} writes ${part.file}, the ${suffix} that --continue keeps for line ${item.line}'s ${item.file}${hint}`;
    }
    return undefined;
  }

  private problem(message: string): void {
    this.problemCount += 1;
    if (this.shown.length < SHOWN) this.shown.push(message);
  }
}

/** `a/b/c.jpg` → `a`, `a/b`. */
function foldersOf(file: string): string[] {
  const folders: string[] = [];
  for (let slash = file.indexOf('/'); slash !== -1; slash = file.indexOf('/', slash + 1)) folders.push(file.slice(0, slash));
  return folders;
}
