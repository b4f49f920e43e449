import { createReadStream } from 'node:fs';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { OptionError } from '../errors.js';

/** A file's SHA-256 and its name relative to the destination, '/'-separated. */
export interface Checksum {
  file: string;
  sha256: string;
}

const LINE = /^(\\?)([0-9a-fA-F]{64}) [ *](.+)$/;

/**
 * Reads a manifest in sha256sum's format, `HEX  NAME` (text mode) or `HEX *NAME` (binary), a
 * line starting with `\` when the name holds a backslash or a newline (escaped as sha256sum does).
 * Names are taken relative to the destination (`./x` is `x`). A bad line is a usage error that
 * names it, before anything is downloaded.
 */
export async function readChecksums(path: string): Promise<Map<string, string>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new OptionError('checksums', `${path}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  const { sums, problems } = parseChecksums(text);
  if (problems.length > 0) {
    const more = problems.length > 10 ? `\n  and ${problems.length - 10} more` : '';
    throw new OptionError(
      'checksums',
      `${path}: ${problems.length === 1 ? '1 problem' : `${problems.length} problems`}, nothing downloaded:\n  ${problems.slice(0, 10).join('\n  ')}${more}`,
    );
  }
  if (sums.size === 0) throw new OptionError('checksums', `${path}: no checksum in it`);
  return sums;
}

/** A manifest's digests by name, and what is wrong with its lines (none: it is one). */
export function parseChecksums(text: string): { sums: Map<string, string>; problems: string[] } {
  const sums = new Map<string, string>();
  const problems: string[] = [];
  for (const [index, line] of text.split(/\r?\n/).entries()) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const match = LINE.exec(line);
    if (match === null) {
      problems.push(`line ${index + 1}: not "SHA256  NAME" (64 hex digits, two spaces or " *", a name)`);
      continue;
    }
    const [, escaped, hex, name] = match as unknown as [string, string, string, string];
    const file = (escaped ? unescapeName(name) : name).replace(/^(\.\/)+/, '');
    const earlier = sums.get(file);
    if (earlier !== undefined && earlier !== hex.toLowerCase()) problems.push(`line ${index + 1}: a second, different sum for ${file}`);
    else sums.set(file, hex.toLowerCase());
  }
  return { sums, problems };
}

/** The manifest's text, sorted by name, one `HEX  NAME` line per file, that `sha256sum -c` checks. */
export function formatChecksums(checksums: readonly Checksum[]): string {
  return [...checksums]
    .sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0))
    .map(({ file, sha256 }) => (/[\\\n]/.test(file) ? `\\${sha256}  ${file.replaceAll('\\', '\\\\').replaceAll('\n', '\\n')}` : `${sha256}  ${file}`))
    .map((line) => `${line}\n`)
    .join('');
}

function unescapeName(name: string): string {
  return name.replace(/\\(.)/g, (_, char: string) => (char === 'n' ? '\n' : char));
}

/** The SHA-256 of a file already on disk, read as a stream (a kept file listed in the manifest). */
export async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
