import { randomBytes } from 'node:crypto';
import { type FileHandle, open, rm } from 'node:fs/promises';

/** Names tried before giving up: a clash on a random name means someone is guessing them, not chance. */
const TRIES = 8;

/**
 * Writes `data` to a file that this call creates: at `path`, or, when anything is already there,
 * at `path` plus a random suffix (`data` may be a body's chunks). The file is created exclusively (O_CREAT|O_EXCL): an entry in the
 * way, be it a symlink planted to point outside the folder, a FIFO or a file, is never opened,
 * followed or changed, only stepped around. Returns the path written; a failed write leaves no file.
 */
export async function writeNewFile(path: string, data: string | Uint8Array | readonly Buffer[]): Promise<string> {
  const { file, created } = await createNew(path);
  try {
    // Chunks go in one gathered write, not copied into one buffer first.
    if (Array.isArray(data)) await file.writev(data);
    else await file.writeFile(data as string | Uint8Array);
    await file.close();
    return created;
  } catch (error) {
    await file.close().catch(() => {});
    await rm(created, { force: true });
    throw error;
  }
}

/**
 * Creates a file exclusively at `path`, or beside it under a random suffix when anything is in the
 * way, and gives back its open handle: for a writer that needs more than one write.
 */
export async function createNew(path: string): Promise<{ file: FileHandle; created: string }> {
  for (let tries = 1; ; tries++) {
    const candidate = tries === 1 ? path : `${path}-${randomBytes(4).toString('hex')}`;
    try {
      return { file: await open(candidate, 'wx'), created: candidate };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || tries === TRIES) throw error;
    }
  }
}
