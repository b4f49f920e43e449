/** Redirects followed when `--max-redirects` is not given. */
export const DEFAULT_MAX_REDIRECTS = 10;

/** A redirect not followed: a loop, too many, or to another scheme than http and https. Final: the next attempt would meet it again. */
export class RedirectRefused extends Error {}

/** Where a redirect leads, or why it is not followed; `seen` gets it. */
export function nextHop(location: string, from: URL, seen: string[], maxRedirects: number): URL {
  let next: URL;
  try {
    next = new URL(location, from);
  } catch {
    throw new RedirectRefused(`redirect to ${JSON.stringify(location)}, not a URL`);
  }
  const href = withoutUserInfo(next).href;
  if (next.protocol !== 'http:' && next.protocol !== 'https:') throw new RedirectRefused(`redirect to ${href} refused: only http: and https: are followed`);
  if (seen.includes(href)) throw new RedirectRefused(`redirect loop: ${[...seen.slice(seen.indexOf(href)), href].join(' → ')}`);
  if (seen.length > maxRedirects) throw new RedirectRefused(`more than ${maxRedirects} redirects (--max-redirects), the last to ${href}`);
  seen.push(href);
  return next;
}

/** `url` without its user info: what is compared, and named in messages. */
export function withoutUserInfo(url: URL): URL {
  const bare = new URL(url);
  bare.username = '';
  bare.password = '';
  return bare;
}
