import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { once } from 'node:events';
import { lstat, mkdir, readFile, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { threadId } from 'node:worker_threads';
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { tempPrefixFor } from '../src/store/destination.js';
import { downloadItem } from '../src/fetch/download-item.js';
import { flagItems } from '../src/input/items.js';
import { writeNewFile } from '../src/store/exclusive-file.js';
import { MAX_DURATION_MS } from '../src/options/checks.js';
import { writeWhole } from '../src/report/output-file.js';
import { planAnswer } from '../src/server/fault-plan.js';
import type { FetchOptions, RunReport } from '../src/types.js';
import { cliPath, filesIn, inTemp, sourceFlag, testTls, withServer } from './helpers/fixtures.js';

/** Longer than any run here should take: past it the child is killed and the test fails as hung. */
const HANG_GUARD_MS = 30_000;

interface GuardedRun {
  code: number | null;
  stdout: string;
  stderr: string;
  hung: boolean;
}

/** Runs a command, killed if it outlives the hang guard; `onOutput` sees stdout and stderr as they grow. */
async function runGuarded(
  command: string,
  args: string[],
  { env, cwd, onOutput }: { env?: NodeJS.ProcessEnv; cwd?: string; onOutput?: (stdout: string, stderr: string) => void } = {},
): Promise<GuardedRun> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env }, cwd });
  let stdout = '';
  let stderr = '';
  let hung = false;
  const guard = setTimeout(() => {
    hung = true;
    child.kill('SIGKILL');
  }, HANG_GUARD_MS);
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk;
    onOutput?.(stdout, stderr);
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk;
    onOutput?.(stdout, stderr);
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(guard);
  return { code, stdout, stderr, hung };
}

/** The CLI, in `cwd` if given: where a run that should have been refused would put its `downloaded` folder. */
const cli = (args: string[], { cwd, onOutput }: { cwd?: string; onOutput?: (stdout: string, stderr: string) => void } = {}) =>
  runGuarded(process.execPath, [cliPath, ...args], { cwd, onOutput });

/**
 * Runs the CLI after `plant` (a shell command) has run in the same process: `exec` keeps the pid,
 * so `$$` in `plant` is the CLI's own pid, the one in the names it will choose.
 */
const cliAfter = (plant: string, args: string[], env: NodeJS.ProcessEnv) =>
  runGuarded('/bin/sh', ['-c', `${plant} && exec "$0" "$@"`, process.execPath, cliPath, ...args], { env });

const noStackTrace = (run: GuardedRun) => assert.doesNotMatch(run.stdout + run.stderr, /\n\s+at /, 'no stack trace');
const report = (run: GuardedRun) => JSON.parse(run.stdout) as RunReport;
const mkfifo = (path: string) => execFileSync('mkfifo', [path]);

