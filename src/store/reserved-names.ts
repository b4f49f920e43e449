/**
 * The names a run writes in the destination besides the files it downloads, which no item of a
 * list may take: kept apart from the modules that write them, so that a list's check loads neither.
 */

/** The manifest `--sha256` writes in the destination, named as sha256sum's users expect. */
export const SUMS_FILE = 'SHA256SUMS';

/** What `--continue` keeps beside a file it has not finished: its bytes, what they came from, and which run writes them. */
export const PART_SUFFIXES = ['.part', '.part.json', '.part.lock'] as const;
