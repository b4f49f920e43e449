import type { RunningServer } from '../src/server/flag-server.js';
import { startEmbeddedServer } from '../src/server/embedded.js';
import { serverOptions } from '../src/server/server-options.js';

/**
 * The flag server as the CLI would start it (its own thread), with a fixed latency so that
 * the bound is exact: no jitter, no faults.
 */
export function fixedLatencyServer(latencyMs: number): Promise<RunningServer> {
  return startEmbeddedServer(serverOptions(latencyMs === 0 ? 'local' : 'delay', { latencyMs, jitterMs: 0 }));
}

/** Runs `body` against a fresh server and stops the server however `body` ends. */
export async function withServer<T>(latencyMs: number, body: (server: RunningServer) => Promise<T>): Promise<T> {
  const server = await fixedLatencyServer(latencyMs);
  try {
    return await body(server);
  } finally {
    await server.close();
  }
}
