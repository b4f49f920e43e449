import { lstat, mkdir, realpath } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { errorCode } from './destination.js';

/**
 * Makes `file` (relative to `dest`, `/`-separated) ready to be written: creates its missing parent
 * folders one level at a time, and refuses (an Error naming the file and why) a name that is not a
 * plain relative path, or an existing component that is not a folder, or a symlink that leads
 * outside dest. A symlink to a folder inside dest is followed. `dest` must be absolute and already
 * real-pathed. Returns the absolute path to write.
 */
export async function preparePathInside(dest: string, file: string): Promise<string> {
  const segments = file.split('/');
  if (segments.some((segment) => segment === '' || segment === '.' || segment === '..' || segment.includes('\\') || segment.includes('\0'))) {
    throw new Error(`cannot write ${JSON.stringify(file)}: not a plain relative path inside the destination`);
  }
  const fail = (why: string) => new Error(`cannot write ${file} in ${dest}: ${why}`);
  let path = dest;
  for (const [index, segment] of segments.entries()) {
    path = join(path, segment);
    const shown = segments.slice(0, index + 1).join('/');
    const last = index === segments.length - 1;
    const kind = await kindOf(path, dest).catch((error) => {
      throw fail(`cannot look at ${shown} (${errorCode(error)})`);
    });
    if (kind === 'outside') throw fail(`${shown} is a symlink that leads outside the destination`);
    if (last) {
      if (kind === 'folder') throw fail(`${shown} is a folder`);
    } else if (kind === 'missing') {
      await mkdir(path).catch(async (error: NodeJS.ErrnoException) => {
        // Another download may have made the same folder a moment ago; anything else is an error.
        if (error.code !== 'EEXIST' || (await kindOf(path, dest)) !== 'folder') throw fail(`cannot create the folder ${shown} (${errorCode(error)})`);
      });
    } else if (kind !== 'folder') throw fail(`${shown} exists and is not a folder`);
  }
  return path;
}

type Kind = 'missing' | 'folder' | 'other' | 'outside';

/** What is at `path`, following a symlink only when it stays inside `dest`. */
async function kindOf(path: string, dest: string): Promise<Kind> {
  const stats = await lstat(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (stats === undefined) return 'missing';
  if (!stats.isSymbolicLink()) return stats.isDirectory() ? 'folder' : 'other';
  // A dangling link resolves nowhere, so nothing proves it stays inside.
  const target = await realpath(path).catch(() => undefined);
  if (target === undefined || (target !== dest && !target.startsWith(dest.endsWith(sep) ? dest : dest + sep))) return 'outside';
  return (await lstat(target)).isDirectory() ? 'folder' : 'other';
}
