import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { hostname, tmpdir } from 'node:os';
import { runDownload } from '../src/schedule/run.js';
import { startFlagServer } from '../src/server/flag-server.js';
import { serverOptions } from '../src/server/server-options.js';
import { threadsWith } from '../src/schedule/strategies/threads.js';
import { tempPrefixFor } from '../src/store/destination.js';
import { startCli, until } from './helpers/cli-child.js';
import { filesIn, inTemp, parseReport, runCli } from './helpers/fixtures.js';
import { redisMissing, withRedis } from './helpers/redis.js';

const MiB = 1024 * 1024;

interface RangeServerOptions {
  /** Answer every request whole (200), as a server without ranges does. */
  ignoreRanges?: boolean;
  /** After this many requests the file is another one, with another ETag. */
  changeAfter?: number;
  /** The answer to the first request for a range that starts here is cut halfway. */
  cutOnceAt?: number;
  /** Every request for a range that starts here is answered 500 (until `heal`). */
  failAt?: number;
  /** Each answer sends this many bytes, then nothing more (until `heal`): a stalled server. */
  stallAfter?: number;
}

/**
 * A file server made for these tests: one file, strong ETag, `Range: bytes=A-B` and `bytes=A-`
 * with `If-Range` (the whole file when the tag no longer matches), faults on a range, a log of
 * every Range asked for, and the most requests it ever had in flight at once.
 */
