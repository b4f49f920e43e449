import type { Options } from 'yargs';
import { UsageError } from '../errors.js';
import { durationMs, shown, typedNumber } from '../options/numbers.js';
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

/** A knob's value: a number (`whole`: with no fraction) that `valid` accepts, or a usage error quoting what was typed. */
function knob(option: string, expected: string, whole: boolean, valid: (value: number) => boolean) {
  return (typed: unknown): number => {
    const value = typedNumber(typed, whole);
    if (!valid(value)) throw new UsageError(`--${option} must be ${expected}, got ${shown(typed)}`);
    return value;
  };
}

/** The knobs shared by every command that runs a server; no yargs defaults, so that the profile's show through. */
export const serverKnobs = {
  latency: {
    requiresArg: true,
    coerce: durationMs('latency'),
    describe: 'Hold each answer this many ms [number] [default: by profile: local 0, delay 300, error 300]',
  },
  jitter: {
    requiresArg: true,
    coerce: durationMs('jitter'),
    describe: 'Spread the hold uniformly by ± this many ms, seeded [number] [default: 0 with --latency, else by profile: local 0, delay 200, error 200]',
  },
  'error-rate': {
    requiresArg: true,
    coerce: knob('error-rate', 'between 0 and 1', false, (value) => value >= 0 && value <= 1),
    describe: 'Share 0..1 of flag requests that get a fault: 500/503/429, dropped connection, cut or stalled body [number] [default: by profile: local 0, delay 0, error 0.2]',
  },
  seed: {
    requiresArg: true,
    coerce: knob('seed', 'an integer', true, Number.isSafeInteger),
    describe: 'Seed of the jitter and fault draws: the same seed gives the same delays and faults [number] [default: 1]',
  },
} as const satisfies Record<string, Options>;

export interface ServerKnobArgs {
  latency?: number;
  jitter?: number;
  'error-rate'?: number;
  seed?: number;
}

/** One line for logs and reports, e.g. `profile delay: latency 300±200 ms, error rate 0, seed 1`. */
export function describeServer(options: ServerOptions): string {
  const { profile, latencyMs, jitterMs, errorRate, seed, dir } = options;
  const files = dir === undefined ? '' : `, files from ${dir}`;
  return `profile ${profile}: latency ${latencyMs}±${jitterMs} ms, error rate ${errorRate}, seed ${seed}${files}`;
}
