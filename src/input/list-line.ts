import { givenNameProblem } from './file-names.js';

/** What one line of a URL list says: a URL (its fragment dropped) and perhaps the name to save it as, or why it cannot be used. */
export type ListLine = { url: URL; name?: string } | { problem: string };

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it matches
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * Reads one line of a URL list: an absolute http:// or https:// URL, then optionally, after
 * whitespace, the name to save it as (the rest of the line, trimmed, so a name may hold spaces; a
 * `#` there is part of the name). Undefined for a blank line or a comment (`#` first, after
 * optional whitespace), which say nothing.
 */
export function parseListLine(text: string): ListLine | undefined {
  const line = text.trim();
  if (line === '' || line.startsWith('#')) return undefined;
  // What the decoder put for bytes that are not UTF-8 (a Latin-1 list): the URL would be another.
  if (line.includes('\uFFFD')) return { problem: 'not UTF-8 text (a list is read as UTF-8)' };
  // Old Mac line ends: the whole list would read as one line, its second URL as the first's name.
  if (line.includes('\r')) return { problem: 'a carriage return inside the line: lines ended by CR alone? End them with LF or CRLF' };
  const space = line.search(/\s/);
  const token = space === -1 ? line : line.slice(0, space);
  const name = space === -1 ? undefined : line.slice(space).trimStart();
  if (CONTROL.test(token)) return { problem: `a control character in the URL ${quote(token)}` };
  if (!/^https?:\/\//i.test(token)) {
    const scheme = /^([a-z][a-z\d+.-]*):/i.exec(token)?.[1];
    return {
      problem: scheme && !/^https?$/i.test(scheme) ? `${quote(token)}: the scheme ${scheme}: is not http or https` : `${quote(token)} is not an absolute http:// or https:// URL`,
    };
  }
  let url: URL;
  try {
    // The fragment never reaches the server: a#x and a#y are one download.
    url = new URL(token.split('#', 1)[0]!);
  } catch {
    return { problem: `${quote(token)} is not a valid URL` };
  }
  if (name === undefined) return { url };
  const problem = givenNameProblem(name);
  return problem ? { problem: `the name ${quote(name)} ${problem}` } : { url, name };
}

/** A URL or name in a message: quoted so that spaces and oddities show, and cut when long. */
const quote = (text: string) => JSON.stringify(text.length > 100 ? `${text.slice(0, 100)}…` : text);
