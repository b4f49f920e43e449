import { UsageError } from './codes.js';
import { type ServerKnobArgs, type ServerProfile, serverOptions } from './server/options.js';

export interface FlagSource {
  baseUrl: string;
  /** How reports name it. */
  label: string;
  close(): Promise<void>;
}

const PROFILES: readonly string[] = ['local', 'delay', 'error'] satisfies ServerProfile[];

/**
 * `--server`: an embedded server profile, started in its own thread for this run, or the base URL
 * of a real server. The embedded server's knobs make no sense for a real one and are refused.
 */
export async function openFlagSource(server: string, knobs: ServerKnobArgs, ext: string): Promise<FlagSource> {
  const { latency, jitter, 'error-rate': errorRate, seed } = knobs;
  if (!PROFILES.includes(server)) {
    const url = parseBaseUrl(server);
    const given = Object.entries({ latency, jitter, 'error-rate': errorRate, seed }).filter(([, value]) => value !== undefined);
    if (given.length > 0) {
      throw new UsageError(`--${given[0]![0]} tunes the embedded server only; it cannot apply to --server ${url}`);
    }
    return { baseUrl: url, label: url, close: async () => {} };
  }
  if (ext !== 'svg') throw new UsageError(`--ext ${ext}: the embedded server has SVG flags only; use --server URL for other files`);
  const options = serverOptions(server as ServerProfile, { latencyMs: latency, jitterMs: jitter, errorRate, seed });
  const { startEmbeddedServer } = await import('./server/embedded.js');
  const running = await startEmbeddedServer(options);
  const faults = options.errorRate > 0 ? `, ${Math.round(options.errorRate * 100)}% faults` : '';
  const label = `${running.baseUrl} (embedded, profile ${server}: ${options.latencyMs}±${options.jitterMs} ms${faults}, seed ${options.seed})`;
  return { baseUrl: running.baseUrl, label, close: () => running.close() };
}

function parseBaseUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--server ${JSON.stringify(text)} is neither a profile (${PROFILES.join(', ')}) nor a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`--server ${text}: only http and https URLs are supported`);
  }
  return url.href.replace(/\/+$/, '');
}
