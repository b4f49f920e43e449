import { stat } from 'node:fs/promises';

/** When the file at `path` was last modified, or undefined when there is no regular file there. */
export async function modifiedTime(path: string): Promise<Date | undefined> {
  try {
    const stats = await stat(path);
    return stats.isFile() ? stats.mtime : undefined;
  } catch {
    return undefined;
  }
}
