import { profileDefaults, type ServerProfile } from './profiles.js';

export type { ServerProfile };

export interface ServerOptions {
  profile: ServerProfile;
  /** Mean hold before each answer, in ms. */
  latencyMs: number;
  /** Half-width of the uniform spread around the latency, in ms. */
  jitterMs: number;
  /** Share of flag and metadata requests, 0..1, that get an injected fault. */
  errorRate: number;
  /** Seeds the jitter and fault draws, so that runs can be compared. */
  seed: number;
  /** A folder whose every file is served, at its path under the base URL, instead of flag-icons' SVGs. */
  dir?: string;
  host: string;
  /** 0: any free port. */
  port: number;
  /** PEM key and certificate chain: serve HTTPS instead of HTTP. */
  tls?: { key: string; cert: string };
}

/**
 * The profile's defaults, overridden by every override that is not undefined (absent CLI options
 * arrive as undefined). A latency given without a jitter means exactly that latency: the
 * profile's spread belongs to the profile's latency, and `--latency 0` asks for none.
 */
export function serverOptions(profile: ServerProfile, overrides: Partial<Omit<ServerOptions, 'profile'>> = {}): ServerOptions {
  const given = Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined));
  const jitter = overrides.latencyMs !== undefined && overrides.jitterMs === undefined ? { jitterMs: 0 } : {};
  return { ...profileDefaults[profile], seed: 1, host: '127.0.0.1', port: 0, ...jitter, ...given, profile };
}

/** The embedded server's knobs, once checked: each overrides its profile's default when given. */
export interface ServerKnobs {
  latency?: number;
  jitter?: number;
  errorRate?: number;
  seed?: number;
}

/** One line for logs and reports, e.g. `profile delay: latency 300±200 ms, error rate 0, seed 1`. */
export function describeServer(options: ServerOptions): string {
  const { profile, latencyMs, jitterMs, errorRate, seed } = options;
  return `profile ${profile}: latency ${latencyMs}±${jitterMs} ms, error rate ${errorRate}, seed ${seed}`;
}
