const CODE = /^[a-z]{2}$/;
const FLAG_FILE = /^([a-z]{2})\.[a-z0-9]{1,8}$/;

/** Whether `name` may be a country's folder: a lower-case two-letter code. */
export function isCode(name: string): boolean {
  return CODE.test(name);
}

/** Whether `name` may be served from the folder of code `cc`: `{cc}.{ext}` or `metadata.json`. */
export function isServedName(cc: string, name: string): boolean {
  return isCode(cc) && (name === 'metadata.json' || FLAG_FILE.exec(name)?.[1] === cc);
}

/**
 * The `{cc}/{name}` key of `/flags/{cc}/{name}`, or undefined for any other path.
 * Segments are decoded one by one after splitting, so that an encoded slash, backslash,
 * dot or NUL stays inside its segment and fails the pattern instead of changing the path's shape.
 * Throws URIError on malformed percent-encoding.
 */
export function flagKey(path: string): string | undefined {
  const segments = path.split('/');
  if (segments.length !== 4 || segments[0] !== '' || segments[1] !== 'flags') return undefined;
  const cc = decodeURIComponent(segments[2]);
  const name = decodeURIComponent(segments[3]);
  return isServedName(cc, name) ? `${cc}/${name}` : undefined;
}
