import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import { open, readFile, stat, writeFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { RunReport } from '../src/types.js';
import { filesIn, inTemp, runCli } from './helpers/fixtures.js';

interface Served {
  /** The bytes, in memory or, for a big file, read from disk as they are sent. */
  body: Buffer | { path: string; size: number };
  etag: string;
}

const sizeOf = (body: Served['body']) => (Buffer.isBuffer(body) ? body.length : body.size);

interface FileServerOptions {
  /** Names whose first answer is cut after half of its body. */
  cutOnce?: Set<string>;
  /** Answer every request whole, as a server without range support does. */
  ignoreRange?: boolean;
}

/**
 * A file server made for these tests: strong ETags, `Range: bytes=N-` with `If-Range` (a 206, or
 * the whole file when the tag no longer matches), a body cut halfway once when asked, and a log
 * of every request's headers. Files can be changed while it runs.
 */
async function fileServer(files: Map<string, Served>, options: FileServerOptions = {}) {
  const requests: { name: string; headers: IncomingHttpHeaders }[] = [];
  const cut = new Set(options.cutOnce);
  const server = createServer((request, response) => {
    const name = decodeURIComponent((request.url ?? '').slice(1));
    requests.push({ name, headers: request.headers });
    const file = files.get(name);
    if (file === undefined) return response.writeHead(404).end();
    const range = /^bytes=(\d+)-$/.exec(request.headers.range ?? '');
    const rangeHolds = range !== null && !options.ignoreRange && (request.headers['if-range'] === undefined || request.headers['if-range'] === file.etag);
    const size = sizeOf(file.body);
    const start = rangeHolds ? Number(range[1]) : 0;
    if (rangeHolds && start >= size) return response.writeHead(416, { 'content-range': `bytes */${size}` }).end();
    const headers = { etag: file.etag, 'content-length': size - start, 'accept-ranges': 'bytes' };
    if (rangeHolds) response.writeHead(206, { ...headers, 'content-range': `bytes ${start}-${size - 1}/${size}` });
    else response.writeHead(200, headers);
    if (!Buffer.isBuffer(file.body)) return void createReadStream(file.body.path).pipe(response);
    const body = file.body.subarray(start);
    if (cut.delete(name)) {
      response.write(body.subarray(0, Math.floor(body.length / 2)), () => response.destroy());
      return;
    }
    response.end(body);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { base, requests, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const served = (body: Buffer): Served => ({ body, etag: `"${createHash('sha256').update(body).digest('hex').slice(0, 16)}"` });

/**
 * A big file made on disk in chunks: the test process never holds it. (A child's peak RSS counts
 * the parent it was forked from: a parent holding 200 MB would lend it to the child's figure.)
 */
async function bigFile(path: string, megabytes: number): Promise<{ served: Served; sha256: string }> {
  const hash = createHash('sha256');
  const file = await open(path, 'w');
  for (let i = 0; i < megabytes; i++) {
    const chunk = randomBytes(1024 * 1024);
    hash.update(chunk);
    await file.write(chunk);
  }
  await file.close();
  return { served: { body: { path, size: megabytes * 1024 * 1024 }, etag: '"big"' }, sha256: hash.digest('hex') };
}

const sha256 = async (path: string) => {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
};

describe('any list of files: big bodies, resume, checksums', () => {
  for (const mode of ['threads', 'async', 'sequential']) {
    it(`streams a 200 MB file to disk with a peak RSS under 150 MB (${mode})`, async () => {
      await inTemp(async (folder) => {
        const big = await bigFile(join(folder, 'big.bin'), 200);
        const server = await fileServer(new Map([['big.bin', big.served]]));
        try {
          await writeFile(join(folder, 'list.txt'), `${server.base}/big.bin\n`);
          const run = await runCli(['-i', join(folder, 'list.txt'), '--dest', join(folder, 'out'), '--mode', mode, '--json']);
          assert.equal(run.code, 0, run.stderr);
          const report = JSON.parse(run.stdout) as RunReport;
          assert.equal(report.results[0]!.bytes, 200 * 1024 * 1024);
          assert.ok(report.peakRssBytes < 150 * 1024 ** 2, `peak RSS ${Math.round(report.peakRssBytes / 1024 ** 2)} MB`);
          assert.equal(await sha256(join(folder, 'out', 'big.bin')), big.sha256);
        } finally {
          await server.close();
        }
      });
    });
  }

  it('--continue: a broken transfer leaves a .part that the next run completes with Range and If-Range', async () => {
    await inTemp(async (folder) => {
      const body = randomBytes(3_000_000);
      const server = await fileServer(new Map([['data.bin', served(body)]]), { cutOnce: new Set(['data.bin']) });
      try {
        const list = join(folder, 'list.txt');
        const out = join(folder, 'out');
        await writeFile(list, `${server.base}/data.bin\n`);
        const first = await runCli(['-i', list, '--dest', out, '--continue', '--retries', '0', '--json']);
        assert.equal(first.code, 1, first.stderr);
        assert.deepEqual((await filesIn(out)).sort(), ['data.bin.part', 'data.bin.part.json']);
        const kept = (await stat(join(out, 'data.bin.part'))).size;
        assert.ok(kept > 0 && kept < body.length, `${kept} bytes kept`);

        const second = await runCli(['-i', list, '--dest', out, '-c', '--json']);
        assert.equal(second.code, 0, second.stderr);
        const resumed = server.requests.at(-1)!;
        assert.equal(resumed.headers.range, `bytes=${kept}-`);
        assert.equal(resumed.headers['if-range'], served(body).etag);
        assert.deepEqual(await readFile(join(out, 'data.bin')), body, 'byte-identical to a straight download');
        assert.deepEqual(await filesIn(out), ['data.bin'], 'no .part left');
      } finally {
        await server.close();
      }
    });
  });

  it('--continue within one run: the retry asks for the rest', async () => {
    await inTemp(async (folder) => {
      const body = randomBytes(1_000_000);
      const server = await fileServer(new Map([['x.bin', served(body)]]), { cutOnce: new Set(['x.bin']) });
      try {
        await writeFile(join(folder, 'list.txt'), `${server.base}/x.bin\n`);
        const run = await runCli(['-i', join(folder, 'list.txt'), '--dest', join(folder, 'out'), '-c', '--retry-delay', '0', '--json']);
        assert.equal(run.code, 0, run.stderr);
        assert.equal(server.requests.length, 2);
        assert.match(server.requests[1]!.headers.range ?? '', /^bytes=[1-9]\d*-$/);
        assert.deepEqual(await readFile(join(folder, 'out', 'x.bin')), body);
      } finally {
        await server.close();
      }
    });
  });

  for (const [what, change] of [
    ['a server that ignores Range', 'ignore'],
    ['a file that changed (a new ETag)', 'change'],
  ] as const) {
    it(`--continue with ${what}: starts over, whole`, async () => {
      await inTemp(async (folder) => {
        const files = new Map([['y.bin', served(randomBytes(2_000_000))]]);
        const server = await fileServer(files, { cutOnce: new Set(['y.bin']), ignoreRange: change === 'ignore' });
        try {
          const list = join(folder, 'list.txt');
          const out = join(folder, 'out');
          await writeFile(list, `${server.base}/y.bin\n`);
          assert.equal((await runCli(['-i', list, '--dest', out, '-c', '--retries', '0'])).code, 1);
          if (change === 'change') files.set('y.bin', served(randomBytes(2_500_000)));
          const second = await runCli(['-i', list, '--dest', out, '-c']);
          assert.equal(second.code, 0, second.stderr);
          assert.ok(server.requests.at(-1)!.headers.range !== undefined, 'the resume was asked for');
          assert.deepEqual(await readFile(join(out, 'y.bin')), files.get('y.bin')!.body);
          assert.deepEqual(await filesIn(out), ['y.bin']);
        } finally {
          await server.close();
        }
      });
    });
  }

  it('--continue: a broken transfer that no run could resume leaves nothing: an answer without a validator, or not a byte of it', async () => {
    for (const [what, validator, sent] of [
      ['no validator', {}, 100_000],
      ['not a byte', { etag: '"e"' }, 0],
    ] as const) {
      await inTemp(async (folder) => {
        const server = createServer((_, response) => {
          response.writeHead(200, { ...validator, 'content-length': 3_000_000 });
          response.write(Buffer.alloc(sent), () => response.destroy());
        });
        server.listen(0, '127.0.0.1');
        await once(server, 'listening');
        try {
          const list = join(folder, 'list.txt');
          const out = join(folder, 'out');
          await writeFile(list, `http://127.0.0.1:${(server.address() as AddressInfo).port}/z.bin\n`);
          const run = await runCli(['-i', list, '--dest', out, '-c', '--retries', '0']);
          assert.equal(run.code, 1, run.stderr);
          assert.deepEqual(await filesIn(out), [], what);
        } finally {
          await new Promise<void>((resolve) => server.close(() => resolve()));
        }
      });
    }
  });

  it('without --continue a broken transfer leaves nothing', async () => {
    await inTemp(async (folder) => {
      const server = await fileServer(new Map([['z.bin', served(randomBytes(2_000_000))]]), { cutOnce: new Set(['z.bin']) });
      try {
        await writeFile(join(folder, 'list.txt'), `${server.base}/z.bin\n`);
        const run = await runCli(['-i', join(folder, 'list.txt'), '--dest', join(folder, 'out'), '--retries', '0']);
        assert.equal(run.code, 1);
        assert.deepEqual(await filesIn(join(folder, 'out')), []);
      } finally {
        await server.close();
      }
    });
  });

  it('--sha256 writes SHA256SUMS that sha256sum -c accepts; --checksums refuses the bytes of a wrong line', async () => {
    await inTemp(async (folder) => {
      const files = new Map(['a.txt', 'b b.txt', 'c.bin'].map((name) => [name, served(randomBytes(1000 + name.length))]));
      const server = await fileServer(files);
      try {
        const list = join(folder, 'list.txt');
        await writeFile(list, [...files.keys()].map((name) => `${server.base}/${encodeURIComponent(name)}\n`).join(''));
        const out = join(folder, 'out');
        const run = await runCli(['-i', list, '--dest', out, '--sha256']);
        assert.equal(run.code, 0, run.stderr);
        assert.match(execFileSync('sha256sum', ['-c', 'SHA256SUMS'], { cwd: out, encoding: 'utf8' }), /^a\.txt: OK\nb b\.txt: OK\nc\.bin: OK\n$/);

        const manifest = (await readFile(join(out, 'SHA256SUMS'), 'utf8')).replace(/^[0-9a-f]{64}(?= {2}b b\.txt)/m, '0'.repeat(64));
        await writeFile(join(folder, 'SUMS'), manifest);
        const checked = join(folder, 'checked');
        const second = await runCli(['-i', list, '--dest', checked, '--checksums', join(folder, 'SUMS'), '--retry-delay', '0', '--json']);
        assert.equal(second.code, 1, second.stderr);
        const report = JSON.parse(second.stdout) as RunReport;
        const wrong = report.results.find((result) => result.file === 'b b.txt')!;
        assert.equal(wrong.status, 'error');
        assert.match(wrong.error!, /^sha256 mismatch: got [0-9a-f]{64}, expected 0{64}$/);
        assert.equal(wrong.attempts, 2, 'retried once');
        assert.deepEqual((await filesIn(checked)).sort(), ['a.txt', 'c.bin'], 'the wrong bytes never put in place, no temporary file');
      } finally {
        await server.close();
      }
    });
  });

  it('--sha256 again, with downloads that fail: SHA256SUMS keeps the lines of the files left as they were; one that is no manifest is left alone', async () => {
    await inTemp(async (folder) => {
      const files = new Map(['a.txt', 'b.txt', 'c.txt', 'd.txt'].map((name) => [name, served(randomBytes(900 + name.length))]));
      const server = await fileServer(files);
      const list = join(folder, 'list.txt');
      const out = join(folder, 'out');
      try {
        await writeFile(list, [...files.keys()].map((name) => `${server.base}/${name}\n`).join(''));
        assert.equal((await runCli(['-i', list, '--dest', out, '--sha256'])).code, 0);
        const manifest = await readFile(join(out, 'SHA256SUMS'), 'utf8');
        // b.txt and d.txt from a server that is gone: they fail, and stay as the first run left them.
        await writeFile(list, [...files.keys()].map((name) => (name === 'b.txt' || name === 'd.txt' ? `http://127.0.0.1:9/${name}\n` : `${server.base}/${name}\n`)).join(''));
        const again = await runCli(['-i', list, '--dest', out, '--sha256', '--retries', '0']);
        assert.equal(again.code, 1, again.stderr);
        assert.match(again.stdout, /Checksums of 4 files written to .*SHA256SUMS \(2 kept from the one before: files this run did not download again\)/);
        assert.equal(await readFile(join(out, 'SHA256SUMS'), 'utf8'), manifest);
        assert.match(execFileSync('sha256sum', ['-c', 'SHA256SUMS'], { cwd: out, encoding: 'utf8' }), /^a\.txt: OK\nb\.txt: OK\nc\.txt: OK\nd\.txt: OK\n$/);

        await writeFile(join(out, 'SHA256SUMS'), 'my own notes\n');
        const notes = await runCli(['-i', list, '--dest', out, '--sha256', '--retries', '0']);
        assert.equal(notes.code, 1);
        assert.match(notes.stderr, /cannot write .*SHA256SUMS: it holds what is not a manifest, left as it is \(line 1: not "SHA256 {2}NAME"/);
        assert.equal(await readFile(join(out, 'SHA256SUMS'), 'utf8'), 'my own notes\n');
      } finally {
        await server.close();
      }
    });
  });

  it('--checksums with --update or --skip-existing fetches again a kept file whose bytes lack their sum, and keeps one that has it', async () => {
    await inTemp(async (folder) => {
      const bodies = new Map([
        ['good.txt', randomBytes(500)],
        ['bad.txt', randomBytes(600)],
      ]);
      // Every conditional request is answered "not modified": only a request without one brings bytes.
      const server = createServer((request, response) => {
        const body = bodies.get(decodeURIComponent((request.url ?? '').slice(1)));
        if (body === undefined) return response.writeHead(404).end();
        if (request.headers['if-modified-since'] !== undefined) return response.writeHead(304).end();
        response.writeHead(200, { 'content-length': body.length }).end(body);
      });
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      try {
        const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
        const list = join(folder, 'list.txt');
        await writeFile(list, [...bodies.keys()].map((name) => `${base}/${name}\n`).join(''));
        const out = join(folder, 'out');
        assert.equal((await runCli(['-i', list, '--dest', out, '--sha256'])).code, 0);
        const sums = join(folder, 'SUMS');
        await writeFile(sums, await readFile(join(out, 'SHA256SUMS')));
        for (const existing of ['--update', '--skip-existing']) {
          await writeFile(join(out, 'bad.txt'), 'damaged on disk');
          const run = await runCli(['-i', list, '--dest', out, '--checksums', sums, existing, '--json']);
          assert.equal(run.code, 0, run.stderr);
          const status = Object.fromEntries((JSON.parse(run.stdout) as RunReport).results.map((result) => [result.file, result.status]));
          assert.deepEqual(status, { 'good.txt': existing === '--update' ? 'not_modified' : 'skipped', 'bad.txt': 'ok' }, existing);
          assert.deepEqual(await readFile(join(out, 'bad.txt')), bodies.get('bad.txt'), existing);
        }
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
    });
  });
});
