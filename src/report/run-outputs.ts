import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { formatChecksums, parseChecksums } from '../store/checksums.js';
import { SUMS_FILE } from '../store/reserved-names.js';
import type { ItemNoun } from '../input/items.js';
import { writeWhole } from './output-file.js';
import type { RunReport } from '../types.js';

/** A file a run writes besides its downloads, once they are done: whether it was, and why not. */
export interface RunOutput {
  /** `checksums`: SHA256SUMS in the destination (`sha256`); `timeline`: the SVG asked for with `timeline`. */
  kind: 'checksums' | 'timeline';
  /** Its absolute path. */
  path: string;
  /** False for a timeline of a run in which nothing finished, and for a file that could not be written (`error`). */
  written: boolean;
  /** How many files SHA256SUMS lists. */
  files?: number;
  /** Of those, how many lines it kept from the SHA256SUMS there before: files this run did not download again. */
  kept?: number;
  /** Why it could not be written. */
  error?: string;
}

/**
 * `sha256`: the manifest of every file of the run that has a digest, written whole in dest. The
 * lines of the SHA256SUMS there before stay for the files this run did not download again (it
 * failed, was interrupted, or never asked for them): a run never replaces a file but with a whole
 * download, so their digests still hold. A manifest there that cannot be read as one is left as
 * it is, and named.
 */
export async function writeSums(report: RunReport, dest: string, tempPrefix: string): Promise<RunOutput> {
  const path = join(dest, SUMS_FILE);
  try {
    const sums = await earlierSums(path);
    const before = sums.size;
    let replaced = 0;
    for (const { file, sha256 } of report.results) {
      if (sha256 === undefined) continue;
      if (sums.has(file)) replaced++;
      sums.set(file, sha256);
    }
    await writeWhole(path, formatChecksums([...sums].map(([file, sha256]) => ({ file, sha256 }))), tempPrefix);
    return { kind: 'checksums', path, written: true, files: sums.size, kept: before - replaced };
  } catch (error) {
    return { kind: 'checksums', path, written: false, error: (error as Error).message };
  }
}

/** The digests of the manifest already in dest; none when there is none. */
async function earlierSums(path: string): Promise<Map<string, string>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
    throw error;
  }
  const { sums, problems } = parseChecksums(text);
  if (problems.length > 0) throw new Error(`it holds what is not a manifest, left as it is (${problems[0]})`);
  return sums;
}

/** `timeline`: loaded only when asked for, so that a run without it does not pay for it. */
export async function writeTimeline(report: RunReport, path: string, tempPrefix: string, noun: ItemNoun): Promise<RunOutput> {
  if (report.results.length === 0) return { kind: 'timeline', path, written: false };
  const [{ runTimeline }, { timelineSvg }] = await Promise.all([import('./run-timeline.js'), import('./timeline-svg.js')]);
  try {
    await writeWhole(path, timelineSvg(runTimeline(report, noun)), tempPrefix);
    return { kind: 'timeline', path, written: true };
  } catch (error) {
    return { kind: 'timeline', path, written: false, error: (error as Error).message };
  }
}
