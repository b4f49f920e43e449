/** Whether `name` holds a control character, or U+FFFD: what a name that is not UTF-8 reads as, which no URL can ask for. */
function hasUnservableCharacter(name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const code = name.charCodeAt(i);
    if (code < 0x20 || code === 0x7f || code === 0xfffd) return true;
  }
  return false;
}

/**
 * Whether a file or folder of this name may be served. Dotfiles and dot-folders are not, as in
 * most static servers: a tree is often a checkout whose .git or .env nobody meant to publish.
 * Neither is a name holding a slash, a backslash or a control character: decoded from a URL, it
 * would change the shape of the path or mean something else to the file system.
 */
export function isServableName(name: string): boolean {
  return name !== '' && !name.startsWith('.') && !name.includes('/') && !name.includes('\\') && !hasUnservableCharacter(name);
}

/**
 * The decoded segments of `/{under}/{segment}/…` (of `/{segment}/…` without `under`), or undefined
 * for a path outside `under` or with a segment no served file has (empty, `.`, `..`, a dotfile, ...;
 * see isServableName).
 * Segments are decoded one by one after splitting, so that an encoded slash, backslash,
 * dot or NUL stays inside its segment and fails the check instead of changing the path's shape.
 * Throws URIError on malformed percent-encoding.
 */
export function servedSegments(path: string, under?: string): string[] | undefined {
  const [empty, ...encoded] = path.split('/');
  if (empty !== '' || (under !== undefined && encoded.shift() !== under) || encoded.length === 0) return undefined;
  const segments = encoded.map(decodeURIComponent);
  return segments.every(isServableName) ? segments : undefined;
}

/** The URL of the file at `relative` (segments joined by `/`) under `baseUrl`, each segment percent-encoded. */
export function fileUrl(baseUrl: string, relative: string): string {
  return `${baseUrl}/${relative.split('/').map(encodeURIComponent).join('/')}`;
}
