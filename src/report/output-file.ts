import { rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { errorCode, proveWritable } from '../store/destination.js';
import { OptionError } from '../errors.js';
import { writeNewFile } from '../store/exclusive-file.js';

/**
 * Checks, before any work, that a file given with `option` can be written where asked: its
 * folder exists and takes a file, and the path is no folder. Returns its absolute path.
 */
export async function checkOutputFile(option: string, path: string): Promise<string> {
  const file = resolve(path);
  const folder = dirname(file);
  try {
    if (!(await stat(folder)).isDirectory()) throw Object.assign(new Error('not a folder'), { code: 'ENOTDIR' });
    await proveWritable(folder);
  } catch (error) {
    throw new OptionError(option, `${path}: cannot write to the folder ${folder}: ${errorCode(error)}`);
  }
  if (
    await stat(file).then(
      (stats) => stats.isDirectory(),
      () => false,
    )
  )
    throw new OptionError(option, `${path}: is a folder, not a file name`);
  return file;
}

/** Writes `text` to a temporary name beside `file` (this run's `tempPrefix`), then renames it: the file appears whole or not at all. */
export async function writeWhole(file: string, text: string, tempPrefix: string): Promise<void> {
  const temp = await writeNewFile(join(dirname(file), `${tempPrefix}${basename(file)}`), text);
  try {
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
