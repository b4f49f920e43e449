import { createHash } from 'node:crypto';
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import type { OutgoingHttpHeaders } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { catalogue, flagIconsSvgDir } from '../catalogue.js';
import { isCode, isServedName } from './flag-path.js';
import { flagMetadata } from './metadata.js';
import { ServerStartError } from './start-error.js';

/** A ready answer: the bytes, the headers that go with them, and what conditional requests compare. */
export interface FlagFile {
  body: Buffer;
  /** Of a 200: type, length and the validators. */
  headers: OutgoingHttpHeaders;
  /** ETag and Last-Modified alone, for a 304. */
  validators: OutgoingHttpHeaders;
  /** A strong entity tag, quotes included. */
  etag: string;
  /** The file's mtime cut to whole seconds, as HTTP dates are: ms since the epoch. */
  modifiedMs: number;
}

/** Answers by `{cc}/{name}` key. */
export type FlagFiles = ReadonlyMap<string, FlagFile>;

const contentTypes: Record<string, string> = {
  '.svg': 'image/svg+xml',
  '.gif': 'image/gif',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.json': 'application/json',
};

/** A file read from disk: its bytes and when it was last modified. */
interface Read {
  body: Buffer;
  mtimeMs: number;
}

function flagFile(name: string, { body, mtimeMs }: Read): FlagFile {
  const type = contentTypes[extname(name)] ?? 'application/octet-stream';
  // A hash of the bytes, computed once here: the same file has the same tag in every run.
  const etag = `"${createHash('sha1').update(body).digest('hex').slice(0, 16)}"`;
  const modifiedMs = Math.floor(mtimeMs / 1000) * 1000;
  const validators = { etag, 'last-modified': new Date(modifiedMs).toUTCString() };
  const headers = { 'content-type': type, 'content-length': body.length, ...validators };
  return { body, headers, validators, etag, modifiedMs };
}

/**
 * Everything is read at start: requests then never touch the disk, which keeps the server
 * fast and makes a bad folder fail at start rather than on the first request.
 */
export async function loadFlagFiles(dir?: string): Promise<FlagFiles> {
  return dir === undefined ? loadFlagIcons() : loadFolder(dir);
}

async function loadFlagIcons(): Promise<FlagFiles> {
  const root = await realpath(flagIconsSvgDir);
  const files = new Map<string, FlagFile>();
  await Promise.all(
    catalogue().map(async (country) => {
      const name = `${country.code}.svg`;
      const svg = await readContained(root, name);
      if (svg === undefined) return;
      files.set(`${country.code}/${name}`, flagFile(name, svg));
      // The metadata comes from the same package install as the SVG, so it takes the SVG's date.
      const metadata = { body: Buffer.from(JSON.stringify(flagMetadata(country))), mtimeMs: svg.mtimeMs };
      files.set(`${country.code}/metadata.json`, flagFile('metadata.json', metadata));
    }),
  );
  return files;
}

async function loadFolder(dir: string): Promise<FlagFiles> {
  let root: string;
  try {
    if (!(await stat(dir)).isDirectory()) throw new ServerStartError(`${dir} is not a folder`, 'dir');
    root = await realpath(dir);
  } catch (error) {
    if (error instanceof ServerStartError) throw error;
    const { code, message } = error as NodeJS.ErrnoException;
    throw new ServerStartError(code === 'ENOENT' ? `flag folder ${dir} does not exist` : `cannot open flag folder ${dir}: ${message}`, 'dir');
  }
  const files = new Map<string, FlagFile>();
  try {
    for (const cc of (await readdir(root)).filter(isCode)) {
      const names = await readdir(join(root, cc)).catch(skipNonFolder);
      await Promise.all(
        names
          .filter((name) => isServedName(cc, name))
          .map(async (name) => {
            const read = await readContained(root, join(cc, name));
            if (read !== undefined) files.set(`${cc}/${name}`, flagFile(name, read));
          }),
      );
    }
  } catch (error) {
    throw new ServerStartError(`cannot read flag folder ${dir}: ${(error as Error).message}`, 'dir');
  }
  if (files.size === 0) {
    throw new ServerStartError(`no flags in ${dir}: expected files such as ${join(dir, 'br', 'br.gif')}`, 'dir');
  }
  return files;
}

function skipNonFolder(error: NodeJS.ErrnoException): string[] {
  if (error.code === 'ENOTDIR') return [];
  throw error;
}

/**
 * The bytes and mtime of `root/relative`, or undefined when it is no regular file or resolves
 * (through a symlink) outside `root`, which must itself be a realpath.
 */
async function readContained(root: string, relative: string): Promise<Read | undefined> {
  let path: string;
  try {
    path = await realpath(resolve(root, relative));
  } catch {
    return undefined; // a dangling symlink: nothing to serve
  }
  if (!path.startsWith(root + sep)) return undefined;
  const stats = await stat(path);
  return stats.isFile() ? { body: await readFile(path), mtimeMs: stats.mtimeMs } : undefined;
}
