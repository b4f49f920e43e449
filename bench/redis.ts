import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';

/** Why the queue scenario cannot run here, or false. */
export const redisMissing: string | false = spawnSync('redis-server', ['--version']).error === undefined ? false : 'redis-server is not installed (apt-get install redis-server)';

export interface BenchRedis {
  /** `redis://127.0.0.1:PORT`: add `/NAME` for a queue. */
  url: string;
  version: string;
  stop(): Promise<void>;
}

/**
 * A redis-server of our own on 127.0.0.1 and a free port, in a temporary folder, without
 * persistence: the queue's round trips, not the disk, are what the scenario measures.
 */
export async function startRedis(): Promise<BenchRedis> {
  const folder = await mkdtemp(join(tmpdir(), 'flags-bench-redis-'));
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', folder], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        log += chunk;
        if (log.includes('Ready to accept connections')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`redis-server exited (${code}) before it was ready: ${log.trim()}`)));
      child.once('error', reject);
    });
  } catch (error) {
    await rm(folder, { recursive: true, force: true });
    throw error;
  }
  const version = /v=(\S+)/.exec(spawnSync('redis-server', ['--version'], { encoding: 'utf8' }).stdout)?.[1] ?? 'unknown';
  return {
    url: `redis://127.0.0.1:${port}`,
    version,
    async stop() {
      if (child.exitCode === null) {
        const exited = once(child, 'exit');
        child.kill('SIGTERM');
        await exited;
      }
      await rm(folder, { recursive: true, force: true });
    },
  };
}
