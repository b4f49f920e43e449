import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import type { QueueReport } from '../src/queue/status.js';
import type { EnqueueSummary } from '../src/queue/enqueue.js';
import type { QueueStatus } from '../src/queue/status.js';
import { cliPath, inTemp, runCli } from './helpers/fixtures.js';
import { redisMissing, withRedis } from './helpers/redis.js';

/** Short holds on jobs, so that a killed worker's jobs go back to the queue within seconds. */
const SHORT_LOCKS = { ...process.env, FLAGS_QUEUE_LOCK_MS: '1000' };

/** What the test server answers for `/f/{n}.txt`: a body that names its file, so that a mixed-up file shows. */
const bodyOf = (path: string) => `${path}\n`.repeat(200);

interface FileServer {
  base: string;
  /** Request start times, in ms, for the rate test. */
  requests: number[];
}

/**
 * A server made here on loopback: `/f/{n}.txt` is a small file after `latencyMs`, `/missing/…` a
 * 404 and `/broken/…` a 500 every time.
 */
async function withFileServer<T>(latencyMs: number, use: (server: FileServer) => Promise<T>): Promise<T> {
  const requests: number[] = [];
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    requests.push(performance.now());
    const path = request.url!;
    const answer = () => {
      if (path.startsWith('/missing/')) response.writeHead(404).end();
      else if (path.startsWith('/broken/')) response.writeHead(500).end();
      else response.writeHead(200, { 'content-type': 'text/plain' }).end(bodyOf(path));
    };
    if (latencyMs === 0) answer();
    else setTimeout(answer, latencyMs);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    return await use({ base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests });
  } finally {
    server.closeAllConnections();
    server.close();
  }
}

/** A URL list of `count` files `/f/{n}.txt` on `base`, written to `folder`; returns its path. */
async function writeList(folder: string, base: string, count: number, extra: string[] = []): Promise<string> {
  const path = join(folder, 'urls.txt');
  const lines = Array.from({ length: count }, (_, n) => `${base}/f/${n}.txt`);
  await writeFile(path, `${[...lines, ...extra].join('\n')}\n`);
  return path;
}

