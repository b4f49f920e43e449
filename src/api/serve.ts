import { OptionError } from '../errors.js';
import { checkKeyPair } from '../options/pem-checks.js';
import { checkOptions, type GivenOptions } from '../options/schema.js';
import { serveSchema } from '../options/server-schema.js';
import type { ServedRequest } from '../server/flag-server.js';
import { describeServer, serverOptions } from '../server/server-options.js';

/**
 * What `serve()` takes: the options of `flags serve` in camelCase, checked alike, each documented
 * where it is defined (src/options/server-schema.ts). `cert` and `key` are PEM text.
 */
export type ServeOptions = GivenOptions<typeof serveSchema>;

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

/**
 * Starts the embedded flag server, as `flags serve` does, in this thread. Bad options throw an
 * OptionError; a server that cannot start (a port in use, a `dir` that cannot be served)
 * rejects with `ServerStartError`.
 */
export async function serve(options: ServeOptions = {}): Promise<Server> {
  const { profile, host, port, dir, latency, jitter, errorRate, seed, cert, key, log } = checkOptions(serveSchema, options);
  if ((cert === undefined) !== (key === undefined)) throw new OptionError('cert', (name) => `${name('cert')} and ${name('key')} go together: give both for https`);
  if (cert !== undefined) checkKeyPair(cert, key!);
  const tls = cert === undefined ? undefined : { cert, key: key! };
  const settings = serverOptions(profile, { host, port, dir, latencyMs: latency, jitterMs: jitter, errorRate, seed, tls });
  // Loaded here: a program that only downloads should not pay for the server's modules.
  const { startFlagServer } = await import('../server/flag-server.js');
  const server = await startFlagServer(settings, { log });
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
