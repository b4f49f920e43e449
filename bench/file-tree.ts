import { createCipheriv, createHash } from 'node:crypto';
import { mkdir, open, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { seededDraws } from '../src/server/seeded.js';

/** How big the files scenario's tree is. */
export interface TreeSizes {
  /** Files of the many-files set, sizes log-uniform between `smallestBytes` and `largestBytes`. */
  files: number;
  smallestBytes: number;
  largestBytes: number;
  /** The one big file, sparse. */
  bigBytes: number;
}

/** A set of files as a correct download leaves them in one folder: each name (the URL's last segment) with its size. */
export interface FileSet {
  /** The folder that holds the set, under the served root. */
  dir: string;
  /** That folder's path under the server's base URL, e.g. `many`. */
  urlPath: string;
  sizes: ReadonlyMap<string, number>;
  bytes: number;
}

/** Files written at once: enough to keep the disk busy, few enough not to hold much memory. */
const WRITERS = 8;

/**
 * Writes under `root` a tree of `sizes.files` files in 10 folders (`many/d0/f0000.bin`, ...), their
 * sizes and bytes fixed by `seed`, and one sparse file of `sizes.bigBytes` (`big/big.bin`). Names
 * are unique across folders, as every client saves a list flat, by the URL's last segment. The bytes
 * are an AES-CTR key stream (fast to make and incompressible); the big file is a hole that reads as
 * zeros, so that the server streams it from the page cache rather than the disk.
 */
export async function seededTree(root: string, sizes: TreeSizes, seed: number): Promise<{ many: FileSet; big: FileSet }> {
  const draw = seededDraws(seed, 'files', 0);
  const [low, high] = [Math.log(sizes.smallestBytes), Math.log(sizes.largestBytes)];
  const files = Array.from({ length: sizes.files }, (_, index) => ({
    folder: `d${index % 10}`,
    name: `f${String(index).padStart(4, '0')}.bin`,
    size: Math.round(Math.exp(low + draw() * (high - low))),
    index,
  }));
  const many = join(root, 'many');
  for (let folder = 0; folder < Math.min(10, sizes.files); folder++) await mkdir(join(many, `d${folder}`), { recursive: true });
  const key = createHash('sha256').update(`flags bench files ${seed}`).digest();
  let next = 0;
  const writer = async () => {
    for (let file = files[next++]; file !== undefined; file = files[next++]) {
      const iv = Buffer.alloc(16);
      iv.writeUInt32BE(file.index);
      await writeFile(join(many, file.folder, file.name), createCipheriv('aes-256-ctr', key, iv).update(Buffer.alloc(file.size)));
    }
  };
  await Promise.all(Array.from({ length: WRITERS }, writer));

  const big = join(root, 'big');
  await mkdir(big);
  const handle = await open(join(big, 'big.bin'), 'wx');
  await handle.truncate(sizes.bigBytes).finally(() => handle.close());
  return {
    many: fileSet(many, 'many', files),
    big: fileSet(big, 'big', [{ name: 'big.bin', size: sizes.bigBytes }]),
  };
}

function fileSet(dir: string, urlPath: string, files: readonly { name: string; size: number }[]): FileSet {
  return { dir, urlPath, sizes: new Map(files.map(({ name, size }) => [name, size])), bytes: files.reduce((sum, file) => sum + file.size, 0) };
}
