import { OptionError } from '../errors.js';

/**
 * The proxies of a run, settled on the main thread before it starts: from `--proxy`, or from the
 * environment as curl reads it. Plain data, so that it reaches the pool's threads as it is.
 */
export interface ProxySettings {
  /** The proxy of http: URLs, if any. */
  http?: string;
  /** The proxy of https: URLs (reached with CONNECT), if any. */
  https?: string;
  /** NO_PROXY: the hosts reached directly, comma- or space-separated; `*` for all. */
  noProxy?: string;
}

/** The code of a proxy's refusal of a tunnel: tried again as a connection refused is, since a proxy's load may change. */
export const PROXY_REFUSED_CODE = 'ERR_PROXY_REFUSED';

/** What a proxy URL looks like, for the messages that refuse one (with no user info, which they would redact). */
const PROXY_FORM = 'such as http://proxy.example:3128';

/**
 * The proxies of a run: `proxy` (`--proxy URL`) for every URL, none at all for `false`
 * (`--no-proxy`), or else the environment's. As curl does, a lower-case variable wins over its
 * upper-case form, ALL_PROXY stands in for a scheme without one, and NO_PROXY applies to
 * `--proxy` too. A proxy URL that is not one is an OptionError naming where it came from.
 */
export function proxySettings(proxy: string | false | undefined, env: NodeJS.ProcessEnv = process.env): ProxySettings | undefined {
  if (proxy === false) return undefined;
  const noProxy = variable(env, 'no_proxy')?.value;
  if (proxy !== undefined) return withoutEmpty({ http: proxyUrl('proxy', proxy), https: proxyUrl('proxy', proxy), noProxy });
  const from = (scheme: string) => {
    const found = variable(env, `${scheme}_proxy`) ?? variable(env, 'all_proxy');
    return found && proxyUrl('proxy', found.value, found.name);
  };
  const settings = withoutEmpty({ http: from('http'), https: from('https'), noProxy });
  return settings.http === undefined && settings.https === undefined ? undefined : settings;
}

/** The proxy a request for `url` goes through, or undefined: none applies, or NO_PROXY names its host. */
export function proxyFor(url: URL, settings: ProxySettings | undefined): string | undefined {
  const proxy = url.protocol === 'https:' ? settings?.https : settings?.http;
  if (proxy === undefined || bypassed(url, settings?.noProxy)) return undefined;
  return proxy;
}

/**
 * NO_PROXY as curl reads it, with the port of Go's and proxy-from-env's: `*` alone matches every
 * host; an entry (a leading `.` or `*.` changes nothing) matches its host and every host under it
 * (`example.com` matches `www.example.com`, not `myexample.com`); `host:port` only that port. IPv6
 * addresses go in brackets to carry a port.
 */
export function bypassed(url: URL, noProxy: string | undefined): boolean {
  if (noProxy === undefined) return false;
  const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, '');
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return noProxy
    .split(/[\s,]+/)
    .filter(Boolean)
    .some((entry) => {
      if (entry === '*') return true;
      const [, name = entry, entryPort] = /^(\[[^\]]*\]|[^:]*)(?::(\d+))?$/.exec(entry) ?? [];
      if (entryPort !== undefined && entryPort !== port) return false;
      const domain = name
        .toLowerCase()
        .replace(/^\[|\]$/g, '')
        .replace(/^\*?\./, '');
      return domain !== '' && (host === domain || host.endsWith(`.${domain}`));
    });
}

/** An environment variable by its lower-case name: the lower-case form first, as curl reads it; empty is unset. */
function variable(env: NodeJS.ProcessEnv, name: string): { name: string; value: string } | undefined {
  for (const key of [name, name.toUpperCase()]) if (env[key]) return { name: key, value: env[key]! };
  return undefined;
}

/**
 * A proxy URL, checked: http: or https:, a host, nothing after it. Without a scheme, http:// is
 * meant, as curl takes `proxy.example:3128`. A bad one is an OptionError of `option`, its message
 * naming the environment `variable` it came from, if it came from one.
 */
export function proxyUrl(option: string, text: string, variable?: string): string {
  const refuse = (why: string) => new OptionError(option, (name) => `${variable ?? name(option)} ${JSON.stringify(text)}${why}`);
  let url: URL;
  try {
    url = new URL(text.includes('://') ? text : `http://${text}`);
  } catch {
    throw refuse(` is not a proxy URL (${PROXY_FORM})`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw refuse(`: only http and https proxies are supported, not ${url.protocol}`);
  if (url.hostname === '' || url.pathname !== '/' || url.search !== '' || url.hash !== '') throw refuse(` is not a proxy URL (${PROXY_FORM})`);
  return url.href;
}

/** Only the settings given: what reaches a worker thread, and a report, says nothing of the rest. */
const withoutEmpty = (settings: ProxySettings): ProxySettings => Object.fromEntries(Object.entries(settings).filter(([, value]) => value !== undefined));
