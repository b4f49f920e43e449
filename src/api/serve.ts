import { checkKeyPair, checkPem } from '../options/definitions.js';
import { UsageError } from '../errors.js';
import { wholeNumber } from '../options/numbers.js';
import type { ServedRequest } from '../server/flag-server.js';
import { describeServer, type ServerProfile, serverKnobs, serverOptions } from '../server/server-options.js';
import { serverProfiles } from '../server/profiles.js';
import { checked, choice, flag, onlyKnown, text } from '../options/option-checks.js';

/** What `serve()` takes: the options of `flags serve` in camelCase, checked alike. `cert` and `key` are PEM text. */
export interface ServeOptions {
  /** `local`: immediate; `delay` (the default): 100-500 ms per answer; `error`: delay plus 20% faults. */
  profile?: ServerProfile;
  /** Hold each answer this many ms (default by profile: local 0, delay 300, error 300). */
  latency?: number;
  /** Spread the hold by ± this many ms, seeded (default: 0 with `latency`, else by profile). */
  jitter?: number;
  /** Share 0..1 of flag requests that get a fault (default by profile: error 0.2, else 0). */
  errorRate?: number;
  /** Seed of the jitter and fault draws (default 1). */
  seed?: number;
  /** Serve every file of this folder at `{url}/{its path}` instead of flag-icons' SVGs; `url` then has no path (the folder is at `/`, the flags at `/flags`). */
  dir?: string;
  /** Address to listen on (default 127.0.0.1). */
  host?: string;
  /** TCP port. Default 0, any free port, unlike the CLI's 8001: two servers in one program must not collide. */
  port?: number;
  /** PEM certificate: serve https (with `key`). */
  cert?: string;
  /** The certificate's PEM private key. */
  key?: string;
  /** Keep every request in `requests` (default true); false for a server that runs long with nobody to read them. */
  log?: boolean;
}

/** A flag server running in this process. */
export interface Server {
  /** The base URL: a flag is at `{url}/{cc}/{cc}.svg`, a file of `dir` at `{url}/{its path}`. */
  url: string;
  port: number;
  /** One line for logs, e.g. `profile delay: latency 300±200 ms, error rate 0, seed 1`. */
  description: string;
  /** Every request in order of arrival (empty with `log: false`). */
  readonly requests: readonly ServedRequest[];
  /** The relative path of every file served, sorted. */
  readonly paths: readonly string[];
  /** Stops listening and drops every connection; idempotent. */
  close(): Promise<void>;
}

const KNOWN: readonly (keyof ServeOptions)[] = ['profile', 'latency', 'jitter', 'errorRate', 'seed', 'dir', 'host', 'port', 'cert', 'key', 'log'];

/**
 * Starts the embedded flag server, as `flags serve` does, in this thread. Bad options throw
 * `UsageError`; a server that cannot start (a port in use, a `dir` that cannot be served)
 * rejects with `ServerStartError`.
 */
export async function serve(options: ServeOptions = {}): Promise<Server> {
  const tls = checkServeOptions(options);
  const settings = serverOptions(choice('profile', serverProfiles, options.profile ?? 'delay'), {
    host: text('host', options.host),
    port: options.port === undefined ? 0 : wholeNumber('port', 0, 65535)(options.port),
    dir: text('dir', options.dir),
    latencyMs: checked(serverKnobs.latency, options.latency),
    jitterMs: checked(serverKnobs.jitter, options.jitter),
    errorRate: checked(serverKnobs['error-rate'], options.errorRate),
    seed: checked(serverKnobs.seed, options.seed),
    tls,
  });
  // Loaded here: a program that only downloads should not pay for the server's modules.
  const { startFlagServer } = await import('../server/flag-server.js');
  const server = await startFlagServer(settings, { log: options.log === undefined || flag('log', options.log) });
  return {
    url: server.baseUrl,
    port: server.port,
    description: describeServer(settings),
    get requests() {
      return server.requests;
    },
    paths: server.paths,
    close: () => server.close(),
  };
}

/** The checks that need no server, as the CLI makes them; the TLS pair when one is given. */
function checkServeOptions(options: ServeOptions): { cert: string; key: string } | undefined {
  onlyKnown(options, KNOWN);
  if ((options.cert === undefined) !== (options.key === undefined)) throw new UsageError('--cert and --key go together: give both for https');
  if (options.cert === undefined) return undefined;
  const cert = checkPem('cert', 'certificate', options.cert);
  const key = checkPem('key', 'private key', options.key);
  const pair = checkKeyPair(cert, key);
  if (pair !== true) throw new UsageError(pair);
  return { cert, key };
}
