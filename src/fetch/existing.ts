import { stat } from 'node:fs/promises';
import { sha256OfFile } from '../store/checksums.js';

/**
 * When the file at `path` was last modified, or undefined when there is none to keep: no regular
 * file there, or one whose bytes lack the `sha256` that `--checksums` expects of them (kept by
 * `--update` or `--skip-existing`, it would pass for checked; it is fetched whole instead).
 */
export async function modifiedTime(path: string, sha256?: string): Promise<Date | undefined> {
  try {
    const stats = await stat(path);
    if (!stats.isFile()) return undefined;
    if (sha256 !== undefined && (await sha256OfFile(path)) !== sha256) return undefined;
    return stats.mtime;
  } catch {
    return undefined;
  }
}