async function rangeServer(first: Buffer, options: RangeServerOptions = {}) {
  let body = first;
  let etag = tagOf(body);
  const requests: { range?: string; ifRange?: string; status: number }[] = [];
  let cut = options.cutOnceAt;
  let failAt = options.failAt;
  let stallAfter = options.stallAfter;
  let stalled = 0;
  let inFlight = 0;
  let mostInFlight = 0;
  const server = createServer((request, response) => {
    inFlight++;
    mostInFlight = Math.max(mostInFlight, inFlight);
    response.once('close', () => inFlight--);
    if (options.changeAfter !== undefined && requests.length === options.changeAfter) {
      body = randomBytes(body.length);
      etag = tagOf(body);
    }
    const asked = /^bytes=(\d+)-(\d*)$/.exec(request.headers.range ?? '');
    const ifRange = request.headers['if-range'];
    const honoured = asked !== null && !options.ignoreRanges && (ifRange === undefined || ifRange === etag);
    const start = honoured ? Number(asked[1]) : 0;
    const end = honoured && asked[2] !== '' ? Math.min(body.length, Number(asked[2]) + 1) : body.length;
    const status = start === failAt ? 500 : honoured ? 206 : 200;
    requests.push({ range: request.headers.range, ifRange: typeof ifRange === 'string' ? ifRange : undefined, status });
    if (status === 500) return response.writeHead(500).end();
    const headers = { etag, 'content-length': end - start, 'accept-ranges': 'bytes' };
    response.writeHead(status, status === 206 ? { ...headers, 'content-range': `bytes ${start}-${end - 1}/${body.length}` } : headers);
    const part = body.subarray(start, end);
    if (stallAfter !== undefined) {
      response.write(part.subarray(0, stallAfter), () => stalled++);
      return;
    }
    if (start === cut) {
      cut = undefined;
      response.write(part.subarray(0, Math.floor(part.length / 2)), () => response.destroy());
      return;
    }
    response.end(part);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/big.bin`,
    requests,
    body: () => body,
    get mostInFlight() {
      return mostInFlight;
    },
    /** Answers that sent their bytes and stall. */
    get stalled() {
      return stalled;
    },
    heal: () => {
      failAt = undefined;
      stallAfter = undefined;
    },
    /** The file is another one from now on, with another ETag. */
    change: () => {
      body = randomBytes(body.length);
      etag = tagOf(body);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const tagOf = (body: Buffer) => `"${createHash('sha256').update(body).digest('hex').slice(0, 16)}"`;

type Server = Awaited<ReturnType<typeof rangeServer>>;

/** Runs the CLI on a one-line list of the server's file into `{folder}/out`, with `args`. */
async function fetchSplit(folder: string, server: Server, args: string[]) {
  const list = join(folder, 'list.txt');
  await writeFile(list, `${server.url}\n`);
  return runCli(['-i', list, '--dest', join(folder, 'out'), '--retry-delay', '0', '--json', ...args]);
}

async function withRangeServer(body: Buffer, options: RangeServerOptions, use: (server: Server, folder: string) => Promise<void>) {
  const server = await rangeServer(body, options);
  try {
    await inTemp((folder) => use(server, folder));
  } finally {
    await server.close();
  }
}

/** Runs the CLI until `stalls` answers have sent their bytes and stalled, then Ctrl-C: it must exit 130. */
async function interruptWhenStalled(server: Server, args: string[], stalls: number) {
  const run = startCli(args);
  try {
    await until(`${stalls} answers sent and stalled`, () => server.stalled === stalls);
    // The bytes sent are read and gathered before the stop.
    await new Promise((wait) => setTimeout(wait, 300));
    run.child.kill('SIGINT');
    assert.deepEqual(await run.exited(15_000), { code: 130, signal: null }, run.stderr());
  } finally {
    run.child.kill('SIGKILL');
  }
}

/** The ranges asked for after the first request, which asks for them all, in file order (slots ask in any). */
const rangesAsked = (server: Server) =>
  server.requests
    .slice(1)
    .map((request) => request.range ?? '')
    .sort((a, b) => Number(/\d+/.exec(a)?.[0]) - Number(/\d+/.exec(b)?.[0]));

describe('--split: one file as ranges at once', () => {
  for (const mode of [
    ['--mode', 'threads', '--threads', '2', '--concurrency', '2'],
    ['--mode', 'async', '--concurrency', '4'],
    ['--mode', 'sequential'],
  ]) {
    it(`fetches the file as 4 ranges into one file, each with If-Range, one result (${mode[1]})`, async () => {
      const body = randomBytes(8 * MiB);
      await withRangeServer(body, {}, async (server, folder) => {
        const run = await fetchSplit(folder, server, [...mode, '--split', '4', '--split-min', String(MiB), '--sha256']);
        assert.equal(run.code, 0, run.stderr);
        const report = parseReport(run);
        assert.equal(report.results.length, 1);
        assert.equal(report.results[0]!.bytes, body.length);
        assert.equal(report.results[0]!.ranges, 4);
        assert.equal(report.results[0]!.sha256, createHash('sha256').update(body).digest('hex'));
        assert.deepEqual(await readFile(join(folder, 'out', 'big.bin')), body);
        assert.equal(server.requests[0]!.range, 'bytes=0-');
        assert.deepEqual(rangesAsked(server), [`bytes=${2 * MiB}-${4 * MiB - 1}`, `bytes=${4 * MiB}-${6 * MiB - 1}`, `bytes=${6 * MiB}-${8 * MiB - 1}`]);
        assert.ok(
          server.requests.slice(1).every((request) => request.ifRange === tagOf(body)),
          'every range asked with If-Range',
        );
        assert.deepEqual(await filesIn(join(folder, 'out')), ['SHA256SUMS', 'big.bin']);
        if (mode[1] !== 'sequential') assert.ok(server.mostInFlight > 1, `at most ${server.mostInFlight} request in flight`);
      });
    });
  }

  it('a server that ignores ranges gets one stream', async () => {
    const body = randomBytes(4 * MiB);
    await withRangeServer(body, { ignoreRanges: true }, async (server, folder) => {
      const run = await fetchSplit(folder, server, ['--mode', 'async', '--split', '4', '--split-min', String(MiB)]);
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(await readFile(join(folder, 'out', 'big.bin')), body);
      assert.equal(server.requests.length, 1);
      assert.equal(parseReport(run).results[0]!.ranges, undefined);
    });
  });

  it('a file no larger than --split-min is one stream, its 206 of the whole file the body', async () => {
    const body = randomBytes(2 * MiB);
    await withRangeServer(body, {}, async (server, folder) => {
      const run = await fetchSplit(folder, server, ['--mode', 'async', '--split', '4', '--split-min', String(2 * MiB)]);
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(await readFile(join(folder, 'out', 'big.bin')), body);
      assert.deepEqual(
        server.requests.map((request) => request.status),
        [206],
      );
    });
  });

  it('a file that changes on the server mid-way is never stitched from two: the next attempt fetches the new one whole', async () => {
    await withRangeServer(randomBytes(8 * MiB), { changeAfter: 1 }, async (server, folder) => {
      const run = await fetchSplit(folder, server, ['--mode', 'async', '--split', '4', '--split-min', String(MiB)]);
      assert.equal(run.code, 0, run.stderr);
      assert.ok(
        server.requests.some((request) => request.ifRange !== undefined && request.status === 200),
        'a range was answered with the whole, changed file',
      );
      assert.deepEqual(await readFile(join(folder, 'out', 'big.bin')), server.body());
      assert.equal(parseReport(run).results[0]!.attempts, 2);
    });
  });

  it('a range cut short is asked again from the byte where it stopped, a retry in the report and in --verbose', async () => {
    const body = randomBytes(8 * MiB);
    await withRangeServer(body, { cutOnceAt: 4 * MiB }, async (server, folder) => {
      const run = await fetchSplit(folder, server, ['--mode', 'threads', '--threads', '2', '--concurrency', '2', '--split', '4', '--split-min', String(MiB)]);
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(await readFile(join(folder, 'out', 'big.bin')), body);
      assert.ok(rangesAsked(server).includes(`bytes=${5 * MiB}-${6 * MiB - 1}`), JSON.stringify(rangesAsked(server)));
      assert.equal(parseReport(run).results[0]!.attempts, 2);
    });
    await withRangeServer(body, { cutOnceAt: 4 * MiB }, async (server, folder) => {
      const list = join(folder, 'list.txt');
      await writeFile(list, `${server.url}\n`);
      const run = await runCli(['-i', list, '--dest', join(folder, 'out'), '--retry-delay', '0', '--mode', 'async', '--split', '4', '--split-min', String(MiB), '--verbose'], {
        env: { ...process.env, COLUMNS: '200' },
      });
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /^Retries: 1 file needed them \(1 retry in all\); 1 of them then succeeded$/m);
      assert.match(run.stdout, /^big\.bin .* ok .* in 4 ranges {2}after 2 attempts$/m);
      assert.match(run.stdout + run.stderr, /bytes=4194304-6291455: body cut short/);
    });
  });

  for (const mode of ['threads', 'async']) {
    it(`a range that keeps failing fails the file, named, and leaves nothing behind (${mode})`, async () => {
      await withRangeServer(randomBytes(8 * MiB), { failAt: 6 * MiB }, async (server, folder) => {
        const run = await fetchSplit(folder, server, ['--mode', mode, '--split', '4', '--split-min', String(MiB), '--retries', '1']);
        assert.equal(run.code, 1, run.stderr);
        const [result] = parseReport(run).results;
        assert.equal(result!.status, 'error');
        assert.equal(result!.error, `HTTP 500 to bytes=${6 * MiB}-${8 * MiB - 1}`);
        // The range's one retry, counted as the item's.
        assert.equal(result!.attempts, 2);
        assert.deepEqual(await filesIn(join(folder, 'out')), []);
      });
    });
  }

  it('--continue keeps the ranges fetched: the next run asks only for the rest, as ranges again', async () => {
    const body = randomBytes(8 * MiB);
    await withRangeServer(body, { failAt: 6 * MiB }, async (server, folder) => {
      const first = await fetchSplit(folder, server, ['--mode', 'async', '--split', '4', '--split-min', String(MiB), '--retries', '0', '--continue']);
      assert.equal(first.code, 1, first.stderr);
      assert.deepEqual(await filesIn(join(folder, 'out')), ['big.bin.part', 'big.bin.part.json']);
      const record = JSON.parse(await readFile(join(folder, 'out', 'big.bin.part.json'), 'utf8')) as { spans: number[][]; total: number };
      assert.deepEqual(record.spans, [[0, 6 * MiB]]);
      assert.equal(record.total, body.length);
      server.heal();
      const before = server.requests.length;
      const second = await fetchSplit(folder, server, ['--mode', 'async', '--split', '4', '--split-min', String(MiB), '--continue']);
      assert.equal(second.code, 0, second.stderr);
      assert.deepEqual(
        server.requests.slice(before).map((request) => [request.range, request.ifRange]),
        [
          [`bytes=${6 * MiB}-`, tagOf(body)],
          [`bytes=${7 * MiB}-${8 * MiB - 1}`, tagOf(body)],
        ],
      );
      assert.deepEqual(await readFile(join(folder, 'out', 'big.bin')), body);
      assert.deepEqual(await filesIn(join(folder, 'out')), ['big.bin']);
    });
  });

  it('--continue --split on a file changed since its .part: the new file is fetched anew, as ranges, not as one stream', async () => {
    const body = randomBytes(8 * MiB);
    await withRangeServer(body, { failAt: 6 * MiB }, async (server, folder) => {
      const split = ['--mode', 'async', '--split', '4', '--split-min', String(MiB), '--continue'];
      const first = await fetchSplit(folder, server, [...split, '--retries', '0']);
      assert.equal(first.code, 1, first.stderr);
      assert.deepEqual(await filesIn(join(folder, 'out')), ['big.bin.part', 'big.bin.part.json']);
      server.heal();
      server.change();
      const before = server.requests.length;
      const second = await fetchSplit(folder, server, split);
      assert.equal(second.code, 0, second.stderr);
      const asked = server.requests.slice(before);
      // The part's If-Range, answered whole; the new file's first ask; then its other ranges, each with its tag.
      assert.deepEqual(asked.slice(0, 2), [
        { range: `bytes=${6 * MiB}-`, ifRange: tagOf(body), status: 200 },
        { range: 'bytes=0-', ifRange: undefined, status: 206 },
      ]);
      assert.equal(asked.length, 5, JSON.stringify(asked));
      assert.ok(
        asked.slice(2).every((request) => /^bytes=\d+-\d+$/.test(request.range ?? '') && request.ifRange === tagOf(server.body()) && request.status === 206),
        JSON.stringify(asked),
      );
      assert.deepEqual(await readFile(join(folder, 'out', 'big.bin')), server.body());
      assert.deepEqual(await filesIn(join(folder, 'out')), ['big.bin']);
    });
  });

  for (const mode of ['threads', 'async']) {
    it(`--per-host counts every range: one request at a time with --per-host 1 (${mode})`, async () => {
      const body = randomBytes(8 * MiB);
      await withRangeServer(body, {}, async (server, folder) => {
        const run = await fetchSplit(folder, server, ['--mode', mode, '--split', '4', '--split-min', String(MiB), '--per-host', '1']);
        assert.equal(run.code, 0, run.stderr);
        assert.deepEqual(await readFile(join(folder, 'out', 'big.bin')), body);
        assert.equal(server.requests.length, 4);
        assert.equal(server.mostInFlight, 1);
      });
    });
  }

  for (const resume of [false, true]) {
    it(`Ctrl-C with every range in flight: exit 130, ${resume ? 'the .part keeps the bytes of every range, and the next run fetches only the rest' : 'nothing left behind'}`, async () => {
      const body = randomBytes(8 * MiB);
      const stallAfter = 300 * 1024;
      await withRangeServer(body, { stallAfter }, async (server, folder) => {
        const list = join(folder, 'list.txt');
        const out = join(folder, 'out');
        await writeFile(list, `${server.url}\n`);
        const split = ['--mode', 'threads', '--threads', '2', '--concurrency', '2', '--split', '4', '--split-min', String(MiB)];
        const args = ['-i', list, '--dest', out, ...split, ...(resume ? ['--continue'] : [])];
        await interruptWhenStalled(server, args, 4);
        if (!resume) {
          assert.deepEqual(await filesIn(out), []);
          return;
        }
        assert.deepEqual(await filesIn(out), ['big.bin.part', 'big.bin.part.json']);
        const { spans } = JSON.parse(await readFile(join(out, 'big.bin.part.json'), 'utf8')) as { spans: number[][] };
        const starts = [0, 2 * MiB, 4 * MiB, 6 * MiB];
        assert.deepEqual(
          spans,
          starts.map((start) => [start, start + stallAfter]),
        );
        server.heal();
        const before = server.requests.length;
        const again = await runCli([...args, '--json']);
        assert.equal(again.code, 0, again.stderr);
        assert.deepEqual(await readFile(join(out, 'big.bin')), body);
        const asked = server.requests.slice(before).map((request) => Number(/^bytes=(\d+)-/.exec(request.range ?? '')?.[1]));
        assert.deepEqual(
          asked.sort((a, b) => a - b),
          starts.map((start) => start + stallAfter),
        );
      });
    });
  }

  it('a worker that dies with a range in hand: the range goes to another thread, the file is whole', async () => {
    const body = randomBytes(8 * MiB);
    const marker = join(tmpdir(), `flags-piece-crash-${process.pid}-${Math.random()}`);
    process.env.FLAGS_TEST_CRASH_MARKER = marker;
    try {
      await withRangeServer(body, {}, async (server, folder) => {
        const report = await runDownload([{ url: server.url, file: 'big.bin' }], {
          server: server.url,
          strategy: threadsWith(new URL('./fixtures/piece-crashing-worker.js', import.meta.url).href),
          mode: 'threads',
          threads: 2,
          concurrency: 1,
          partition: 'dynamic',
          dest: folder,
          timeoutMs: 10_000,
          maxBytes: Number.POSITIVE_INFINITY,
          tempPrefix: tempPrefixFor(),
          retries: 0,
          retryDelayMs: 0,
          existing: 'replace',
          insecure: false,
          split: 4,
          splitMin: MiB,
        });
        assert.equal(report.results[0]!.status, 'ok', report.results[0]!.error);
        assert.deepEqual(await readFile(join(folder, 'big.bin')), body);
        assert.deepEqual(await filesIn(folder), ['big.bin']);
      });
      // The marker proves a worker did die with a range in hand.
      assert.ok(existsSync(marker), 'no worker was handed a range');
    } finally {
      delete process.env.FLAGS_TEST_CRASH_MARKER;
      await rm(marker, { force: true });
    }
  });

  it('the embedded server (serve --dir) answers every range: the file is whole, in ranges', async () => {
    await inTemp(async (folder) => {
      const body = randomBytes(8 * MiB);
      await mkdir(join(folder, 'www'));
      await writeFile(join(folder, 'www', 'big.bin'), body);
      const server = await startFlagServer(serverOptions('local', { dir: join(folder, 'www') }));
      try {
        const list = join(folder, 'list.txt');
        await writeFile(list, `${server.baseUrl}/big.bin\n`);
        const run = await runCli(['-i', list, '--dest', join(folder, 'out'), '--mode', 'async', '--split', '4', '--split-min', String(MiB)]);
        assert.equal(run.code, 0, run.stderr);
        assert.deepEqual(await readFile(join(folder, 'out', 'big.bin')), body);
        // What each range of the split was answered: its bytes, with If-Range; the whole file once the tag is another.
        const etag = (await fetch(`${server.baseUrl}/big.bin`, { method: 'HEAD' })).headers.get('etag')!;
        const range = await fetch(`${server.baseUrl}/big.bin`, { headers: { range: `bytes=${2 * MiB}-${4 * MiB - 1}`, 'if-range': etag } });
        assert.equal(range.status, 206);
        assert.equal(range.headers.get('content-range'), `bytes ${2 * MiB}-${4 * MiB - 1}/${8 * MiB}`);
        assert.deepEqual(Buffer.from(await range.arrayBuffer()), body.subarray(2 * MiB, 4 * MiB));
        const changed = await fetch(`${server.baseUrl}/big.bin`, { headers: { range: `bytes=${2 * MiB}-${4 * MiB - 1}`, 'if-range': '"another"' } });
        assert.equal(changed.status, 200);
        await changed.arrayBuffer();
      } finally {
        await server.close();
      }
    });
  });

  for (const mode of [
    ['--mode', 'threads', '--threads', '2', '--concurrency', '2'],
    ['--mode', 'async', '--concurrency', '4'],
  ]) {
    it(`SIGKILL mid-split with --continue: the record, kept up to date as the ranges run, keeps their bytes on disk, and the next run, without --split, fetches only the rest (${mode[1]})`, async () => {
      const body = randomBytes(8 * MiB);
      const stallAfter = 300 * 1024;
      await withRangeServer(body, { stallAfter }, async (server, folder) => {
        const list = join(folder, 'list.txt');
        const out = join(folder, 'out');
        const record = join(out, 'big.bin.part.json');
        await writeFile(list, `${server.url}\n`);
        const run = startCli(['-i', list, '--dest', out, ...mode, '--split', '4', '--split-min', String(MiB), '--continue']);
        const spansNow = async () => (JSON.parse(await readFile(record, 'utf8').catch(() => '{}')) as { spans?: number[][] }).spans ?? [];
        let spans: number[][] = [];
        try {
          await until('every range answered and stalled', () => server.stalled === 4);
          // The ranges' first batches are on disk: within a record's period or two, the record says so.
          for (const deadline = Date.now() + 15_000; Date.now() < deadline; await new Promise((wait) => setTimeout(wait, 100))) {
            spans = await spansNow();
            if (spans.length === 4) break;
          }
        } finally {
          run.child.kill('SIGKILL');
        }
        await run.exited(15_000);
        const starts = [0, 2 * MiB, 4 * MiB, 6 * MiB];
        assert.deepEqual(
          spans.map(([start]) => start),
          starts,
          `recorded: ${JSON.stringify(spans)}`,
        );
        assert.ok(
          spans.every(([start, end]) => end! > start! && end! - start! <= stallAfter),
          `recorded: ${JSON.stringify(spans)}`,
        );
        // A killed run leaves its lock too: the next one takes it over, as its process is gone.
        assert.deepEqual(await filesIn(out), ['big.bin.part', 'big.bin.part.json', 'big.bin.part.lock']);
        server.heal();
        const before = server.requests.length;
        const again = await runCli(['-i', list, '--dest', out, '--continue', '--json']);
        assert.equal(again.code, 0, again.stderr);
        assert.deepEqual(await readFile(join(out, 'big.bin')), body);
        assert.deepEqual(await filesIn(out), ['big.bin']);
        const asked = server.requests.slice(before).map((request) => Number(/^bytes=(\d+)-/.exec(request.range ?? '')?.[1]));
        assert.deepEqual(
          asked.sort((a, b) => a - b),
          spans.map(([, end]) => end),
        );
      });
    });
  }

  it('--continue --split on the .part of a plain run: its bytes are kept as the first span, and the rest is fetched as ranges', async () => {
    const body = randomBytes(8 * MiB);
    const stallAfter = 300 * 1024;
    await withRangeServer(body, { stallAfter }, async (server, folder) => {
      const list = join(folder, 'list.txt');
      const out = join(folder, 'out');
      await writeFile(list, `${server.url}\n`);
      await interruptWhenStalled(server, ['-i', list, '--dest', out, '--mode', 'async', '--continue'], 1);
      const kept = (await readFile(join(out, 'big.bin.part'))).length;
      assert.ok(kept > 0 && kept <= stallAfter, `${kept} bytes kept`);
      server.heal();
      const before = server.requests.length;
      const again = await runCli(['-i', list, '--dest', out, '--mode', 'async', '--concurrency', '4', '--split', '4', '--split-min', String(MiB), '--continue', '--json']);
      assert.equal(again.code, 0, again.stderr);
      assert.deepEqual(await readFile(join(out, 'big.bin')), body);
      assert.deepEqual(await filesIn(out), ['big.bin']);
      const asked = server.requests.slice(before);
      assert.equal(asked[0]!.range, `bytes=${kept}-`);
      assert.ok(asked.length > 2, `${asked.length} requests: ${JSON.stringify(asked)}`);
      assert.ok(
        asked.slice(1).every((request) => /^bytes=\d+-\d+$/.test(request.range ?? '') && request.ifRange === tagOf(body)),
        JSON.stringify(asked),
      );
    });
  });

  it('a file over --max-size is refused, not split', async () => {
    await withRangeServer(randomBytes(8 * MiB), {}, async (server, folder) => {
      const run = await fetchSplit(folder, server, ['--mode', 'async', '--split', '4', '--split-min', String(MiB), '--max-size', String(4 * MiB)]);
      assert.equal(run.code, 1, run.stderr);
      assert.match(parseReport(run).results[0]!.error!, /exceeds the 4194304-byte cap/);
      assert.equal(server.requests.length, 1);
      assert.deepEqual(await filesIn(join(folder, 'out')), []);
    });
  });
});

describe('--continue: one run at a time writes a .part', () => {
  it("a second run meets the first one's lock: that file fails, named, without a request; a lock whose process is gone is taken over", async () => {
    const body = randomBytes(4 * MiB);
    await withRangeServer(body, { stallAfter: 256 * 1024 }, async (server, folder) => {
      const list = join(folder, 'list.txt');
      const out = join(folder, 'out');
      await writeFile(list, `${server.url}\n`);
      const first = startCli(['-i', list, '--dest', out, '--continue', '--mode', 'async']);
      try {
        await until('the first run stalled', () => server.stalled === 1);
        const second = await runCli(['-i', list, '--dest', out, '--continue', '--mode', 'async', '--json']);
        assert.equal(second.code, 1, second.stderr);
        const [result] = parseReport(second).results;
        assert.equal(result?.error, `${join(out, 'big.bin.part.lock')}: process ${first.child.pid} is downloading this file into the same folder; if none is, remove the lock`);
        assert.equal(result?.attempts, 1, 'not retried: the other run would still hold it');
        assert.equal(server.requests.length, 1, 'the second run asked for nothing');
        first.child.kill('SIGINT');
        assert.deepEqual(await first.exited(15_000), { code: 130, signal: null }, first.stderr());
      } finally {
        first.child.kill('SIGKILL');
      }
      assert.deepEqual(await filesIn(out), ['big.bin.part', 'big.bin.part.json']);
      // This process has run and ended: its lock is stale.
      const gone = spawnSync(process.execPath, ['-e', '0']).pid;
      await writeFile(join(out, 'big.bin.part.lock'), `${gone} ${hostname()}`);
      server.heal();
      const third = await runCli(['-i', list, '--dest', out, '--continue', '--json']);
      assert.equal(third.code, 0, third.stderr);
      assert.deepEqual(await readFile(join(out, 'big.bin')), body);
      assert.deepEqual(await filesIn(out), ['big.bin']);
    });
  });
});

describe('--split on a queue (a real Redis on loopback)', { skip: redisMissing }, () => {
  it('enqueue --split 4: the worker that takes the job fetches its ranges over its threads, into one whole file', () =>
    withRedis((redis) =>
      withRangeServer(randomBytes(8 * MiB), {}, async (server, folder) => {
        const queue = `${redis.url}/split`;
        const list = join(folder, 'list.txt');
        await writeFile(list, `${server.url}\n`);
        const enqueued = await runCli(['enqueue', '-i', list, '--split', '4', '--split-min', String(MiB), '--queue', queue]);
        assert.equal(enqueued.code, 0, enqueued.stderr);
        const worker = await runCli(['worker', '--queue', queue, '--dest', join(folder, 'out'), '--threads', '2', '--concurrency', '2', '--exit-when-drained']);
        assert.equal(worker.code, 0, worker.stderr);
        assert.deepEqual(await readFile(join(folder, 'out', 'big.bin')), server.body());
        assert.deepEqual(rangesAsked(server), [`bytes=${2 * MiB}-${4 * MiB - 1}`, `bytes=${4 * MiB}-${6 * MiB - 1}`, `bytes=${6 * MiB}-${8 * MiB - 1}`]);
        assert.ok(server.mostInFlight > 1, `at most ${server.mostInFlight} request in flight`);
        assert.deepEqual(await filesIn(join(folder, 'out')), ['big.bin']);
        const report = await runCli(['report', '--queue', queue, '--json']);
        assert.equal(report.code, 0, report.stderr);
        const { results } = JSON.parse(report.stdout) as { results: { status: string; bytes: number }[] };
        assert.deepEqual(
          results.map(({ status, bytes }) => ({ status, bytes })),
          [{ status: 'ok', bytes: 8 * MiB }],
        );
      }),
    ));
});
