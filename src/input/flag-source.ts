import { OptionError } from '../errors.js';
import { redact } from '../report/redact.js';
import { describeServer, type ServerKnobs, type ServerOptions, type ServerProfile, serverOptions } from '../server/server-options.js';

/** What `--server` asked for, checked but not started yet. */
export type FlagSourceSpec = { url: string } | { embedded: ServerOptions };

export interface FlagSource {
  baseUrl: string;
  /** How reports name it: without a password its URL may hold. */
  label: string;
  close(): Promise<void>;
}

const PROFILES: readonly string[] = ['local', 'delay', 'error'] satisfies ServerProfile[];

/**
 * `--server`: an embedded server profile or the base URL of a real server. The embedded server's
 * knobs make no sense for a real one and are refused. Checked before anything is created.
 */
export function resolveFlagSource(server: string, knobs: ServerKnobs, ext: string): FlagSourceSpec {
  const { latency, jitter, errorRate, seed } = knobs;
  if (PROFILES.includes(server)) {
    if (ext !== 'svg') throw new OptionError('ext', (name) => `${name('ext')} ${ext}: the embedded server has SVG flags only; use ${name('server')} URL for other files`);
    return { embedded: serverOptions(server as ServerProfile, { latencyMs: latency, jitterMs: jitter, errorRate, seed }) };
  }
  const url = parseBaseUrl(server);
  const given = Object.entries({ latency, jitter, errorRate, seed }).find(([, value]) => value !== undefined);
  if (given) throw new OptionError(given[0], (name) => `${name(given[0])} tunes the embedded server only; it cannot apply to ${name('server')} ${url}`);
  return { url };
}

/** Starts the embedded server in its own thread, or simply names the real one. */
export async function openFlagSource(spec: FlagSourceSpec): Promise<FlagSource> {
  if ('url' in spec) return { baseUrl: spec.url, label: redact(spec.url), close: async () => {} };
  const { startEmbeddedServer } = await import('../server/embedded.js');
  const running = await startEmbeddedServer(spec.embedded);
  return { baseUrl: running.baseUrl, label: `${running.baseUrl} (embedded, ${describeServer(spec.embedded)})`, close: () => running.close() };
}

function parseBaseUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new OptionError('server', `${JSON.stringify(text)} is neither a profile (${PROFILES.join(', ')}) nor a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new OptionError('server', `${text}: only http and https URLs are supported`);
  }
  // The flag's path is appended to the URL, so it would land inside a query or fragment. The
  // serialized URL keeps even an empty '?' or '#', and has them nowhere else (the path encodes them).
  if (/[?#]/.test(url.href)) {
    throw new OptionError('server', `${text}: a base URL cannot have a query or a fragment, as {URL}/{cc}/{cc}.{ext} is appended to it`);
  }
  return url.href.replace(/\/+$/, '');
}
