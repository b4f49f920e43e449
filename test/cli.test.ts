import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { type AddressInfo, createServer } from 'node:net';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { cliPath, filesIn, inTemp, parseReport, runCli, sourceFlag, withServer } from './helpers/fixtures.js';

describe('flags (the download command)', () => {
  test('all 257 flags on 20 threads: no warning from Node (every pool task listens to one abort signal)', () =>
    inTemp(async (folder) => {
      const run = await runCli(['--all', '--server', 'local', '--dest', folder]);
      assert.equal(run.code, 0, run.stderr);
      assert.doesNotMatch(run.stderr, /Warning/);
    }));

  test('a run on the main thread starts no incremental marking: V8 collects its small heap all at once', () =>
    inTemp(async (folder) => {
      // All 676 codes, the 419 missing ones answered 404: enough allocation that V8's defaults start marking at least once.
      for (const mode of ['async', 'sequential']) {
        const child = spawn(process.execPath, ['--trace-incremental-marking', cliPath, '--every', '--server', 'local', '--mode', mode, '--dest', join(folder, mode)], {
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let trace = '';
        child.stdout.on('data', (chunk: Buffer) => (trace += chunk));
        const [code] = await once(child, 'exit');
        assert.equal(code, 0, mode);
        assert.doesNotMatch(trace, /\[IncrementalMarking\] Start/, mode);
      }
    }));

  test('the default 20 flags from the embedded server: report, files, exit 0', () =>
    inTemp(async (folder) => {
      const run = await runCli(['--server', 'local', '--json'], { cwd: folder });
      assert.equal(run.code, 0, run.stderr);
      const report = parseReport(run);
      for (const key of ['ok', 'notFound', 'error', 'elapsedMs', 'mode', 'threads', 'concurrency', 'results'] as const) assert.ok(key in report, key);
      assert.equal(report.ok, 20);
      assert.equal(report.mode, 'threads');
      assert.equal(report.threads, 20);
      assert.equal(report.concurrency, 1);
      assert.match(run.stderr, /Downloading 20 flags from http:\/\/127\.0\.0\.1:\d+\/flags \(embedded, profile local/);
      const result = report.results.find((entry) => entry.cc === 'br')!;
      assert.deepEqual(Object.keys(result).sort(), ['attempts', 'bytes', 'cc', 'endedAt', 'file', 'ms', 'startedAt', 'status', 'thread', 'url', 'worker']);
      assert.equal(result.file, 'br.svg');
      assert.match(result.url, /\/flags\/br\/br\.svg$/);
      assert.ok(result.thread > 0);
      assert.deepEqual(await readFile(join(folder, 'downloaded', 'br.svg')), await sourceFlag('br'));
      assert.equal((await filesIn(join(folder, 'downloaded'))).length, 20);
    }));

  test('any server by URL, in every mode; --verbose prints a line per flag', () =>
    withServer('local', {}, (server) =>
      inTemp(async (folder) => {
        for (const mode of ['sequential', 'async', 'threads']) {
          const dest = join(folder, mode);
          const run = await runCli(['BR', 'in', 'zz', '--server', server.baseUrl, '--mode', mode, '--concurrency', '2', '--dest', dest, '--verbose']);
          assert.equal(run.code, 0, run.stderr);
          assert.match(run.stdout, new RegExp(`Downloading 3 flags from ${server.baseUrl}\\n`));
          assert.match(run.stdout, /^BR {2}ok +\d[\d,]* bytes/m);
          assert.match(run.stdout, /^ZZ {2}not_found/m);
          assert.match(run.stdout, /2 flags downloaded, 1 not found, 0 errors in \d+\.\d\d s/);
          assert.deepEqual((await filesIn(dest)).sort(), ['br.svg', 'in.svg']);
        }
      }),
    ));

  test('the book layout: flags serve --dir with GIFs, then flags --server URL --ext gif', () =>
    inTemp(async (folder) => {
      const book = join(folder, 'book');
      const gifs = new Map([
        ['br', 'GIF89a-brazil'],
        ['us', 'GIF89a-united-states'],
      ]);
      for (const [cc, body] of gifs) {
        await mkdir(join(book, cc), { recursive: true });
        await writeFile(join(book, cc, `${cc}.gif`), body);
      }
      const server = spawn(process.execPath, [cliPath, 'serve', '--profile', 'local', '--port', '0', '--dir', book]);
      try {
        // Read with a listener: breaking out of a for-await loop would destroy the child's stdout,
        // and the server would die of EPIPE at its next line.
        const baseUrl = await new Promise<string>((resolve) => {
          let banner = '';
          server.stdout.on('data', (chunk: Buffer) => {
            banner += chunk;
            // The tree is at / (`Serving DIR at http://HOST:PORT/`): the base URL for --server has no path.
            const url = / at (http:\S+)\/\n/.exec(banner);
            if (url) resolve(url[1]!);
          });
        });
        const dest = join(folder, 'dest');
        const run = await runCli(['br', 'us', 'fr', '--server', baseUrl, '--ext', 'gif', '--dest', dest, '--json']);
        assert.equal(run.code, 0, run.stderr + run.stdout);
        const report = parseReport(run);
        assert.deepEqual([report.ok, report.notFound], [2, 1]);
        assert.deepEqual((await filesIn(dest)).sort(), ['br.gif', 'us.gif']);
        for (const [cc, body] of gifs) assert.equal(await readFile(join(dest, `${cc}.gif`), 'utf8'), body);
      } finally {
        server.kill('SIGINT');
      }
    }));

  test('the error profile without retries: each code ends once, no temp or partial file, exit 1, errors listed', () =>
    inTemp(async (folder) => {
      // --timeout: a stalled answer ends only by the client's timeout.
      const run = await runCli(['--all', '--server', 'error', '--latency', '0', '--error-rate', '0.3', '--retries', '0', '--timeout', '1000', '--json', '--dest', folder]);
      assert.equal(run.code, 1, run.stderr);
      const report = parseReport(run);
      assert.equal(report.results.length, 257);
      assert.equal(new Set(report.results.map((result) => result.cc)).size, 257);
      assert.ok(report.error > 0);
      const okFiles = report.results.filter((result) => result.status === 'ok').map((result) => `${result.cc}.svg`);
      assert.deepEqual((await filesIn(folder)).sort(), okFiles.sort());
      const text = await runCli(['BR', 'US', '--server', 'error', '--error-rate', '1', '--latency', '0', '--retries', '0', '--timeout', '1000', '--dest', folder]);
      assert.equal(text.code, 1);
      assert.match(text.stdout, /Errors:\n {2}BR {2}\S.*\n {2}US {2}\S/);
    }));

  test('bad input: exit 2, a message naming the problem, nothing downloaded', () =>
    inTemp(async (folder) => {
      const aFile = join(folder, 'a-file');
      await writeFile(aFile, '');
      const dest = join(folder, 'dest');
      const cases: [string[], RegExp][] = [
        [['abc'], /invalid country code "abc"/],
        [['../x'], /invalid country code "\.\.\/x"/],
        [['B1'], /invalid country code "B1"/],
        [['--threads', '0'], /--threads must be a whole number >= 1, got 0/],
        [['--threads', 'abc'], /--threads must be a whole number >= 1, got "abc"/],
        [['--limit', '0'], /--limit must be a whole number >= 1, got 0/],
        [['--mode', 'fast'], /mode.*"fast"/s],
        [['--partition', 'random'], /partition.*"random"/s],
        [['--error-rate', '2'], /--error-rate must be between 0 and 1, got 2/],
        [['--seed', 'abc'], /--seed must be an integer, got "abc"/],
        [['--ext', '../x'], /--ext must be 1 to 8 letters or digits, got "\.\.\/x"/],
        [['--ext', 'svgz12345'], /--ext must be 1 to 8 letters or digits, got "svgz12345"/],
        [['--ext', ''], /--ext must be 1 to 8 letters or digits, got ""/],
        [['--server', 'ftp://example.org'], /only http and https/],
        [['--server', 'http://127.0.0.1:9/flags?x=1'], /--server http:\/\/127\.0\.0\.1:9\/flags\?x=1: a base URL cannot have a query or a fragment/],
        [['--server', 'http://127.0.0.1:9/flags?'], /--server http:\/\/127\.0\.0\.1:9\/flags\?: a base URL cannot have a query or a fragment/],
        [['--server', 'http://127.0.0.1:9/flags#'], /--server http:\/\/127\.0\.0\.1:9\/flags#: a base URL cannot have a query or a fragment/],
        [['--server', 'http://127.0.0.1:9/flags', '--latency', '10'], /--latency tunes the embedded server only/],
        [['--bogus'], /Unknown argument: bogus/],
        [['--mode', 'async', '--mode', 'threads'], /--mode was given more than once \(async, threads\)/],
        [['--dest', join(aFile, 'sub')], new RegExp(`cannot write to destination ${aFile}/sub: ENOTDIR`)],
      ];
      for (const [args, message] of cases) {
        const defaults = [...(args.includes('--server') ? [] : ['--server', 'local']), ...(args.includes('--dest') ? [] : ['--dest', dest])];
        const run = await runCli([...defaults, ...args]);
        assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
        assert.match(run.stderr, message, args.join(' '));
        assert.equal(run.stdout, '', args.join(' '));
      }
      assert.deepEqual(await filesIn(folder), ['a-file'], 'no destination was created, nothing downloaded');
    }));

  test('Ctrl-C stops promptly: exit 130, what was done is reported, no temp file is left', () =>
    inTemp(async (folder) => {
      const run = await runCli(['--all', '--server', 'delay', '--latency', '300', '--jitter', '0', '--threads', '4', '--verbose', '--dest', folder], {
        onStdout: (text, child) => {
          if (/^[A-Z]{2} {2}ok/m.test(text) && !child.killed) child.kill('SIGINT');
        },
      });
      assert.equal(run.code, 130, run.stderr);
      assert.match(run.stderr, /Interrupted/);
      const done = /Interrupted: (\d+) of 257 flags finished, (?:\d+ cut short, )?(\d+) not attempted/.exec(run.stdout);
      assert.ok(done, run.stdout);
      assert.ok(Number(done[2]) > 0);
      const files = await filesIn(folder);
      assert.ok(
        files.every((name) => /^[a-z]{2}\.svg$/.test(name)),
        files.join(' '),
      );
      for (const name of files) assert.deepEqual(await readFile(join(folder, name)), await sourceFlag(name.slice(0, 2)), name);
      const okLines = run.stdout.match(/^[A-Z]{2} {2}ok/gm) ?? [];
      assert.equal(files.length, okLines.length);
    }));

  test('what follows -- is codes, never options: BR -- IN gets both, -- -x is no code (exit 2), and serve takes none', () =>
    inTemp(async (folder) => {
      const both = await runCli(['--server', 'local', '--json', '--dest', folder, 'BR', '--', 'IN']);
      assert.equal(both.code, 0, both.stderr);
      assert.deepEqual(
        parseReport(both)
          .results.map((result) => result.cc)
          .sort(),
        ['br', 'in'],
      );
      const dashed = await runCli(['--server', 'local', '--dest', folder, '--', '-x']);
      assert.equal(dashed.code, 2);
      assert.match(dashed.stderr, /^flags: invalid country code "-x"/);
      const serve = await runCli(['serve', '--port', '0', '--', 'x']);
      assert.equal(serve.code, 2);
      assert.match(serve.stderr, /^flags: flags serve takes no arguments, got "x" after --\n/);
    }));

  test('--timeline straight in a --dest not made yet: both made, exit 0; in a folder of it that nothing makes: exit 2, nothing made', () =>
    inTemp(async (folder) => {
      const run = await runCli(['BR', '--server', 'local', '--dest', join(folder, 'new'), '--timeline', join(folder, 'new', 'run.svg')]);
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual((await filesIn(join(folder, 'new'))).sort(), ['br.svg', 'run.svg']);
      const deeper = await runCli(['BR', '--server', 'local', '--dest', join(folder, 'other'), '--timeline', join(folder, 'other', 'sub', 'run.svg')]);
      assert.equal(deeper.code, 2);
      assert.match(deeper.stderr, /--timeline .*run\.svg: cannot write to the folder .*sub: ENOENT/);
      assert.deepEqual((await filesIn(folder)).sort(), ['new']);
    }));

  test('one file is counted in the singular', () =>
    inTemp(async (folder) => {
      const run = await runCli(['BR', '--server', 'local', '--sha256', '--dest', folder]);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /^1 flag downloaded, 0 not found, 0 errors in /m);
      assert.match(run.stdout, /^Checksums of 1 file written to /m);
    }));

  test('flags serve on a port in use: exit 1, and --port 0 suggested', async () => {
    const taken = createServer().listen(0, '127.0.0.1');
    await once(taken, 'listening');
    try {
      const { port } = taken.address() as AddressInfo;
      const run = await runCli(['serve', '--port', String(port), '--profile', 'local']);
      assert.equal(run.code, 1, run.stderr);
      assert.equal(run.stderr, `flags serve: port ${port} on 127.0.0.1 is already in use (--port 0 takes any free port)\n`);
    } finally {
      taken.close();
    }
  });

  test('--help documents every option with examples', async () => {
    const run = await runCli(['--help']);
    assert.equal(run.code, 0);
    for (const option of [
      '--mode',
      '--threads',
      '--concurrency',
      '--partition',
      '--all',
      '--every',
      '--limit',
      '--server',
      '--latency',
      '--jitter',
      '--error-rate',
      '--seed',
      '--ext',
      '--dest',
      '--timeout',
      '--max-size',
      '--verbose',
      '--json',
    ]) {
      assert.ok(run.stdout.includes(option), option);
      if (!['--verbose', '--json', '--seed', '--jitter', '--latency', '--ext'].includes(option)) {
        assert.ok(run.stdout.split('Examples:')[1]!.includes(option), `an example uses ${option}`);
      }
    }
  });
});