/** A node:http server on loopback answering with `handler`; it keeps each request's path and headers. */
async function withHostileServer(handler: RequestListener, use: (baseUrl: string, requests: { url: string; headers: IncomingHttpHeaders }[]) => Promise<void>) {
  const requests: { url: string; headers: IncomingHttpHeaders }[] = [];
  const server = createServer((request, response) => {
    requests.push({ url: request.url!, headers: request.headers });
    handler(request, response);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    await use(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests);
  } finally {
    server.closeAllConnections();
    server.close();
  }
}

/** A file that must keep its bytes: what a planted link points at, or a good flag already saved. */
async function keeper(path: string, text: string): Promise<() => Promise<void>> {
  await writeFile(path, text);
  // An old mtime, so that even a rewrite of the same bytes would show.
  const old = new Date('2001-01-01T00:00:00Z');
  await utimes(path, old, old);
  return async () => {
    assert.equal(await readFile(path, 'utf8'), text, `${path} keeps its bytes`);
    assert.equal((await lstat(path)).mtime.getTime(), old.getTime(), `${path} was not written`);
  };
}

describe('our own files never touch what is planted in dest', () => {
  test('a symlink at the write probe’s name: the run goes on, the file it points at outside dest keeps its bytes', { timeout: 60_000 }, async () => {
    await inTemp(async (folder) => {
      const dest = join(folder, 'dest');
      await mkdir(dest);
      const intact = await keeper(join(folder, 'outside.txt'), 'not yours');
      const run = await cliAfter('ln -s "$OUTSIDE" "$DEST/.flags-probe-$$"', ['BR', '--server', 'local', '--dest', dest, '--json'], {
        OUTSIDE: join(folder, 'outside.txt'),
        DEST: dest,
      });
      assert.equal(run.code, 0, run.stderr);
      assert.equal(report(run).ok, 1);
      await intact();
      const planted = (await filesIn(dest)).filter((name) => name.startsWith('.flags-probe-'));
      assert.equal(planted.length, 1, 'the planted link stays, and no probe is left');
      assert.ok((await lstat(join(dest, planted[0]!))).isSymbolicLink());
    });
  });

  test('a FIFO at the write probe’s name: no hang, the run goes on', { timeout: 60_000 }, async () => {
    await inTemp(async (folder) => {
      const run = await cliAfter('mkfifo "$DEST/.flags-probe-$$"', ['BR', '--server', 'local', '--dest', folder, '--json'], { DEST: folder });
      assert.equal(run.hung, false, 'the run ended by itself');
      assert.equal(run.code, 0, run.stderr);
      assert.equal(report(run).ok, 1);
      const planted = (await filesIn(folder)).filter((name) => name.startsWith('.flags-probe-'));
      assert.equal(planted.length, 1);
      assert.ok((await lstat(join(folder, planted[0]!))).isFIFO());
    });
  });

  test('a symlink and a FIFO at the names of a download’s temporary files: stepped around, the flags saved whole', { timeout: 60_000 }, async () => {
    await inTemp(async (folder) => {
      const dest = join(folder, 'dest');
      await mkdir(dest);
      const intact = await keeper(join(folder, 'outside.txt'), 'not yours');
      const tempPrefix = tempPrefixFor();
      // The names the first tries take: this run's prefix, this thread, the thread's count of
      // downloads (none before these in this process: the other tests download in children).
      await symlink(join(folder, 'outside.txt'), join(dest, `${tempPrefix}${threadId}-1`));
      mkfifo(join(dest, `${tempPrefix}${threadId}-2`));
      await withServer('local', {}, async (server) => {
        const options: FetchOptions = {
          dest,
          timeoutMs: HANG_GUARD_MS,
          maxBytes: 5_000_000,
          tempPrefix,
          retries: 0,
          retryDelayMs: 0,
          existing: 'replace',
          insecure: false,
        };
        for (const item of flagItems(['br', 'in'], server.baseUrl, 'svg')) {
          const cc = item.cc!;
          assert.deepEqual(await downloadItem({ item, options }), { status: 'ok', bytes: (await sourceFlag(cc)).length }, cc);
          assert.deepEqual(await readFile(join(dest, `${cc}.svg`)), await sourceFlag(cc), cc);
        }
      });
      await intact();
      assert.ok((await lstat(join(dest, `${tempPrefix}${threadId}-1`))).isSymbolicLink());
      assert.ok((await lstat(join(dest, `${tempPrefix}${threadId}-2`))).isFIFO());
      assert.equal((await filesIn(dest)).length, 4, 'the two flags and the two planted entries, no temporary file left');
    });
  });

  test('a symlink at the name of an output file’s temporary: stepped around, the file written whole', { timeout: 60_000 }, async () => {
    await inTemp(async (folder) => {
      const intact = await keeper(join(folder, 'outside.txt'), 'not yours');
      const tempPrefix = tempPrefixFor();
      await symlink(join(folder, 'outside.txt'), join(folder, `${tempPrefix}timeline.svg`));
      await writeWhole(join(folder, 'timeline.svg'), '<svg/>', tempPrefix);
      assert.equal(await readFile(join(folder, 'timeline.svg'), 'utf8'), '<svg/>');
      await intact();
      assert.ok((await lstat(join(folder, `${tempPrefix}timeline.svg`))).isSymbolicLink());
    });
  });

  test('writeNewFile: a name taken by anything gets another, and a free one is used as asked', async () => {
    await inTemp(async (folder) => {
      const path = join(folder, 'probe');
      assert.equal(await writeNewFile(path, 'one'), path);
      const other = await writeNewFile(path, 'two');
      assert.notEqual(other, path);
      assert.ok(other.startsWith(`${path}-`), other);
      assert.equal(await readFile(path, 'utf8'), 'one');
      assert.equal(await readFile(other, 'utf8'), 'two');
    });
  });
});

describe('a body is whole or it is an error', () => {
  const cuts: { coding: string; encode: (body: Buffer) => Buffer; contentLength: boolean; mode: string }[] = [
    { coding: 'gzip', encode: gzipSync, contentLength: true, mode: 'threads' },
    { coding: 'gzip', encode: gzipSync, contentLength: false, mode: 'async' },
    { coding: 'deflate', encode: deflateSync, contentLength: true, mode: 'sequential' },
    { coding: 'deflate', encode: deflateRawSync, contentLength: false, mode: 'threads' },
    { coding: 'br', encode: brotliCompressSync, contentLength: true, mode: 'async' },
  ];
  for (const { coding, encode, contentLength, mode } of cuts) {
    const how = `${coding}${encode === deflateRawSync ? ' (raw)' : ''}, ${contentLength ? 'Content-Length as sent' : 'no Content-Length'}, ${mode}`;
    test(`a ${how} stream cut at 50 bytes: retried, an error, the good file in place untouched`, { timeout: 60_000 }, async () => {
      const flag = await sourceFlag('br');
      const cut = encode(flag).subarray(0, 50);
      await withHostileServer(
        (_, response) => {
          response.writeHead(200, { 'content-type': 'image/svg+xml', 'content-encoding': coding, ...(contentLength ? { 'content-length': cut.length } : {}) });
          response.end(cut);
        },
        async (baseUrl, requests) => {
          await inTemp(async (dest) => {
            const intact = await keeper(join(dest, 'br.svg'), flag.toString());
            const run = await cli(['BR', '--server', baseUrl, '--mode', mode, '--dest', dest, '--retries', '2', '--retry-delay', '0', '--json']);
            assert.equal(run.code, 1, run.stderr);
            const [result] = report(run).results;
            assert.equal(result!.status, 'error');
            assert.match(result!.error!, new RegExp(`${coding} body cut short: it ends before its end marker`), result!.error);
            assert.equal(result!.attempts, 3, 'a cut body is transient: retried');
            assert.equal(requests.length, 3, 'the server saw the retries');
            assert.match(requests[0]!.headers['accept-encoding'] ?? '', /gzip/);
            await intact();
            assert.deepEqual(await filesIn(dest), ['br.svg'], 'no temporary file left');
          });
        },
      );
    });
  }

  test('a 206 Partial Content to a request that asked no range: retried, an error, the good file untouched', { timeout: 60_000 }, async () => {
    const flag = await sourceFlag('br');
    await withHostileServer(
      (_, response) => {
        response.writeHead(206, { 'content-type': 'image/svg+xml', 'content-range': `bytes 0-9/${flag.length}`, 'content-length': 10 });
        response.end(flag.subarray(0, 10));
      },
      async (baseUrl, requests) => {
        await inTemp(async (dest) => {
          const intact = await keeper(join(dest, 'br.svg'), flag.toString());
          const run = await cli(['BR', '--server', baseUrl, '--dest', dest, '--retries', '2', '--retry-delay', '0', '--json']);
          assert.equal(run.code, 1, run.stderr);
          const [result] = report(run).results;
          assert.equal(result!.status, 'error');
          assert.match(result!.error!, /^HTTP 206 Partial Content/);
          assert.equal(result!.attempts, 3);
          assert.equal(requests.length, 3);
          assert.ok(
            requests.every((request) => request.headers.range === undefined),
            'no request asked for a range',
          );
          await intact();
        });
      },
    );
  });

  test('a 204, a coding not asked for, a status text with escape sequences: errors, tried once, nothing saved, nothing raw on the terminal', { timeout: 60_000 }, async () => {
    await withHostileServer(
      (request, response) => {
        if (request.url!.startsWith('/br/')) response.writeHead(204).end();
        else if (request.url!.startsWith('/in/')) response.writeHead(200, { 'content-encoding': 'compress' }).end('\x1f\x9d\x90compressed');
        // Raw on the socket: Node's own writeHead refuses control characters in a status text.
        else response.socket!.end('HTTP/1.1 500 \x1b[2J\x1b]0;owned\x07Oops\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      },
      async (baseUrl) => {
        await inTemp(async (dest) => {
          const run = await cli(['BR', 'IN', 'US', '--server', baseUrl, '--dest', dest, '--retries', '0']);
          assert.equal(run.code, 1, run.stderr);
          assert.match(run.stdout, /BR {2}HTTP 204 No Content/);
          assert.match(run.stdout, /IN {2}Content-Encoding "compress" is not one that was asked for/);
          assert.match(run.stdout, /US {2}HTTP 500 \?\[2J\?]0;owned\?Oops/);
          assert.ok(!run.stdout.includes('\x1b') && !run.stdout.includes('\x07'), 'the server’s control characters do not reach the terminal');
          assert.deepEqual(await filesIn(dest), []);
        });
      },
    );
  });

  test('an error page that never ends is dropped, not read for ever: not_found, at the longest timeout', { timeout: 60_000 }, async () => {
    await withHostileServer(
      (_, response) => {
        response.writeHead(404, { 'content-type': 'text/html' });
        const chunk = Buffer.alloc(64 * 1024, 'x');
        const more = () => {
          while (!response.destroyed && response.write(chunk));
        };
        response.on('drain', more);
        more();
      },
      async (baseUrl) => {
        await inTemp(async (dest) => {
          const run = await cli(['BR', '--server', baseUrl, '--dest', dest, '--timeout', String(MAX_DURATION_MS), '--mode', 'async', '--json']);
          assert.equal(run.hung, false, 'the run ended by itself');
          assert.equal(run.code, 0, run.stderr);
          assert.equal(report(run).notFound, 1);
        });
      },
    );
  });
});

describe('every option has a real range', () => {
  const beyond = String(MAX_DURATION_MS + 1);
  const durations: [string, string[]][] = [
    ['timeout', ['--timeout', beyond]],
    ['timeout', ['--timeout', '3000000000']],
    ['timeout', ['--timeout', String(2 ** 32)]],
    ['latency', ['--latency', beyond]],
    ['jitter', ['--jitter', beyond]],
    ['latency', ['serve', '--latency', beyond]],
    ['jitter', ['serve', '--jitter', beyond]],
    ['timeout', ['compare', '--timeout', '3000000000']],
    ['latency', ['compare', '--latency', beyond]],
  ];
  test('a duration past 2^31 − 1 ms is a usage error that names the maximum', { timeout: 120_000 }, async () => {
    await inTemp(async (cwd) => {
      for (const [option, args] of durations) {
        const run = await cli(args, { cwd });
        assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
        assert.match(run.stderr, new RegExp(`--${option} must be a whole number from \\d+ to ${MAX_DURATION_MS}, got \\d+`), args.join(' '));
        noStackTrace(run);
      }
      const retryDelay = await cli(['--retry-delay', beyond], { cwd });
      assert.equal(retryDelay.code, 2);
      assert.match(retryDelay.stderr, /--retry-delay must be a whole number from 0 to 60000/);
    });
  });

  test('the embedded server never holds an answer past the longest timer, whatever latency and jitter add up to', () => {
    const knobs = { latencyMs: MAX_DURATION_MS, jitterMs: MAX_DURATION_MS, errorRate: 0, seed: 1 };
    const delays = ['br', 'in', 'us', 'cn', 'fr', 'de'].map((cc) => planAnswer(knobs, `${cc}/${cc}.svg`, 0, true).delayMs);
    assert.ok(
      delays.every((delay) => delay >= 0 && delay <= MAX_DURATION_MS),
      String(delays),
    );
    assert.ok(delays.includes(MAX_DURATION_MS), 'a draw above the latency is held to the maximum, not wrapped to 1 ms');
  });

  // Every numeric option of the three commands, in hex or in exponent form by turns: one check reads them all.
  const numeric: Record<string, string[]> = {
    download: ['threads', 'concurrency', 'limit', 'timeout', 'max-size', 'png', 'retries', 'retry-delay', 'latency', 'jitter', 'error-rate', 'seed'],
    serve: ['port', 'latency', 'jitter', 'error-rate', 'seed'],
    compare: ['threads', 'concurrency', 'repeat', 'limit', 'png', 'timeout', 'latency', 'jitter', 'error-rate', 'seed'],
  };
  test('numbers in hex or exponent form are refused by every numeric option of every command, naming what was typed', { timeout: 300_000 }, async () => {
    const cases = Object.entries(numeric).flatMap(([command, options]) => options.map((option, index) => ({ command, option, typed: index % 2 ? '1e1' : '0x10' })));
    const failures: string[] = [];
    await inTemp(async (cwd) => {
      // A few at a time: each is a process start.
      for (let next = 0; next < cases.length; next += 4) {
        await Promise.all(
          cases.slice(next, next + 4).map(async ({ command, option, typed }) => {
            const run = await cli([...(command === 'download' ? [] : [command]), `--${option}`, typed], { cwd });
            const named = run.stderr.includes(`--${option}`) && run.stderr.includes(`"${typed}"`);
            if (run.code !== 2 || !named) failures.push(`${command} --${option} ${typed}: exit ${run.code}, ${run.stderr.split('\n')[0]}`);
          }),
        );
      }
    });
    assert.deepEqual(failures, []);
  });

  test('the same options in plain decimal are taken', { timeout: 60_000 }, async () => {
    await inTemp(async (dest) => {
      const args = ['--threads', '2', '--concurrency', '2', '--limit', '2', '--timeout', '10000', '--max-size', '100000', '--retries', '1', '--retry-delay', '10'];
      const knobs = ['--server', 'error', '--latency', '5', '--jitter', '1', '--error-rate', '0.0', '--seed', '-3'];
      const run = await cli([...args, ...knobs, '--dest', dest, '--json']);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(report(run).ok, 2);
    });
  });
});

describe('every failure is an error, never a stack trace', () => {
  for (const mode of ['threads', 'async']) {
    test(`the destination removed during a ${mode} run: the flags left are errors, the report is printed, exit 1`, { timeout: 60_000 }, async () => {
      await inTemp(async (folder) => {
        const dest = join(folder, 'dest');
        let removed: Promise<void> | undefined;
        const args = ['--server', 'delay', '--latency', '300', '--mode', mode, '--threads', '2', '--concurrency', '2', '--dest', dest];
        const run = await cli(args, {
          onOutput: (stdout) => {
            // The run has proved the folder writable and started: now it goes.
            if (removed === undefined && stdout.includes('Downloading')) removed = rm(dest, { recursive: true, force: true });
          },
        });
        await removed;
        assert.equal(run.code, 1, run.stdout + run.stderr);
        assert.match(run.stdout, /\d+ flags? downloaded, 0 not found, \d+ errors in /);
        assert.match(run.stdout, /× cannot save to \S*dest: ENOENT: no\s+such\s+file\s+or\s+directory\s+\(/);
        noStackTrace(run);
      });
    });
  }

  test('compare with its --chart folder removed during the runs: the table, then the chart named as not written, exit 1', { timeout: 120_000 }, async () => {
    await inTemp(async (folder) => {
      const charts = join(folder, 'charts');
      await mkdir(charts);
      let removed: Promise<void> | undefined;
      const args = ['compare', 'BR', '--threads', '1', '--repeat', '1', '--server', 'local', '--latency', '500', '--chart', join(charts, 'c.svg')];
      const run = await cli(args, {
        onOutput: (_, stderr) => {
          if (removed === undefined && stderr.includes('Comparing')) removed = rm(charts, { recursive: true, force: true });
        },
      });
      await removed;
      assert.equal(run.code, 1, run.stderr);
      assert.match(run.stderr, /flags: cannot write the chart to .*c\.svg: ENOENT/);
      assert.match(run.stdout, /threads/, 'the table is printed');
      noStackTrace(run);
    });
  });

  test('serve with a key that is not the certificate’s: a usage error before listening', { timeout: 60_000 }, async () => {
    await inTemp(async (folder) => {
      const { cert } = await testTls();
      const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
      await writeFile(join(folder, 'cert.pem'), cert);
      await writeFile(join(folder, 'ec-key.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
      await writeFile(join(folder, 'rsa-key.pem'), rsa.export({ type: 'pkcs8', format: 'pem' }));
      for (const key of ['ec-key.pem', 'rsa-key.pem']) {
        const run = await cli(['serve', '--port', '0', '--cert', join(folder, 'cert.pem'), '--key', join(folder, key)]);
        assert.equal(run.hung, false);
        assert.equal(run.code, 2, run.stdout + run.stderr);
        assert.match(run.stderr, /--key does not match --cert: it is not the private key of that certificate/);
        assert.doesNotMatch(run.stdout, /Serving/);
        noStackTrace(run);
      }
    });
  });

  test('--ca, --cert and --key take only a regular file of at most 1 MiB: a device, a FIFO, a big file are usage errors, at once', { timeout: 60_000 }, async () => {
    await inTemp(async (folder) => {
      const fifo = join(folder, 'fifo.pem');
      mkfifo(fifo);
      const big = join(folder, 'big.pem');
      await writeFile(big, Buffer.alloc(1024 * 1024 + 1, 'A'));
      const { key, cert } = await testTls();
      await writeFile(join(folder, 'key.pem'), key);
      await writeFile(join(folder, 'cert.pem'), cert);
      const cases: [string[], RegExp][] = [
        [['--ca', '/dev/zero'], /--ca \/dev\/zero: cannot read it \(not a regular file\)/],
        [['--ca', fifo], /--ca .*fifo\.pem: cannot read it \(not a regular file\)/],
        [['--ca', big], /--ca .*big\.pem: cannot read it \(larger than 1048576 bytes\)/],
        [['serve', '--port', '0', '--cert', fifo, '--key', join(folder, 'key.pem')], /--cert .*fifo\.pem: cannot read it \(not a regular file\)/],
        [['serve', '--port', '0', '--cert', join(folder, 'cert.pem'), '--key', '/dev/zero'], /--key \/dev\/zero: cannot read it \(not a regular file\)/],
      ];
      for (const [args, message] of cases) {
        const run = await cli(args, { cwd: folder });
        assert.equal(run.hung, false, args.join(' '));
        assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
        assert.match(run.stderr, message);
        noStackTrace(run);
      }
    });
  });
});
