import type { Options } from 'yargs';
import { profileDefaults } from './profiles.js';

export type ServerProfile = 'local' | 'delay' | 'error';

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
  /** A folder in the `{dir}/{cc}/{cc}.{ext}` layout to serve instead of flag-icons' SVGs. */
  dir?: string;
  host: string;
  /** 0: any free port. */
  port: number;
}

/** The profile's defaults, overridden by every override that is not undefined (absent CLI options arrive as undefined). */
export function serverOptions(
  profile: ServerProfile,
  overrides: Partial<Omit<ServerOptions, 'profile'>> = {},
): ServerOptions {
  const given = Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined));
  return { ...profileDefaults[profile], seed: 1, host: '127.0.0.1', port: 0, ...given, profile };
}

/** The knobs shared by every command that runs a server; no yargs defaults, so that the profile's show through. */
export const serverKnobs = {
  latency: {
    type: 'number',
    requiresArg: true,
    describe: 'Hold each answer this many ms [default: by profile: local 0, delay 300, error 300]',
  },
  jitter: {
    type: 'number',
    requiresArg: true,
    describe: 'Spread the hold uniformly by ± this many ms, seeded [default: by profile: local 0, delay 200, error 200]',
  },
  'error-rate': {
    type: 'number',
    requiresArg: true,
    describe: 'Share 0..1 of flag requests that get a fault: 500/503, dropped connection or cut body [default: by profile: local 0, delay 0, error 0.2]',
  },
  seed: {
    type: 'number',
    requiresArg: true,
    describe: 'Seed of the jitter and fault draws: the same seed gives the same delays and faults [default: 1]',
  },
} as const satisfies Record<string, Options>;

export interface ServerKnobArgs {
  latency?: number;
  jitter?: number;
  'error-rate'?: number;
  seed?: number;
}

/** For `yargs.check`: a message naming the option and its bad value, or true. */
export function checkServerKnobs(argv: ServerKnobArgs): true | string {
  const { latency, jitter, 'error-rate': errorRate, seed } = argv;
  if (latency !== undefined && !(Number.isFinite(latency) && latency >= 0)) {
    return `--latency must be a number of ms >= 0, got ${latency}`;
  }
  if (jitter !== undefined && !(Number.isFinite(jitter) && jitter >= 0)) {
    return `--jitter must be a number of ms >= 0, got ${jitter}`;
  }
  if (errorRate !== undefined && !(errorRate >= 0 && errorRate <= 1)) {
    return `--error-rate must be between 0 and 1, got ${errorRate}`;
  }
  if (seed !== undefined && !Number.isSafeInteger(seed)) {
    return `--seed must be an integer, got ${seed}`;
  }
  return true;
}

/** One line for logs and reports, e.g. `profile delay: latency 300±200 ms, error rate 0, seed 1`. */
export function describeServer(options: ServerOptions): string {
  const { profile, latencyMs, jitterMs, errorRate, seed, dir } = options;
  const files = dir === undefined ? '' : `, files from ${dir}`;
  return `profile ${profile}: latency ${latencyMs}±${jitterMs} ms, error rate ${errorRate}, seed ${seed}${files}`;
}
