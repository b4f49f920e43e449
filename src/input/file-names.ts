/**
 * Where a URL of a list is saved: `flat` puts every file straight in dest under the last segment
 * of its path; `tree` writes `{host}/{path}` below dest, as `wget -x` does.
 */
export type Layout = 'flat' | 'tree';

/** The longest name, in UTF-8 bytes, that ext4, XFS, Btrfs, APFS and NTFS all take. */
export const MAX_NAME_BYTES = 255;

/** What the last segment becomes when the path gives none (`http://host/`, `/dir/`, `/..`). */
const INDEX_NAME = 'index.html';

/**
 * Characters replaced by `_` in names taken from URLs: the separators, NUL, C0 controls and DEL,
 * which no common file system takes, and also `<>:"|?*`, which Windows refuses (and where `a:b`
 * would open a hidden stream of `a`), so that one list gives the same files on every system.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it matches
const UNSAFE = /[/\\<>:"|?*\u0000-\u001f\u007f]/g;

/** A given name's segment cannot hold these: NUL and the controls, and `\`, a separator on Windows. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it matches
const UNSAFE_GIVEN = /[\\\u0000-\u001f\u007f]/;

/**
 * The file, relative to dest and `/`-separated, that `url` is saved as when the list gives no name.
 * Each segment is percent-decoded (a malformed escape stays as typed) and made safe; the query and
 * the fragment play no part. In `tree` layout the first segment is the host, followed by `+port`
 * when the port is not the scheme's default (`+` is valid everywhere, unlike wget's `:`).
 */
export function fileNameFor(url: URL, layout: Layout): string {
  const segments = url.pathname.split('/').slice(1);
  const last = safeSegment(segments.pop() ?? '') || INDEX_NAME;
  if (layout === 'flat') return last;
  const host = safeSegment(url.port ? `${url.hostname}+${url.port}` : url.hostname);
  // WHATWG URL parsing already resolved `.` and `..` (encoded too); an empty folder (`a//b`) is dropped.
  const folders = segments.map(safeSegment).filter((segment) => segment !== '');
  return [host, ...folders, last].join('/');
}

/**
 * Why `name`, a name given in a list, cannot be used as a file relative to dest (a phrase that
 * follows the name in a message), or undefined when it can. It is taken as typed (not
 * percent-decoded): relative, `/`-separated, no segment empty, `.` or `..`, none over 255 bytes,
 * no control character and no `\`.
 */
export function givenNameProblem(name: string): string | undefined {
  if (name.startsWith('/') || /^[a-z]:/i.test(name)) return 'is absolute: names are relative to the destination';
  for (const segment of name.split('/')) {
    if (segment === '' || segment === '.' || segment === '..') return "has an empty, '.' or '..' segment: names stay inside the destination";
    if (UNSAFE_GIVEN.test(segment)) return "holds a control character or '\\'";
    if (Buffer.byteLength(segment) > MAX_NAME_BYTES) return `has a segment over ${MAX_NAME_BYTES} bytes`;
  }
  return undefined;
}

/** One path segment of a URL as a file or folder name: decoded, unsafe characters replaced, cut to 255 bytes; '' when nothing usable is left. */
function safeSegment(raw: string): string {
  const name = (raw.includes('%') ? percentDecode(raw) : raw).replace(UNSAFE, '_');
  return name === '.' || name === '..' ? '' : fitBytes(name, MAX_NAME_BYTES);
}

/**
 * Cuts `name` to at most `max` UTF-8 bytes at a character boundary, keeping its extension (the part
 * from the last dot, when short enough to leave room for a stem).
 */
function fitBytes(name: string, max: number): string {
  // No UTF-16 unit takes more than 3 bytes in UTF-8: most names need no count.
  if (name.length * 3 <= max || Buffer.byteLength(name) <= max) return name;
  const dot = name.lastIndexOf('.');
  const extension = dot > 0 && Buffer.byteLength(name.slice(dot)) <= 16 ? name.slice(dot) : '';
  return cutBytes(name.slice(0, name.length - extension.length), max - Buffer.byteLength(extension)) + extension;
}

function cutBytes(text: string, max: number): string {
  let bytes = 0;
  let end = 0;
  // Iterating a string walks code points, so a surrogate pair is never split.
  for (const character of text) {
    bytes += Buffer.byteLength(character);
    if (bytes > max) break;
    end += character.length;
  }
  return text.slice(0, end);
}

/**
 * Decodes `%XX` escapes that form UTF-8; any other `%` (`%zz`, `%E2%82` cut short, a lone `%FF`)
 * stays as typed, where `decodeURIComponent` would throw on the whole segment.
 */
function percentDecode(text: string): string {
  return text.replace(/(?:%[0-9a-f]{2})+/gi, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return decodeRunByBytes(run);
    }
  });
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function decodeRunByBytes(run: string): string {
  const bytes = Buffer.from(run.replaceAll('%', ''), 'hex');
  let text = '';
  for (let at = 0; at < bytes.length; ) {
    const length = sequenceLength(bytes[at]!);
    const character = length > 0 && at + length <= bytes.length ? tryDecode(bytes.subarray(at, at + length)) : undefined;
    if (character === undefined) {
      text += run.slice(at * 3, at * 3 + 3);
      at += 1;
    } else {
      text += character;
      at += length;
    }
  }
  return text;
}

/** How many bytes the UTF-8 sequence that starts with `lead` has; 0 for a byte that starts none. */
function sequenceLength(lead: number): number {
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 0;
}

function tryDecode(bytes: Uint8Array): string | undefined {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}
