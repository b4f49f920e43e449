import assert from 'node:assert/strict';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { IN_MEMORY_BYTES } from '../src/store/body-sink.js';
import { compare, download, OptionError, serve } from '../src/index.js';
import { inPropertyWords, isOptionError } from './helpers/option-errors.js';
import { filesIn, inTemp, runCli } from './helpers/fixtures.js';

/** Larger than a body kept in memory: half of it is already in a temporary file. */
const SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 2 1">${' '.repeat(3 * IN_MEMORY_BYTES)}</svg>`;

/**
 * A server on loopback that answers the first `whole` requests at once and then sends half a body
 * and stalls: a run cut there holds temporary files. Counts every request.
 */
async function stallingServer(whole: number): Promise<{ url: string; requests(): number; close(): Promise<void> }> {
  let requests = 0;
  const server: HttpServer = createServer((_, response) => {
    requests++;
    response.writeHead(200, { 'content-type': 'image/svg+xml', 'content-length': SVG.length });
    if (requests <= whole) response.end(SVG);
    else response.write(SVG.slice(0, SVG.length / 2));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/flags`,
    requests: () => requests,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

describe('the API', () => {
  test('results arrive as they land, before the report resolves', async () => {
    await inTemp(async (folder) => {
      const run = download({ codes: ['br', 'fr', 'in'], server: 'delay', latency: 200, mode: 'async', dest: folder });
      let reported = false;
      void run.report.then(() => (reported = true));
      const seen: { cc?: string; reportedBefore: boolean }[] = [];
      for await (const result of run) seen.push({ cc: result.cc, reportedBefore: reported });
      const report = await run.report;
      assert.deepEqual(seen.map(({ cc }) => cc).sort(), ['br', 'fr', 'in']);
      assert.equal(seen[0]!.reportedBefore, false);
      assert.equal(report.ok, 3);
      assert.equal(report.interrupted, false);
      assert.deepEqual((await filesIn(folder)).sort(), ['br.svg', 'fr.svg', 'in.svg']);
    });
  });

  test('onBytes counts every body byte once, each before the result of its file, in every mode', async () => {
    for (const mode of ['sequential', 'async', 'threads'] as const) {
      await inTemp(async (folder) => {
        let counted = 0;
        const behind: string[] = [];
        let resultBytes = 0;
        const run = download({
          codes: ['br', 'fr', 'in', 'jp', 'us', 'cn'],
          server: 'local',
          mode,
          threads: 2,
          concurrency: 3,
          dest: folder,
          onBytes: (bytes) => (counted += bytes),
        });
        for await (const result of run) {
          resultBytes += result.bytes;
          if (counted < resultBytes) behind.push(`${result.cc}: ${counted} counted, ${resultBytes} in results`);
        }
        const report = await run.report;
        assert.equal(report.ok, 6, mode);
        assert.deepEqual(behind, [], mode);
        assert.equal(counted, report.bytes, mode);
      });
    }
  });

  test('awaiting the report alone works: nobody has to iterate', async () => {
    await inTemp(async (folder) => {
      const report = await download({ codes: ['br'], server: 'local', dest: folder, sha256: true }).report;
      assert.equal(report.ok, 1);
      assert.match(report.results[0]!.sha256!, /^[0-9a-f]{64}$/);
      assert.deepEqual((await filesIn(folder)).sort(), ['SHA256SUMS', 'br.svg']);
    });
  });

  test('signal stops a run cut mid-body like Ctrl-C: the report says interrupted, no temporary file is left', async () => {
    const server = await stallingServer(0);
    try {
      await inTemp(async (folder) => {
        const stop = new AbortController();
        const options = { codes: ['br', 'fr', 'in', 'us'], server: server.url, dest: folder, threads: 1, concurrency: 2, retries: 0, maxSize: 10 * IN_MEMORY_BYTES };
        const run = download({ ...options, signal: stop.signal });
        // Stopped once the stalled bodies are in temporary files.
        while (!(await filesIn(folder)).some((name) => name.startsWith('.flags-'))) await delay(20);
        stop.abort();
        const report = await run.report;
        assert.equal(report.interrupted, true);
        assert.equal(report.ok, 0);
        assert.deepEqual(await filesIn(folder), []);
      });
    } finally {
      await server.close();
    }
  });

  test('break out of for await ends the run: no request after it, no temporary file left', async () => {
    const server = await stallingServer(1);
    try {
      await inTemp(async (folder) => {
        const options = { server: server.url, dest: folder, mode: 'async', concurrency: 2, retries: 0, maxSize: 10 * IN_MEMORY_BYTES } as const;
        const run = download({ ...options, codes: ['br', 'fr', 'in', 'us', 'de', 'jp'] });
        let first: string | undefined;
        for await (const result of run) {
          first = result.file;
          break;
        }
        const requests = server.requests();
        const report = await run.report;
        assert.equal(report.interrupted, true);
        assert.deepEqual(await filesIn(folder), [first]);
        await delay(300);
        assert.equal(server.requests(), requests);
      });
    } finally {
      await server.close();
    }
  });

  test('bad options throw an OptionError naming the property, in the words the CLI prints with its flags, and nothing is written', async () => {
    await inTemp(async (folder) => {
      const dest = join(folder, 'out');
      const cases: [Parameters<typeof download>[0], string[], string][] = [
        [{ threads: 0, dest }, ['--threads', '0'], 'threads'],
        [{ ext: 'sv g', dest }, ['--ext', 'sv g'], 'ext'],
        [{ codes: ['b9'], dest }, ['b9'], 'codes'],
        [{ server: 'ftp://x', dest }, ['--server', 'ftp://x'], 'server'],
        [{ png: 640, ext: 'gif', server: 'http://127.0.0.1:1/f', dest }, ['--png', '640', '--ext', 'gif', '--server', 'http://127.0.0.1:1/f'], 'png'],
        [{ input: 'urls.txt', all: true, dest }, ['--input', 'urls.txt', '--all'], 'all'],
        [{ mode: 'fast' as never, dest }, ['--mode', 'fast'], 'mode'],
        [{ partition: 'halves' as never, dest }, ['--partition', 'halves'], 'partition'],
        [{ input: 'urls.txt', layout: 'deep' as never, dest }, ['--input', 'urls.txt', '--layout', 'deep'], 'layout'],
        [{ maxSize: 0, dest }, ['--max-size', '0'], 'maxSize'],
        [{ allowMissing: true, dest }, ['--allow-missing'], 'allowMissing'],
        [{ layout: 'tree', dest }, ['--layout', 'tree'], 'layout'],
      ];
      for (const [options, args, option] of cases) {
        const cli = await runCli([...args, '--dest', dest]);
        assert.equal(cli.code, 2, cli.stderr);
        const message = /^flags: (.*)$/m.exec(cli.stderr)![1]!;
        assert.throws(() => download(options), isOptionError(option, inPropertyWords(message)), message);
      }
      assert.throws(() => download({ threads: 0 }), isOptionError('threads', 'threads must be a whole number >= 1, got 0'));
      assert.throws(() => download({ concurency: 2 } as never), { code: 'ERR_FLAGS_UNKNOWN_OPTION', option: 'concurency', message: 'Unknown option: concurency' });
      assert.throws(() => download({ update: true, skipExisting: true }), { code: 'ERR_FLAGS_OPTION_CONFLICT', option: 'update' });
      assert.equal(existsSync(dest), false);
    });
  });

  test('options that are not an object, events of the wrong type and a number that is not one: an OptionError at once', () => {
    for (const options of [null, [], 'br']) {
      assert.throws(() => download(options as never), { name: 'OptionError', option: 'options', message: /^options must be an object of options, got (null|an array|string)$/ });
    }
    assert.throws(() => download({ signal: {} as never }), isOptionError('signal', 'signal must be an AbortSignal'));
    for (const event of ['onStart', 'onRetry', 'onBytes']) {
      assert.throws(() => download({ [event]: 1 } as never), isOptionError(event, `${event} must be a function, got number`));
    }
    assert.throws(() => download({ threads: Number.NaN }), isOptionError('threads', 'threads must be a whole number >= 1, got NaN'));
  });

  test('a callback that throws stops the run, in every mode: the report rejects with its error, and no temporary file is left', async () => {
    const server = await stallingServer(1);
    try {
      for (const mode of ['threads', 'async'] as const) {
        await inTemp(async (folder) => {
          const ours = new Error('the caller broke');
          const run = download({
            codes: ['br', 'in'],
            server: server.url,
            dest: folder,
            mode,
            threads: 2,
            onBytes: () => {
              throw ours;
            },
          });
          await assert.rejects(run.report, (error) => error === ours, mode);
          // A flag already whole stays, as after Ctrl-C; the one cut short leaves nothing.
          const left = await filesIn(folder);
          assert.ok(left.length < 2 && left.every((name) => /^(br|in)\.svg$/.test(name)), `${mode}: ${left.join(', ')}`);
        });
      }
    } finally {
      await server.close();
    }
  });

  test('what needs reading rejects the report (and the iteration) with an OptionError before anything is written', async () => {
    await inTemp(async (folder) => {
      const dest = join(folder, 'out');
      const run = download({ input: join(folder, 'missing.txt'), dest });
      await assert.rejects(run.report, isOptionError('input', /^input .*missing\.txt: cannot read it \(ENOENT\)$/));
      await assert.rejects(async () => {
        for await (const _ of run);
      }, OptionError);
      assert.equal(existsSync(dest), false);
    });
  });

  test('a list given as an array of URLs', async () => {
    const server = await serve({ profile: 'local' });
    try {
      await inTemp(async (folder) => {
        const run = download({ input: [`${server.url}/br/br.svg`, { url: `${server.url}/fr/fr.svg`, file: 'france.svg' }], dest: folder });
        const report = await run.report;
        assert.equal(report.ok, 2);
        assert.deepEqual((await filesIn(folder)).sort(), ['br.svg', 'france.svg']);
        assert.deepEqual(server.requests.map((request) => request.path).sort(), ['/flags/br/br.svg', '/flags/fr/fr.svg']);
        // Its problems name no file: not even standard input's '-', which it is not.
        await assert.rejects(download({ input: ['ftp://x/y'], dest: join(folder, 'bad') }).report, (error: Error) => {
          assert.ok(error instanceof OptionError);
          assert.equal(error.message, 'input: 1 problem, nothing downloaded:\n  line 1: "ftp://x/y": the scheme ftp: is not http or https');
          return true;
        });
        await assert.rejects(download({ input: [''], dest: join(folder, 'bad') }).report, { message: 'input: no URL in it' });
      });
    } finally {
      await server.close();
    }
  });

  test("a list's 404 is an error, HTTP 404 Not Found; with allowMissing it is not found", async () => {
    const server = await serve({ profile: 'local' });
    try {
      await inTemp(async (folder) => {
        const input = [`${server.url}/br/br.svg`, `${server.url}/zz/zz.svg`];
        const strict = await download({ input, dest: join(folder, 'strict') }).report;
        assert.deepEqual(
          strict.results.map(({ status, error }) => `${status} ${error}`),
          ['ok undefined', 'error HTTP 404 Not Found'],
        );
        const allowing = await download({ input, dest: join(folder, 'allowing'), allowMissing: true }).report;
        assert.deepEqual([allowing.ok, allowing.notFound, allowing.error], [1, 1, 0]);
      });
    } finally {
      await server.close();
    }
  });

  test('two runs at once in one process, each with its own destination, both complete', async () => {
    await inTemp(async (folder) => {
      const [a, b] = [join(folder, 'a'), join(folder, 'b')];
      const [first, second] = await Promise.all([
        download({ codes: ['b'], server: 'local', dest: a, threads: 2, concurrency: 3 }).report,
        download({ codes: ['f'], server: 'local', dest: b, mode: 'async', concurrency: 4 }).report,
      ]);
      assert.equal(first.requested, 26);
      assert.equal(first.ok + first.notFound, 26);
      assert.equal(second.ok + second.notFound, 26);
      assert.ok((await filesIn(a)).every((file) => file.startsWith('b')));
      assert.ok((await filesIn(b)).every((file) => file.startsWith('f')));
      assert.equal((await filesIn(a)).length, first.ok);
      assert.equal((await filesIn(b)).length, second.ok);
    });
  });

  test('compare and serve reject bad options with an OptionError before any run', async () => {
    await assert.rejects(compare({ threads: [1, 99], codes: ['br'] }), isOptionError('threads', 'threads 99: there is only 1 flag, so at most 1 thread can get one'));
    await assert.rejects(serve({ cert: 'x' }), isOptionError('cert', 'cert: not a PEM certificate (expected -----BEGIN CERTIFICATE-----)'));
    await assert.rejects(serve({ port: 70000 }), isOptionError('port', 'port must be a whole number from 0 to 65535, got 70000'));
  });
});
