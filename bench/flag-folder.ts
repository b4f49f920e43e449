import { copyFile, mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { catalogue, flagIconsSvgDir } from '../src/input/catalogue.js';

/** A copy of flag-icons' SVGs in the `{cc}/{cc}.svg` layout, for nginx to serve the same bytes as the embedded server. */
export async function flagFolder(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'flags-bench-www-'));
  for (const { code } of catalogue()) {
    await mkdir(join(root, code));
    await copyFile(join(flagIconsSvgDir, `${code}.svg`), join(root, code, `${code}.svg`));
  }
  return root;
}