interface Started {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** The exit; a failure (and SIGKILL) past `guardMs`: a hang guard, not a timing. */
  exited(guardMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** The real CLI as a child process, left running for the test to signal. */
function startCli(args: string[], env: NodeJS.ProcessEnv = process.env): Started {
  const child = spawn(process.execPath, [cliPath, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk));
  const exit = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    async exited(guardMs = 120_000) {
      const late = delay(guardMs).then(() => undefined);
      const ended = await Promise.race([exit, late]);
      if (ended === undefined) {
        child.kill('SIGKILL');
        assert.fail(`still running ${guardMs} ms later; stderr: ${stderr}`);
      }
      return { code: ended[0], signal: ended[1] };
    },
  };
}

/** Waits until `check` holds, polling; fails naming `what` past the guard. */
async function until(what: string, check: () => boolean | Promise<boolean>, guardMs = 60_000): Promise<void> {
  const guard = Date.now() + guardMs;
  while (!(await check())) {
    if (Date.now() > guard) assert.fail(`gave up waiting: ${what}`);
    await delay(20);
  }
}

const worker = (queue: string, dest: string, ...more: string[]) => ['worker', '--queue', queue, '--dest', dest, '--threads', '2', '--concurrency', '5', ...more];

async function status(queue: string): Promise<QueueStatus> {
  const run = await runCli(['status', '--queue', queue, '--json']);
  assert.equal(run.code, 0, run.stderr);
  return JSON.parse(run.stdout) as QueueStatus;
}

async function report(queue: string): Promise<{ code: number | null; report: QueueReport }> {
  const run = await runCli(['report', '--queue', queue, '--json']);
  return { code: run.code, report: JSON.parse(run.stdout) as QueueReport };
}

/** Every file of `dests` with its folder, temporary files apart, and the temporary files alone. */
async function filesOf(dests: string[]): Promise<{ files: Map<string, string[]>; temporary: string[] }> {
  const files = new Map<string, string[]>();
  const temporary: string[] = [];
  for (const dest of dests) {
    for (const name of await readdir(dest).catch(() => [] as string[])) {
      if (name.startsWith('.flags-')) temporary.push(join(dest, name));
      else files.set(name, [...(files.get(name) ?? []), dest]);
    }
  }
  return { files, temporary };
}

/** Each file whole: its bytes are what the server sent for its path. */
async function assertWhole(files: Map<string, string[]>): Promise<void> {
  for (const [name, dests] of files) {
    for (const dest of dests) assert.equal(await readFile(join(dest, name), 'utf8'), bodyOf(`/f/${name}`), `${dest}/${name}`);
  }
}

describe('the queue (a real Redis on loopback)', { skip: redisMissing }, () => {
  test('three workers, each its own dest, share 2,000 jobs: every file once, whole; report and status count them', () =>
    withRedis((redis) =>
      withFileServer(0, (server) =>
        inTemp(async (folder) => {
          const queue = `${redis.url}/three`;
          const list = await writeList(folder, server.base, 2000);
          const enqueued = await runCli(['enqueue', '-i', list, '--queue', queue, '--json']);
          assert.equal(enqueued.code, 0, enqueued.stderr);
          assert.equal((JSON.parse(enqueued.stdout) as EnqueueSummary).added, 2000);
          const dests = ['a', 'b', 'c'].map((name) => join(folder, name));
          const workers = dests.map((dest) => startCli(worker(queue, dest, '--exit-when-drained')));
          for (const one of workers) assert.equal((await one.exited()).code, 0, one.stderr());
          const { files, temporary } = await filesOf(dests);
          assert.deepEqual(temporary, []);
          assert.equal(files.size, 2000);
          assert.ok(
            [...files.values()].every((where) => where.length === 1),
            'a file downloaded twice',
          );
          await assertWhole(files);
          const counts = await status(queue);
          assert.deepEqual({ ...counts, queue: undefined }, { queue: undefined, waiting: 0, active: 0, delayed: 0, completed: 2000, failed: 0, total: 2000 });
          const { code, report: whole } = await report(queue);
          assert.equal(code, 0);
          assert.deepEqual([whole.requested, whole.ok, whole.error, whole.results.length, whole.interrupted], [2000, 2000, 0, 2000, false]);
          assert.equal(new Set(whole.results.map((result) => result.url)).size, 2000);
          assert.ok(whole.results.every((result) => result.host !== ''));
          const text = await runCli(['report', '--queue', queue]);
          assert.match(text.stdout, /^2000 files downloaded, 0 not found, 0 errors in \d+\.\d\d s$/m);
        }),
      ),
    ));

  test('enqueue is one job per URL and in bulk: 100,000 items, then the same list again adds none', { timeout: 300_000 }, (t) =>
    withRedis((redis) =>
      inTemp(async (folder) => {
        const queue = `${redis.url}/bulk`;
        const few = await runCli(['enqueue', '-i', await writeList(folder, 'http://127.0.0.1:9', 1000), '--queue', queue, '--json']);
        assert.equal((JSON.parse(few.stdout) as EnqueueSummary).added, 1000, few.stderr);
        const list = await writeList(folder, 'http://127.0.0.1:9', 100_000);
        const all = await runCli(['enqueue', '-i', list, '--queue', queue, '--json']);
        assert.equal(all.code, 0, all.stderr);
        const summary = JSON.parse(all.stdout) as EnqueueSummary;
        t.diagnostic(`enqueue of 100,000 items (99,000 new): ${(summary.elapsedMs / 1000).toFixed(2)} s`);
        assert.deepEqual([summary.items, summary.added], [100_000, 99_000]);
        const again = await runCli(['enqueue', '-i', list, '--queue', queue]);
        assert.match(again.stdout, /^Enqueued 0 new jobs of 100,000 items \(100,000 already there\)/);
        assert.equal((await status(queue)).waiting, 100_000);
      }),
    ),
  );

  test('a worker killed with SIGKILL leaves its jobs to stalled recovery: another finishes them, one final result each', () =>
    withRedis((redis) =>
      withFileServer(200, (server) =>
        inTemp(async (folder) => {
          const queue = `${redis.url}/killed`;
          const count = 150;
          await runCli(['enqueue', '-i', await writeList(folder, server.base, count), '--queue', queue]);
          const [first, second] = [join(folder, 'first'), join(folder, 'second')];
          const killed = startCli(worker(queue, first, '--verbose'), SHORT_LOCKS);
          try {
            await until(
              'the first worker has done some jobs',
              () =>
                killed
                  .stdout()
                  .split('\n')
                  .filter((line) => line.includes(' ok ')).length >= 10,
            );
          } finally {
            killed.child.kill('SIGKILL');
          }
          assert.equal((await killed.exited()).signal, 'SIGKILL');
          const held = await status(queue);
          assert.ok(held.active > 0, `the killed worker held no job: ${JSON.stringify(held)}`);
          const rescuer = startCli(worker(queue, second, '--exit-when-drained'), SHORT_LOCKS);
          assert.equal((await rescuer.exited()).code, 0, rescuer.stderr());
          const counts = await status(queue);
          assert.deepEqual([counts.completed, counts.failed, counts.active, counts.waiting], [count, 0, 0, 0]);
          const { files } = await filesOf([first, second]);
          assert.equal(files.size, count);
          await assertWhole(files);
          const { report: whole } = await report(queue);
          assert.equal(new Set(whole.results.map((result) => result.url)).size, count);
        }),
      ),
    ));
});
