import fetch, { type Response } from 'node-fetch';
import { agentFor } from './agents.js';
import { redact, SECRET_HEADERS } from '../report/redact.js';
import { DEFAULT_MAX_REDIRECTS, nextHop, withoutUserInfo } from './redirects.js';
import type { FetchOptions } from '../types.js';

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** How much of an unwanted body (an error page, a redirect's) is read to keep its socket; past it the socket goes. */
const DRAIN_LIMIT = 64 * 1024;

/** The answer at the end of the redirects, where it came from when that is not the URL asked for, and the proxy it came through. */
export interface Answer {
  response: Response;
  finalUrl?: string;
  /** Redacted. */
  proxy?: string;
}

type RequestSettings = Pick<FetchOptions, 'ca' | 'insecure' | 'proxy' | 'headers' | 'maxRedirects'>;

/**
 * A GET of `url` with flags' own `headers` and the run's (`--header`, `--user-agent`), following
 * redirects as curl `--location` does: up to `maxRedirects`, to http: and https: only. User info
 * in a URL is sent as Basic auth, never in the URL; it, and the Authorization, Proxy-Authorization
 * and Cookie headers, go to the first URL's origin only, never on to another host after a
 * redirect. A network failure through a proxy names the proxy (`error.proxy`).
 */
export async function get(url: string, headers: Record<string, string>, settings: RequestSettings, signal: AbortSignal): Promise<Answer> {
  const first = new URL(url);
  const seen = [withoutUserInfo(first).href];
  for (let current = first; ; ) {
    const target = withoutUserInfo(current);
    const sameOrigin = target.origin === first.origin;
    const { agent, proxy } = await agentFor(target, settings);
    // The first URL's user info holds for its origin; a redirect that names its own is taken at its word.
    const authorization = basicAuth(current) ?? (sameOrigin ? basicAuth(first) : undefined);
    const init = { agent, signal, headers: requestHeaders(headers, settings.headers ?? [], authorization, sameOrigin), compress: false, redirect: 'manual' as const };
    const response = await fetch(target.href, init).catch((error: unknown) => {
      throw proxy === undefined ? error : Object.assign(error as Error, { proxy });
    });
    const location = REDIRECTS.has(response.status) ? response.headers.get('location') : null;
    if (location === null) return { response, ...(current === first ? {} : { finalUrl: target.href }), ...(proxy === undefined ? {} : { proxy: redact(proxy) }) };
    await drain(response);
    current = nextHop(location, target, seen, settings.maxRedirects ?? DEFAULT_MAX_REDIRECTS);
  }
}

/**
 * flags' own headers, then the run's: the first of a name replaces flags' (User-Agent), a name
 * given again is sent again. Credential headers only to `sameOrigin`. As name-value pairs, which
 * node-fetch copies more cheaply than a Headers of its own (every request builds these).
 */
function requestHeaders(own: Record<string, string>, extra: readonly (readonly [string, string])[], authorization: string | undefined, sameOrigin: boolean): [string, string][] {
  let pairs: [string, string][] = Object.entries(own);
  if (authorization !== undefined) pairs.push(['authorization', authorization]);
  const given = new Set<string>();
  for (const [name, value] of extra) {
    const lower = name.toLowerCase();
    if (!sameOrigin && SECRET_HEADERS.includes(lower)) continue;
    if (!given.has(lower)) pairs = pairs.filter(([other]) => other.toLowerCase() !== lower);
    pairs.push([name, value]);
    given.add(lower);
  }
  return pairs;
}

/** A URL's user info as a Basic Authorization header, decoded as curl does: node-fetch refuses a URL that holds it. */
function basicAuth(url: URL): string | undefined {
  if (url.username === '' && url.password === '') return undefined;
  return `Basic ${Buffer.from(`${decoded(url.username)}:${decoded(url.password)}`).toString('base64')}`;
}

/** Percent-decoded; a `%` that starts no escape stays as typed, as curl leaves it. */
function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * Reads an unwanted body to its end, so that its keep-alive socket can serve the next request; one
 * too long to be an error page is dropped with its socket instead of held or read for ever.
 */
export async function drain(response: Response): Promise<void> {
  let bytes = 0;
  try {
    for await (const chunk of response.body! as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      if (bytes > DRAIN_LIMIT) break;
    }
  } catch {
    // The status already decides the outcome; a broken body changes nothing.
  }
}

/** A failure's proxy, named in its message, redacted. */
export const proxyOf = (error: unknown): string | undefined => {
  const proxy = (error as { proxy?: unknown } | null)?.proxy;
  return typeof proxy === 'string' ? redact(proxy) : undefined;
};
