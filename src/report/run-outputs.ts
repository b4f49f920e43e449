import { join } from 'node:path';
import { formatChecksums } from '../store/checksums.js';
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
  /** Why it could not be written. */
  error?: string;
}

/** `sha256`: the manifest of every file of the run that has a digest, written whole in dest. */
export async function writeSums(report: RunReport, dest: string, tempPrefix: string): Promise<RunOutput> {
  const checksums = report.results.flatMap(({ file, sha256 }) => (sha256 === undefined ? [] : [{ file, sha256 }]));
  const path = join(dest, SUMS_FILE);
  try {
    await writeWhole(path, formatChecksums(checksums), tempPrefix);
    return { kind: 'checksums', path, written: true, files: checksums.length };
  } catch (error) {
    return { kind: 'checksums', path, written: false, error: (error as Error).message };
  }
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
