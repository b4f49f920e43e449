import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from './free-port.js';

export interface RunningNginx {
  baseUrl: string;
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 5000;

export interface NginxSettings {
  /** Bytes per second each connection is sent at most (nginx's `limit_rate`), as many a mirror caps them; absent: no cap. */
  perConnectionRate?: number;
}

/**
 * Serves every file under `root` at its relative path with nginx on 127.0.0.1, as a fast
 * reference server for the benchmark: the flag folder (`{cc}/{cc}.svg`) or any other tree.
 * Everything nginx writes goes to a temporary folder that `stop()` removes. Undefined when
 * nginx is not installed.
 */
export async function startNginx(root: string, { perConnectionRate }: NginxSettings = {}): Promise<RunningNginx | undefined> {
  const binary = findNginx();
  if (!binary) return undefined;

  const prefix = await mkdtemp(join(tmpdir(), 'flags-nginx-'));
  // nginx reads `$` in a path as a variable and has no escape for it: a link with a plain name avoids quoting the caller's path.
  await symlink(resolve(root), join(prefix, 'root'));
  const port = await freePort();
  const config = join(prefix, 'nginx.conf');
  await writeFile(config, nginxConfig(prefix, port, perConnectionRate));

  const errorLog = join(prefix, 'error.log');
  const nginx = spawn(binary, ['-p', prefix, '-c', config, '-e', errorLog], { stdio: 'ignore' });
  // Rejected if nginx could not be started at all: a failed spawn emits 'error', maybe no 'exit'.
  const exited = once(nginx, 'exit');
  // A bench that dies half-way must not leave nginx holding the port, nor its folder behind.
  const killOnExit = () => {
    nginx.kill('SIGTERM');
    rmSync(prefix, { recursive: true, force: true });
  };
  process.once('exit', killOnExit);

  const stop = async () => {
    process.off('exit', killOnExit);
    if (nginx.exitCode === null && nginx.signalCode === null) nginx.kill('SIGTERM');
    await exited.catch(() => {});
    await rm(prefix, { recursive: true, force: true });
  };

  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    await waitUntilAnswering(baseUrl, exited);
  } catch (error) {
    const log = await readFile(errorLog, 'utf8').catch(() => '');
    await stop();
    throw new Error(`nginx did not start: ${(error as Error).message}${log ? `\n${log.trim()}` : ''}`);
  }
  return { baseUrl, stop };
}

function findNginx(): string | undefined {
  // /usr/sbin is on root's PATH only; Debian puts nginx there.
  return ['nginx', '/usr/sbin/nginx'].find((candidate) => !spawnSync(candidate, ['-v']).error);
}

function nginxConfig(prefix: string, port: number, perConnectionRate: number | undefined): string {
  const path = (name: string) => JSON.stringify(join(prefix, name));
  return `# Written by the flags benchmark; removed when it stops.
# One process, in the foreground, so that the benchmark owns it and a signal ends it.
daemon off;
master_process off;
pid ${path('nginx.pid')};
error_log ${path('error.log')} warn;

events {}

http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_timeout 65s;
  # One connection may carry a whole run's requests: no reconnects in the measurement.
  keepalive_requests 1000000;
  types { image/svg+xml svg; }
  default_type application/octet-stream;
  # nginx creates its temporary folders at start; the compiled-in ones may not be writable.
  client_body_temp_path ${path('client_body')};
  proxy_temp_path ${path('proxy')};
  fastcgi_temp_path ${path('fastcgi')};
  uwsgi_temp_path ${path('uwsgi')};
  scgi_temp_path ${path('scgi')};

  server {
    listen 127.0.0.1:${port};
    root ${path('root')};${
      perConnectionRate === undefined
        ? ''
        : `
    limit_rate ${Math.round(perConnectionRate)};`
    }
  }
}
`;
}

/** Polls with real HTTP requests: a listening socket alone does not show that nginx serves yet. */
async function waitUntilAnswering(baseUrl: string, exited: Promise<unknown>): Promise<void> {
  let gone: Error | undefined;
  void exited.then(
    () => (gone = new Error('it exited')),
    (error: Error) => (gone = error),
  );
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (gone) throw gone;
    if (await answers(baseUrl)) return;
    await new Promise((wait) => setTimeout(wait, 25));
  }
  throw new Error(`no answer at ${baseUrl} within ${READY_TIMEOUT_MS} ms`);
}

function answers(url: string): Promise<boolean> {
  return new Promise((done) => {
    // agent: false closes the connection after the answer, so no idle socket outlives the check.
    const request = get(url, { agent: false, timeout: 500 }, (response) => {
      response.resume();
      done(true);
    });
    request.once('timeout', () => request.destroy());
    request.once('error', () => done(false));
  });
}
