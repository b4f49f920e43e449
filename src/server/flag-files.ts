import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import type { OutgoingHttpHeaders } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { catalogue, flagIconsSvgDir } from '../catalogue.js';
import { isCode, isServedName } from './flag-path.js';
import { ServerStartError } from './start-error.js';

/** A ready answer: the bytes and the headers that go with them. */
export interface FlagFile {
  body: Buffer;
  headers: OutgoingHttpHeaders;
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

function flagFile(name: string, body: Buffer): FlagFile {
  const type = contentTypes[extname(name)] ?? 'application/octet-stream';
  return { body, headers: { 'content-type': type, 'content-length': body.length } };
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
      files.set(`${country.code}/metadata.json`, flagFile('metadata.json', Buffer.from(JSON.stringify(country))));
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
            const body = await readContained(root, join(cc, name));
            if (body !== undefined) files.set(`${cc}/${name}`, flagFile(name, body));
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
 * The bytes of `root/relative`, or undefined when it is no regular file or resolves (through a
 * symlink) outside `root`, which must itself be a realpath.
 */
async function readContained(root: string, relative: string): Promise<Buffer | undefined> {
  let path: string;
  try {
    path = await realpath(resolve(root, relative));
  } catch {
    return undefined; // a dangling symlink: nothing to serve
  }
  if (!path.startsWith(root + sep) || !(await stat(path)).isFile()) return undefined;
  return readFile(path);
}
