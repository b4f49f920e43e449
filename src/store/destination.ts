import { lstat, mkdir, readdir, rm, stat, unlink } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { OptionError, type OptionNames } from '../errors.js';
import { writeNewFile } from './exclusive-file.js';

/**
 * Creates the destination folder if needed and proves it writable by writing a probe file, so that
 * a bad destination is reported before any download starts. Returns its absolute path.
 * `option` is the one that named it: `dest`, the destination, or another folder's.
 */
export async function prepareDestination(dest: string, option = 'dest'): Promise<string> {
  const folder = resolve(dest);
  try {
    await makeFolder(folder);
    await proveWritable(folder);
  } catch (error) {
    const what = (name: OptionNames) => (option === 'dest' ? 'destination' : `${name(option)} folder`);
    throw new OptionError(option, (name) => `cannot write to ${what(name)} ${folder}: ${errorCode(error)}`);
  }
  return folder;
}

/**
 * Writes and removes a probe file: only a write proves a folder writable (a read-only mount, a full
 * disk). The probe is a new file of its own, so that whatever is planted at its name stays untouched.
 */
export async function proveWritable(folder: string): Promise<void> {
  await rm(await writeNewFile(join(folder, `.flags-probe-${process.pid}`), ''));
}

export const errorCode = (error: unknown) => (error as NodeJS.ErrnoException).code ?? (error as Error).message;

/** Runs begun by this process: two at once in one process (the library) never share a prefix. */
let runsBegun = 0;

/**
 * A name prefix that marks this run's temporary files, and only this run's: the process, then this
 * process's run and a random part against a pid that a later process reuses. Math.random, not
 * node:crypto, which would cost every run some 7 ms of its start for a name nobody has to guess.
 */
export function tempPrefixFor(): string {
  const random = Math.floor(Math.random() * 0x1000000)
    .toString(16)
    .padStart(6, '0');
  return `.flags-${process.pid}-${(++runsBegun).toString(16)}${random}-`;
}

/** Removes whatever temporary files of this run are left (after an interruption or a killed worker). */
export async function sweepTempFiles(folder: string, prefix: string): Promise<number> {
  // A folder removed during the run holds nothing left to sweep.
  const names = await readdir(folder).catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? [] : Promise.reject(error)));
  const leftovers = names.filter((name) => name.startsWith(prefix));
  await Promise.all(leftovers.map((name) => rm(join(folder, name), { force: true })));
  return leftovers.length;
}

/** Our temporary names and the pid in them: `.flags-<pid>-<hex>-…` (tempPrefixFor) and `.flags-probe-<pid>…` (proveWritable). */
const TEMP_NAME = /^\.flags-(?:(\d+)-[0-9a-f]+-|probe-(\d+)(?!\d))/;

/**
 * Removes the temporary files that runs no longer alive left in `folder` (killed outright, or the
 * machine went down): our names whose pid is no live process. Nothing else is touched: not the
 * files of a live process (another run in the same folder), not a folder or FIFO of such a name,
 * not what a symlink points to (the link itself goes). Best effort: what cannot be read or
 * removed stays, and the run goes on.
 */
export async function sweepStaleTempFiles(folder: string): Promise<void> {
  const names = await readdir(folder).catch(() => [] as string[]);
  await Promise.all(
    names.map(async (name) => {
      const match = TEMP_NAME.exec(name);
      if (match === null || isAlive(Number(match[1] ?? match[2]))) return;
      const path = join(folder, name);
      const stats = await lstat(path).catch(() => undefined);
      if (stats?.isFile() || stats?.isSymbolicLink()) await unlink(path).catch(() => {});
    }),
  );
}

/** Whether `pid` may be a live process: only ESRCH proves it gone (EPERM is another user's process, and a pid that is no pid is kept). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errorCode(error) !== 'ESRCH';
  }
}

/**
 * `mkdir -p`, one level at a time: Node 20's `mkdir(..., { recursive: true })` spins forever on
 * paths such as /proc/x, where mkdir answers ENOENT although the parent exists.
 */
async function makeFolder(folder: string): Promise<void> {
  const exists = await stat(folder).then(
    (stats) => stats.isDirectory() || Promise.reject(Object.assign(new Error('not a folder'), { code: 'ENOTDIR' })),
    () => false,
  );
  if (exists) return;
  if (dirname(folder) !== folder) await makeFolder(dirname(folder));
  await mkdir(folder).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
}
