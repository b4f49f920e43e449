import assert from 'node:assert/strict';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { download } from '../src/index.js';
import { inPropertyWords, isOptionError } from './helpers/option-errors.js';
import { expandCodes } from '../src/input/codes.js';
import { tempPrefixFor } from '../src/store/destination.js';
import { flagItems } from '../src/input/items.js';
import { burstOf, RequestLimits, windowOf } from '../src/schedule/limits.js';
import { runDownload } from '../src/schedule/run.js';
import { threadsWith } from '../src/schedule/strategies/threads.js';
import type { Mode } from '../src/types.js';
import { inTemp, parseReport, runCli, withServer } from './helpers/fixtures.js';

const SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 2 1"/>';

interface CountingServer {
  url: string;
  /** The most requests it held at once. */
  maxHeld(): number;
  /** When each request arrived, in ms (performance.now()). */
  arrivals: number[];
  close(): Promise<void>;
}

/**
 * A server on loopback that holds each answer `holdMs` (forever when Infinity) and records how many
 * requests it holds at once and when each arrived. `failFirst`: each path's first request gets a
 * 503 (transient: retried). A request counts as held until its answer is sent, which the client
 * reads before it gives its permit back: the server can never see more than the client allowed.
 */
async function countingServer({ holdMs = 50, failFirst = false } = {}): Promise<CountingServer> {
  let held = 0;
  let max = 0;
  const arrivals: number[] = [];
  const seen = new Set<string>();
  const server = createServer((request, response) => {
    arrivals.push(performance.now());
    held++;
    max = Math.max(max, held);
    const first = !seen.has(request.url!);
    seen.add(request.url!);
    const answer = () => {
      held--;
      if (failFirst && first) response.writeHead(503).end();
      else response.writeHead(200, { 'content-type': 'image/svg+xml' }).end(SVG);
    };
    if (holdMs !== Number.POSITIVE_INFINITY) setTimeout(answer, holdMs);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    maxHeld: () => max,
    arrivals,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

async function withCounting<T>(options: Parameters<typeof countingServer>[0], use: (server: CountingServer) => Promise<T>): Promise<T> {
  const server = await countingServer(options);
  try {
    return await use(server);
  } finally {
    await server.close();
  }
}

/** The most of these times (ms) in any window of one second. */
function busiestSecond(arrivals: readonly number[]): number {
  const sorted = [...arrivals].sort((a, b) => a - b);
  let most = 0;
  for (let first = 0, last = 0; first < sorted.length; first++) {
    while (last < sorted.length && sorted[last]! - sorted[first]! < 1000) last++;
    most = Math.max(most, last - first);
  }
  return most;
}

describe('--per-host', () => {
  test('--threads 4 --concurrency 5 --per-host 2 (the CLI): the server never holds more than 2 requests, and the run completes', () =>
    withCounting({}, (server) =>
      inTemp(async (folder) => {
        const run = await runCli([
          '--all',
          '--limit',
          '40',
          '--server',
          `${server.url}/flags`,
          '--threads',
          '4',
          '--concurrency',
          '5',
          '--per-host',
          '2',
          '--dest',
          folder,
          '--json',
        ]);
        assert.equal(run.code, 0, run.stderr);
        assert.equal(parseReport(run).ok, 40);
        assert.equal(server.maxHeld(), 2, 'never more than 2 at once, and the limit is reached');
      }),
    ));

  for (const mode of ['async', 'sequential'] as Mode[]) {
    test(`${mode} mode: the same limit, from the main thread`, () =>
      withCounting({}, (server) =>
        inTemp(async (folder) => {
          const report = await download({ all: true, limit: 30, server: `${server.url}/flags`, mode, concurrency: 20, perHost: 2, dest: folder }).report;
          assert.equal(report.ok, 30);
          assert.equal(server.maxHeld(), mode === 'sequential' ? 1 : 2);
        }),
      ));
  }

  test('each host (scheme, host and port) gets its own N: two servers on two ports of 127.0.0.1, each holding 2 at once', () =>
    withCounting({}, (first) =>
      withCounting({}, (second) =>
        inTemp(async (folder) => {
          const input = Array.from({ length: 20 }, (_, i) => [`${first.url}/a${i}.svg`, `${second.url}/b${i}.svg`]).flat();
          const report = await download({ input, threads: 4, concurrency: 5, perHost: 2, dest: folder }).report;
          assert.equal(report.ok, 40);
          assert.equal(first.maxHeld(), 2);
          assert.equal(second.maxHeld(), 2);
        }),
      ),
    ));

  for (const mode of ['threads', 'async'] as Mode[]) {
    test(`${mode} mode: a retry is a new request and waits for a permit too (every first attempt fails)`, () =>
      withCounting({ failFirst: true }, (server) =>
        inTemp(async (folder) => {
          const report = await download({ all: true, limit: 30, server: `${server.url}/flags`, mode, threads: 4, concurrency: 5, perHost: 2, retryDelay: 0, dest: folder }).report;
          assert.equal(report.ok, 30);
          assert.ok(
            report.results.every((result) => result.attempts === 2),
            'each flag was retried once',
          );
          assert.equal(server.arrivals.length, 60);
          assert.equal(server.maxHeld(), 2);
        }),
      ));
  }

  test('a worker that dies with a permit in hand gives it back: with --per-host 1 the run still completes', { timeout: 60_000 }, () =>
    inTemp(async (folder) => {
      const marker = join(tmpdir(), `flags-crash-${process.pid}-${Math.random()}`);
      Object.assign(process.env, { FLAGS_TEST_CRASH_CODE: 'br', FLAGS_TEST_CRASH_HOW: 'exit', FLAGS_TEST_CRASH_MARKER: marker });
      try {
        const codes = expandCodes({ args: [] });
        const report = await withServer('local', {}, (server) =>
          runDownload(flagItems(codes, server.baseUrl, 'svg'), {
            server: server.baseUrl,
            strategy: threadsWith(new URL('./fixtures/crashing-worker.js', import.meta.url).href),
            mode: 'threads',
            threads: 3,
            concurrency: 2,
            partition: 'dynamic',
            perHost: 1,
            dest: folder,
            timeoutMs: 10_000,
            maxBytes: 5_000_000,
            tempPrefix: tempPrefixFor(),
            retries: 0,
            retryDelayMs: 10,
            existing: 'replace',
            insecure: false,
          }),
        );
        await stat(marker); // the worker did die
        assert.equal(report.ok, codes.length);
      } finally {
        await rm(marker, { force: true });
        for (const name of ['FLAGS_TEST_CRASH_CODE', 'FLAGS_TEST_CRASH_HOW', 'FLAGS_TEST_CRASH_MARKER']) delete process.env[name];
      }
    }),
  );
});

/**
 * flags caps the requests it sends in any second at the rate, but a server sees a new connection's
 * first request later than it was sent, by its own time to accept it (a cold server in a loaded test
 * process: up to a few hundred ms), so the first requests may reach it together with the next ones.
 * Half a second's worth of requests is allowed for that: a bucket twice too generous (a burst of a
 * whole second) still fails.
 */
const onTheWire = (rate: number) => rate + burstOf(rate) + rate / 2;

describe('--rate', () => {
  test('the bucket: never more than rate + burst grants in any second, in the order asked', async () => {
    const limits = new RequestLimits({ rate: 20 }, new AbortController().signal);
    const urls = Array.from({ length: 30 }, (_, i) => `http://127.0.0.1:1/${i}`);
    const granted: { url: string; at: number }[] = [];
    // Each request goes out as soon as it may: the window counts it from then.
    const sendNow = (url: string) => {
      granted.push({ url, at: performance.now() });
      limits.sent(url);
    };
    await Promise.all(urls.map((url) => new Promise<void>((resolve) => limits.acquire(url, () => resolve(sendNow(url))))));
    assert.deepEqual(
      granted.map(({ url }) => url),
      urls,
    );
    assert.ok(busiestSecond(granted.map(({ at }) => at)) <= 20 + burstOf(20));
    assert.equal(granted.filter(({ at }) => at - granted[0]!.at < 1).length, burstOf(20), 'the burst starts at once');
  });

  test(`--rate 20 over 60 flags (the CLI): the server sees no more than 20 + the burst (${burstOf(20)}) in any second, give or take the first requests' way, and the run reports normally`, () =>
    withCounting({ holdMs: 0 }, (server) =>
      inTemp(async (folder) => {
        const run = await runCli(['--all', '--limit', '60', '--server', `${server.url}/flags`, '--threads', '4', '--concurrency', '5', '--rate', '20', '--dest', folder]);
        assert.equal(run.code, 0, run.stderr);
        assert.match(run.stdout, /^Limits: at most 20 started per second, retries included$/m);
        assert.match(run.stdout, /60 flags downloaded, 0 not found, 0 errors in/);
        assert.equal(server.arrivals.length, 60);
        const busiest = busiestSecond(server.arrivals);
        assert.ok(busiest <= onTheWire(20), `${busiest} requests in one second`);
      }),
    ));

  test('retries count: every first attempt fails, and the retries are spaced with the rest', () =>
    withCounting({ holdMs: 0, failFirst: true }, (server) =>
      inTemp(async (folder) => {
        const report = await download({ all: true, limit: 20, server: `${server.url}/flags`, mode: 'async', concurrency: 10, rate: 20, retryDelay: 0, dest: folder }).report;
        assert.equal(report.ok, 20);
        assert.equal(server.arrivals.length, 40);
        const busiest = busiestSecond(server.arrivals);
        assert.ok(busiest <= onTheWire(20), `${busiest} requests in one second`);
      }),
    ));

  test('the burst is a tenth of a second of requests, at least one', () => {
    assert.deepEqual([0.5, 1, 5, 10, 11, 20, 100].map(burstOf), [1, 1, 1, 1, 2, 2, 10]);
  });

  test('the window: a second, or one request long below one a second; never more than the rate in it', () => {
    assert.deepEqual([0.01, 0.5, 1, 2.5, 20].map(windowOf), [
      { ms: 100_000, most: 1 },
      { ms: 2000, most: 1 },
      { ms: 1000, most: 1 },
      { ms: 1000, most: 3 },
      { ms: 1000, most: 20 },
    ]);
  });

  test('a request not yet on the wire holds its place in the window: none is granted past the rate until some go out', async () => {
    const limits = new RequestLimits({ rate: 50 }, new AbortController().signal);
    const granted: string[] = [];
    const urls = Array.from({ length: 51 }, (_, i) => `http://127.0.0.1:1/${i}`);
    const all = Promise.all(urls.map((url) => new Promise<void>((resolve) => limits.acquire(url, () => resolve(void granted.push(url))))));
    const guard = Date.now() + 30_000;
    while (granted.length < 50) {
      assert.ok(Date.now() < guard, `${granted.length} of 50 granted: the bucket stopped`);
      await delay(10);
    }
    await delay(300);
    assert.equal(granted.length, 50, 'the bucket has tokens again, but the window has no place left');
    limits.sent(urls[0]!);
    await delay(300);
    assert.equal(granted.length, 50, 'the one sent holds its place until a second after it went out');
    // Then its place frees itself, on a timer: nothing else happens meanwhile.
    await all;
    limits.close();
  });

  test('--skip-existing: a file kept makes no request and takes no token (a run of kept files does not wait)', { timeout: 60_000 }, () =>
    withCounting({ holdMs: 0 }, (server) =>
      inTemp(async (folder) => {
        const codes = ['br', 'fr', 'in', 'us'];
        for (const cc of codes) await writeFile(join(folder, `${cc}.svg`), SVG);
        // One request every 100 s: were a kept file to take a token, this run would take minutes.
        const report = await download({ codes, server: `${server.url}/flags`, threads: 2, concurrency: 2, rate: 0.01, skipExisting: true, dest: folder }).report;
        assert.equal(report.skipped, 4);
        assert.equal(server.arrivals.length, 0);
      }),
    ),
  );
});

describe('stopping a limited run', () => {
  test('the API: aborting while slots wait for a permit ends the run at once, interrupted', { timeout: 60_000 }, () =>
    withCounting({ holdMs: Number.POSITIVE_INFINITY }, (server) =>
      inTemp(async (folder) => {
        const stop = new AbortController();
        const arrived = setInterval(() => server.arrivals.length > 0 && stop.abort(), 10);
        try {
          const report = await download({ all: true, limit: 20, server: `${server.url}/flags`, threads: 2, concurrency: 5, perHost: 1, signal: stop.signal, dest: folder }).report;
          assert.equal(report.interrupted, true);
          assert.equal(server.arrivals.length, 1, 'one request held, the others waiting for its permit');
        } finally {
          clearInterval(arrived);
        }
      }),
    ),
  );

  test('Ctrl-C while the bucket waits (--rate 0.01: one request every 100 s): exit 130 at once, the timer keeps nothing alive', { timeout: 60_000 }, () =>
    withCounting({ holdMs: 0 }, (server) =>
      inTemp(async (folder) => {
        const run = await runCli(['--all', '--limit', '5', '--server', `${server.url}/flags`, '--rate', '0.01', '--verbose', '--dest', folder], {
          onStdout: (text, child) => {
            if (/^[A-Z]{2} {2}ok/m.test(text) && !child.killed) child.kill('SIGINT');
          },
        });
        assert.equal(run.code, 130, run.stderr);
        assert.match(run.stdout, /Interrupted: 1 of 5 flags finished, 4 not attempted/);
        assert.equal(server.arrivals.length, 1);
      }),
    ),
  );
});

test('bad values: exit 2 naming the value, and the same message from the API', () =>
  inTemp(async (folder) => {
    const dest = join(folder, 'out');
    const cases: [string[], Parameters<typeof download>[0], string][] = [
      [['--rate', '0'], { rate: 0 }, '--rate must be a number > 0, got 0'],
      [['--rate', '-1'], { rate: -1 }, '--rate must be a number > 0, got -1'],
      [['--rate', 'abc'], { rate: 'abc' as never }, '--rate must be a number > 0, got "abc"'],
      [['--per-host', '0'], { perHost: 0 }, '--per-host must be a whole number >= 1, got 0'],
      [['--per-host', '1.5'], { perHost: 1.5 }, '--per-host must be a whole number >= 1, got 1.5'],
    ];
    for (const [args, options, message] of cases) {
      const run = await runCli(['--server', 'local', '--dest', dest, ...args]);
      assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
      assert.equal(/^flags: (.*)$/m.exec(run.stderr)?.[1], message);
      assert.throws(() => download({ ...options, dest }), isOptionError(Object.keys(options!)[0], inPropertyWords(message)), message);
    }
  }));
