import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { type AddressInfo, createServer as createNetServer } from 'node:net';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parseQueueAddress } from '../src/queue/address.js';
import { loadBullmq, reason } from '../src/queue/connection.js';
import type { QueueReport } from '../src/queue/status.js';
import type { EnqueueSummary } from '../src/queue/enqueue.js';
import type { QueueStatus } from '../src/queue/status.js';
import { startCli, until } from './helpers/cli-child.js';
import { inTemp, runCli } from './helpers/fixtures.js';
import { redisMissing, withRedis } from './helpers/redis.js';

/** Short holds on jobs, so that a killed worker's jobs go back to the queue within seconds. */
const SHORT_LOCKS = { ...process.env, FLAGS_QUEUE_LOCK_MS: '1000' };

/** What the test server answers for `/f/{n}.txt`: a body that names its file, so that a mixed-up file shows. */
const bodyOf = (path: string) => `${path}\n`.repeat(200);

interface FileServer {
  base: string;
  /** Request start times, in ms, for the rate test. */
  requests: number[];
  /** The most requests it held at once. */
  mostAtOnce(): number;
}

/**
 * A server made here on loopback: `/f/{n}.txt` is a small file after `latencyMs`, `/missing/…` a
 * 404 and `/broken/…` a 500 every time.
 */
