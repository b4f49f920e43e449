import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { tempFolder } from './fixtures.js';
import { freePort } from '../../bench/free-port.js';

/** Why the queue's tests cannot run here, or false: they need Debian's redis-server (CI installs it). */
export const redisMissing: string | false = spawnSync('redis-server', ['--version']).error === undefined ? false : 'needs redis-server on the PATH (apt-get install redis-server)';

export interface TestRedis {
  /** `redis://127.0.0.1:PORT`: add `/NAME` for a queue. */
  url: string;
  port: number;
  /** Stops the server (SIGTERM), as when Redis goes away. */
  stop(): Promise<void>;
  /** Starts it again on the same port. */
  start(): Promise<void>;
}

/**
 * A real Redis on 127.0.0.1 and a free port, in a temporary folder, for the length of `use`;
 * without persistence, unless `persist` (an append-only file, so that a stop and a start keep the queue).
 */
export async function withRedis<T>(use: (redis: TestRedis) => Promise<T>, { persist = false } = {}): Promise<T> {
  const folder = await tempFolder();
  let port = 0;
  let child: ChildProcess | undefined;
  const start = async () => {
    const started = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', persist ? 'yes' : 'no', '--appendfsync', 'always', '--dir', folder.path],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let log = '';
    const ready = new Promise<void>((resolve, reject) => {
      started.stdout!.on('data', (chunk: Buffer) => {
        log += chunk;
        if (log.includes('Ready to accept connections')) resolve();
      });
      // On close, not exit: by then stdout has given all it had, the reason included.
      started.once('close', (code) => reject(new RedisStartError(code, log)));
      started.once('error', reject);
    });
    child = started;
    await ready;
  };
  const stop = async () => {
    const running = child;
    child = undefined;
    if (running === undefined || running.exitCode !== null) return;
    const exited = once(running, 'exit');
    running.kill('SIGTERM');
    await exited;
  };
  await startOnAFreePort(async (free) => {
    port = free;
    await start();
  });
  try {
    return await use({ url: `redis://127.0.0.1:${port}`, port, stop, start });
  } finally {
    await stop();
    await folder.remove();
  }
}

class RedisStartError extends Error {
  constructor(
    code: number | null,
    readonly log: string,
  ) {
    super(`redis-server exited (${code}) before it was ready: ${log}`);
  }
}

/**
 * `start` on a port free a moment ago, and again on another when a process of the machine took it
 * meanwhile (redis-server binds it only once it has started), at most three times.
 */
async function startOnAFreePort(start: (port: number) => Promise<void>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start(await freePort());
    } catch (error) {
      if (attempt === 3 || !(error instanceof RedisStartError && error.log.includes('Address already in use'))) throw error;
    }
  }
}
