import { createHash } from 'node:crypto';
import { readFile, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { catalogue, flagIconsSvgDir } from '../input/catalogue.js';
import { flagMetadata } from './metadata.js';
import { contentType, type FileSource, type ServedFile, wholeSeconds } from './served-file.js';
import { openTree } from './tree.js';

/** flag-icons' SVGs and their metadata, or with `dir` every file of that folder, streamed from disk. */
export async function loadFlagFiles(dir?: string): Promise<FileSource> {
  return dir === undefined ? loadFlagIcons() : openTree(dir);
}

function inMemory(name: string, body: Buffer, mtimeMs: number): ServedFile {
  // A hash of the bytes, computed once here: the same file has the same tag in every run.
  const etag = `"${createHash('sha1').update(body).digest('hex').slice(0, 16)}"`;
  return { size: body.length, type: contentType(name), etag, modifiedMs: wholeSeconds(mtimeMs), read: (start, end) => body.subarray(start, end), release() {} };
}

/**
 * Read whole at start: about 500 small files, and the metadata is made, not read. Requests then
 * never touch the disk, which keeps the default server fast.
 */
async function loadFlagIcons(): Promise<FileSource> {
  const root = await realpath(flagIconsSvgDir);
  const files = new Map<string, ServedFile>();
  await Promise.all(
    catalogue().map(async (country) => {
      const name = `${country.code}.svg`;
      const path = join(root, name);
      const [svg, { mtimeMs }] = await Promise.all([readFile(path), stat(path)]);
      files.set(`${country.code}/${name}`, inMemory(name, svg, mtimeMs));
      // The metadata comes from the same package install as the SVG, so it takes the SVG's date.
      files.set(`${country.code}/metadata.json`, inMemory('metadata.json', Buffer.from(JSON.stringify(flagMetadata(country))), mtimeMs));
    }),
  );
  const paths = [...files.keys()].sort();
  return { under: 'flags', paths, open: async (segments) => files.get(segments.join('/')) };
}