async function withFileServer<T>(latencyMs: number, use: (server: FileServer) => Promise<T>): Promise<T> {
  const requests: number[] = [];
  let atOnce = 0;
  let most = 0;
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    requests.push(performance.now());
    most = Math.max(most, ++atOnce);
    response.once('close', () => atOnce--);
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
    return await use({ base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests, mostAtOnce: () => most });
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

/** A worker's start loads BullMQ and connects: a minute's guard, and no need to poll often. */
const waitFor = (what: string, check: () => boolean) => until(what, check, 60_000, 20);

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
          // Three workers of 2 threads × 5: what their threads did, not a setting the queue does not store.
          assert.ok(whole.threads >= 3 && whole.threads <= 6, `threads: ${whole.threads}`);
          assert.equal(whole.workersStarted, whole.threads);
          assert.ok(whole.concurrency > 1 && whole.concurrency <= 5, `concurrency: ${whole.concurrency}`);
          assert.deepEqual(
            whole.results.map((result) => result.line).sort((a, b) => a! - b!),
            Array.from({ length: 2000 }, (_, index) => index + 1),
          );
          const text = await runCli(['report', '--queue', queue]);
          assert.match(text.stdout, /^2,000 files downloaded, 0 not found, 0 errors in \d+\.\d\d s$/m);
          // A queue with nothing left to do: the bar is drawn full once and --watch ends.
          const watched = await runCli(['status', '--watch', '--queue', queue]);
          assert.equal(watched.code, 0, watched.stderr);
          assert.match(watched.stdout, /^\[=+\] 2,000 of 2,000 done \(2,000 completed, 0 failed\) \| 0 active, 0 waiting$/m);
          // A queue of no job is not "all done": its name may be wrong.
          const empty = await runCli(['status', '--queue', `${redis.url}/no-such-queue`]);
          assert.equal(empty.code, 0, empty.stderr);
          assert.match(empty.stdout, /\nno job in this queue: nothing was enqueued here \(is the name right\?\)\n$/);
        }),
      ),
    ));

  // 10,500 items: five round trips of 2,000 jobs (enqueue's BULK) and a part of one. How long a bigger list takes is bench/'s to tell.
  test('enqueue is one job per URL and in bulk: 10,500 items, then the same list again adds none', { timeout: 300_000 }, () =>
    withRedis((redis) =>
      inTemp(async (folder) => {
        const queue = `${redis.url}/bulk`;
        const few = await runCli(['enqueue', '-i', await writeList(folder, 'http://127.0.0.1:9', 1000), '--queue', queue, '--json']);
        assert.equal((JSON.parse(few.stdout) as EnqueueSummary).added, 1000, few.stderr);
        const list = await writeList(folder, 'http://127.0.0.1:9', 10_500);
        const all = await runCli(['enqueue', '-i', list, '--queue', queue, '--json']);
        assert.equal(all.code, 0, all.stderr);
        const summary = JSON.parse(all.stdout) as EnqueueSummary;
        assert.deepEqual([summary.items, summary.added], [10_500, 9_500]);
        const again = await runCli(['enqueue', '-i', list, '--queue', queue]);
        assert.match(again.stdout, /^Enqueued 0 new jobs of 10,500 items \(10,500 already there\)/);
        assert.equal((await status(queue)).waiting, 10_500);
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
            await waitFor(
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

  test('SIGTERM: the worker takes no new job, finishes those in hand and leaves no temporary file; another takes the rest', () =>
    withRedis((redis) =>
      withFileServer(300, (server) =>
        inTemp(async (folder) => {
          const queue = `${redis.url}/stopped`;
          // Enough that the stop comes well before the end, even on a loaded machine.
          const count = 150;
          await runCli(['enqueue', '-i', await writeList(folder, server.base, count), '--queue', queue]);
          const [first, second] = [join(folder, 'first'), join(folder, 'second')];
          const stopped = startCli(worker(queue, first, '--verbose'), SHORT_LOCKS);
          try {
            await waitFor(
              'the first worker has done some jobs',
              () =>
                stopped
                  .stdout()
                  .split('\n')
                  .filter((line) => line.includes(' ok ')).length >= 10,
            );
          } finally {
            stopped.child.kill('SIGTERM');
          }
          assert.equal((await stopped.exited()).code, 143, stopped.stderr());
          assert.match(stopped.stderr(), /Interrupted by SIGTERM: taking no new job, finishing those in hand/);
          const after = await status(queue);
          assert.equal(after.active, 0, 'a job left active by a clean stop');
          assert.ok(after.completed >= 10 && after.completed < count, JSON.stringify(after));
          const { files: done, temporary } = await filesOf([first]);
          assert.deepEqual(temporary, []);
          assert.equal(done.size, after.completed);
          const rescuer = startCli(worker(queue, second, '--exit-when-drained'), SHORT_LOCKS);
          assert.equal((await rescuer.exited()).code, 0, rescuer.stderr());
          const { files } = await filesOf([first, second]);
          assert.equal(files.size, count);
          assert.ok(
            [...files.values()].every((where) => where.length === 1),
            'a file downloaded twice',
          );
          await assertWhole(files);
        }),
      ),
    ));

  test("report is a local run's report, failed jobs with their reasons; --retry-failed puts them back", () =>
    withRedis((redis) =>
      withFileServer(0, (server) =>
        inTemp(async (folder) => {
          const queue = `${redis.url}/report`;
          const list = await writeList(folder, server.base, 20, [`${server.base}/missing/gone.txt`, `${server.base}/broken/bad.txt`]);
          const enqueued = await runCli(['enqueue', '-i', list, '--retries', '0', '--queue', queue]);
          assert.equal(enqueued.code, 0, enqueued.stderr);
          const done = startCli(worker(queue, join(folder, 'queued'), '--exit-when-drained'));
          assert.equal((await done.exited()).code, 0, done.stderr());
          // Wide enough that no line of either report wraps: the lines are compared one by one.
          const wide = { env: { ...process.env, COLUMNS: '200' } };
          const local = await runCli(['-i', list, '--retries', '0', '--dest', join(folder, 'local')], wide);
          assert.equal(local.code, 1, local.stderr);
          const queued = await runCli(['report', '--queue', queue], wide);
          assert.equal(queued.code, 1, queued.stderr);
          // The same lines but for the time and the pool's start-up, which the queue's report cannot know.
          const comparable = (text: string) =>
            text
              .split('\n')
              .filter((line) => !/^(Downloading|Mode|Worker threads|A 404 fails a list)/.test(line))
              .map((line) => line.replace(/in \d+\.\d\d s$/, 'in … s'));
          assert.deepEqual(comparable(queued.stdout), comparable(local.stdout));
          // A list's 404 is a failed job, as a local run's 404 is an error.
          assert.match(queued.stdout, /^20 files downloaded, 0 not found, 2 errors in/m);
          assert.match(queued.stdout, /bad\.txt {2}HTTP 500/);
          assert.match(queued.stdout, /gone\.txt {2}HTTP 404 Not Found/);
          // The way to accept a 404 is the one each can take: report has no --allow-missing, enqueue has.
          assert.match(local.stdout, /\nA 404 fails a list, as with wget2, curl --fail and aria2c: --allow-missing counts it as not found instead\n/);
          assert.match(queued.stdout, /\nA 404 fails a list, as with wget2, curl --fail and aria2c: a queue enqueued with --allow-missing counts it as not found instead\n/);
          const retried = await runCli(['enqueue', '--retry-failed', '--queue', queue]);
          assert.equal(retried.code, 0, retried.stderr);
          assert.match(retried.stdout, /^2 failed jobs put back/);
          const counts = await status(queue);
          assert.deepEqual([counts.failed, counts.waiting, counts.completed], [0, 2, 20]);
          // Jobs waiting for a worker are not done yet: nothing interrupted them.
          const waiting = await runCli(['report', '--queue', queue], wide);
          assert.equal(waiting.code, 0, waiting.stderr);
          assert.match(waiting.stdout, /\nNot done yet: 20 of 22 files finished, 2 waiting or under way\n$/);
          assert.doesNotMatch(waiting.stdout, /Interrupted/);
          const waitingJson = JSON.parse((await runCli(['report', '--queue', queue, '--json'])).stdout) as { pending: number; interrupted: boolean };
          assert.deepEqual([waitingJson.pending, waitingJson.interrupted], [2, false]);

          // --allow-missing travels with the queue: the 404 is a completed job, not found.
          const allowing = `${redis.url}/allowing`;
          assert.equal((await runCli(['enqueue', '-i', list, '--retries', '0', '--allow-missing', '--queue', allowing])).code, 0);
          const allowed = startCli(worker(allowing, join(folder, 'allowed'), '--exit-when-drained'));
          assert.equal((await allowed.exited()).code, 0, allowed.stderr());
          const missing = await runCli(['report', '--queue', allowing], wide);
          assert.match(missing.stdout, /^20 files downloaded, 1 not found, 1 error in/m);
          assert.deepEqual((await status(allowing)).failed, 1);
        }),
      ),
    ));

  test('--rate holds for the whole queue: two workers together start no more than the rate', () =>
    withRedis((redis) =>
      withFileServer(0, (server) =>
        inTemp(async (folder) => {
          const queue = `${redis.url}/rate`;
          const count = 60;
          await runCli(['enqueue', '-i', await writeList(folder, server.base, count), '--rate', '20', '--queue', queue]);
          const workers = ['a', 'b'].map((name) => startCli(worker(queue, join(folder, name), '--exit-when-drained')));
          for (const one of workers) assert.equal((await one.exited()).code, 0, one.stderr());
          assert.equal(server.requests.length, count);
          const busiest = Math.max(...server.requests.map((start) => server.requests.filter((at) => at >= start && at < start + 1000).length));
          // BullMQ's windows are fixed: a second that straddles two of them may see both.
          assert.ok(busiest <= 40, `${busiest} requests in one second`);
          // The limiter's own record: when each job was taken. The first window opens with the first
          // job, so the last 20 of 60 are taken two windows later. (The server's first requests may
          // come late, by the workers' start, so its span alone could not tell.)
          const { Queue } = await loadBullmq();
          const address = parseQueueAddress(queue);
          const jobs = new Queue(address.name, { connection: { url: address.redisUrl } });
          try {
            const taken = (await jobs.getJobs(['completed'])).map((job) => job.processedOn!);
            assert.equal(taken.length, count);
            const span = Math.max(...taken) - Math.min(...taken);
            assert.ok(span >= 1990, `${count} jobs at 20 a second were taken within ${span} ms`);
          } finally {
            await jobs.close();
          }
        }),
      ),
    ));
});

describe('--per-host on a queue', { skip: redisMissing }, () => {
  test('holds in each worker: two workers of 10 slots with --per-host 2 never hold more than 4 requests to the host', () =>
    withRedis((redis) =>
      withFileServer(100, (server) =>
        inTemp(async (folder) => {
          const queue = `${redis.url}/per-host`;
          const count = 60;
          const enqueued = await runCli(['enqueue', '-i', await writeList(folder, server.base, count), '--per-host', '2', '--queue', queue]);
          assert.equal(enqueued.code, 0, enqueued.stderr);
          const workers = ['a', 'b'].map((name) => startCli(worker(queue, join(folder, name), '--exit-when-drained')));
          for (const one of workers) assert.equal((await one.exited()).code, 0, one.stderr());
          assert.match(workers[0]!.stdout(), /at most 2 in flight to each host here/);
          assert.equal(server.requests.length, count);
          assert.ok(server.mostAtOnce() <= 4, `${server.mostAtOnce()} requests at once`);
          assert.equal((await status(queue)).completed, count);
        }),
      ),
    ));
});

describe('the queue when Redis goes away', { skip: redisMissing }, () => {
  test('a worker says so, retries the connection and resumes when Redis is back: nothing lost', () =>
    withRedis(
      (redis) =>
        withFileServer(200, (server) =>
          inTemp(async (folder) => {
            const queue = `${redis.url}/away`;
            const count = 80;
            await runCli(['enqueue', '-i', await writeList(folder, server.base, count), '--queue', queue]);
            const dest = join(folder, 'dest');
            const one = startCli(worker(queue, dest, '--verbose', '--exit-when-drained'));
            try {
              await waitFor(
                'the worker has done some jobs',
                () =>
                  one
                    .stdout()
                    .split('\n')
                    .filter((line) => line.includes(' ok ')).length >= 10,
              );
              await redis.stop();
              await waitFor('the worker says the queue is away', () => one.stderr().includes('retrying until it answers'));
              await redis.start();
            } catch (error) {
              one.child.kill('SIGKILL');
              throw error;
            }
            assert.equal((await one.exited()).code, 0, one.stderr());
            assert.match(one.stderr(), new RegExp(`^flags: the queue at ${queue}: \\S.*; retrying until it answers$`, 'm'));
            const counts = await status(queue);
            assert.deepEqual([counts.completed, counts.failed, counts.total], [count, 0, count]);
            const { files, temporary } = await filesOf([dest]);
            assert.deepEqual(temporary, []);
            assert.equal(files.size, count);
            await assertWhole(files);
          }),
        ),
      { persist: true },
    ));
});

describe('why the queue failed, in words', () => {
  test('a system code as it is, a numeric code not: the message then', () => {
    assert.equal(reason(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED' })), 'ECONNREFUSED');
    assert.equal(reason(Object.assign(new Error('Connection is closed.'), { code: -1 })), 'Connection is closed.');
    assert.equal(reason('gone'), 'gone');
  });
});

describe('the queue commands without a queue', () => {
  test('a bad --queue is a usage error (exit 2); an unreachable Redis says so (exit 1); enqueue refuses an embedded server', async () => {
    const bad = await runCli(['status', '--queue', 'http://127.0.0.1/demo']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^flags: --queue http:\/\/127\.0\.0\.1\/demo: only redis:\/\/ and rediss:\/\/ URLs name a queue$/m);
    assert.match(bad.stderr, /\nRun 'flags status --help' for usage\.\n$/, 'the help of status, not of the download');
    const unnamed = await runCli(['report', '--queue', 'redis://127.0.0.1:6379']);
    assert.equal(unnamed.code, 2);
    assert.match(unnamed.stderr, /the queue's name \(the path\)/);
    const away = await runCli(['worker', '--queue', 'redis://127.0.0.1:1/demo']);
    assert.equal(away.code, 1);
    assert.match(away.stderr, /^flags: cannot reach the queue at redis:\/\/127\.0\.0\.1:1\/demo: ECONNREFUSED$/m);
    // Not Redis on the port (a web server): said so, not ioredis's "Unknown RESP type 72 … Please report this".
    const http = createNetServer((socket) => socket.on('data', () => socket.write('HTTP/1.1 400 Bad Request\r\n\r\n')));
    http.listen(0, '127.0.0.1');
    await once(http, 'listening');
    try {
      const notRedis = await runCli(['status', '--queue', `redis://127.0.0.1:${(http.address() as AddressInfo).port}/demo`]);
      assert.equal(notRedis.code, 1);
      assert.match(
        notRedis.stderr,
        /^flags: cannot reach the queue at redis:\/\/127\.0\.0\.1:\d+\/demo: what answers there is not Redis \(its answer began "H", as HTTP does\): check the host and port$/m,
      );
    } finally {
      http.close();
    }
    const embedded = await runCli(['enqueue', 'BR', '--queue', 'redis://127.0.0.1:1/demo']);
    assert.equal(embedded.code, 2);
    assert.match(embedded.stderr, /needs a server that every worker can reach/);
    assert.match(embedded.stderr, /Run 'flags enqueue --help'/);
  });
});
