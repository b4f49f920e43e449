import assert from 'node:assert/strict';
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import { mkdir, open, readFile, rm, symlink, unlink, utimes, writeFile } from 'node:fs/promises';
import { request, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import { get as httpsGet } from 'node:https';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startFlagServer, type FlagServer } from '../src/server/flag-server.js';
import { serverOptions } from '../src/server/server-options.js';
import { planAnswer, type Fault } from '../src/server/fault-plan.js';
import { listTreeUrls, openTree } from '../src/server/tree.js';
import { cliPath, tempFolder, testTls } from './helpers/fixtures.js';

const MB = 1024 * 1024;
const BIG = 200 * MB;

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  /** The body, unless asked for its digest alone. */
  body: Buffer;
  length: number;
  sha256: string;
  /** False when the connection ended before the whole body arrived. */
  complete: boolean;
  timedOut: boolean;
}

interface GetOptions {
  method?: string;
  headers?: OutgoingHttpHeaders;
  /** A socket idle this long is given up, as a client does with a stalled answer. */
  timeoutMs?: number;
  /** Hash and count the body without keeping it: for the big file. */
  digestOnly?: boolean;
}

/** One request with `path` on the wire as given; a dropped connection rejects. */
function get(port: number, path: string, { method = 'GET', headers, timeoutMs, digestOnly = false }: GetOptions = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    let timedOut = false;
    const req = request({ host: '127.0.0.1', port, path, method, headers, agent: false, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      const hash = createHash('sha256');
      let length = 0;
      res.on('data', (chunk: Buffer) => {
        hash.update(chunk);
        length += chunk.length;
        if (!digestOnly) chunks.push(chunk);
      });
      res.on('error', () => {}); // a cut body: told by `complete` below
      res.on('close', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), length, sha256: hash.digest('hex'), complete: res.complete, timedOut }),
      );
    });
    req.on('timeout', () => {
      timedOut = true;
      req.destroy();
    });
    req.on('error', reject);
    req.end();
  });
}

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The test tree: nested folders, names that need percent-encoding, and what must not be served. */
let scratch: { path: string; remove(): Promise<void> };
let tree: string;
let data: Buffer;
/** Each served file by its URL path under /, as a client must spell it. */
const served = new Map<string, string>();

before(async () => {
  scratch = await tempFolder();
  tree = join(scratch.path, 'tree');
  const outside = join(scratch.path, 'outside');
  await mkdir(outside);
  await writeFile(join(outside, 'secret.txt'), 'SECRET');
  const put = async (urlPath: string, relative: string, body: string | Buffer) => {
    await mkdir(join(tree, relative, '..'), { recursive: true });
    await writeFile(join(tree, relative), body);
    served.set(urlPath, relative);
  };
  data = randomBytes(MB + 123);
  await put('a.txt', 'a.txt', 'alpha\n');
  await put('br/br.gif', 'br/br.gif', 'GIF89a-brazil');
  await put('br/metadata.json', 'br/metadata.json', '{"name":"Brazil"}');
  await put('nested/deeper/data.bin', 'nested/deeper/data.bin', data);
  await put('with%20space/file%20name.txt', 'with space/file name.txt', 'spaced\n');
  await put('%C3%BCn%C3%AF/%E6%97%A5%E6%9C%AC%20%E3%83%95%E3%82%A1%E3%82%A4%E3%83%AB.txt', 'ünï/日本 ファイル.txt', 'unicode\n');
  await put('odd/50%25%20off%20%231%3F%26.txt', 'odd/50% off #1?&.txt', 'odd\n');
  await put('empty', 'empty', '');
  // Sparse, with marks at the start, in the middle and at the end, so that any byte out of place shows.
  const big = await open(join(tree, 'big.bin'), 'w');
  await big.truncate(BIG);
  for (const at of [0, BIG / 2 - 10, BIG - 4096]) await big.write(randomBytes(4096), 0, 4096, at);
  await big.close();
  served.set('big.bin', 'big.bin');
  await symlink(join(tree, 'a.txt'), join(tree, 'inside-link.txt'));
  served.set('inside-link.txt', 'a.txt');
  // Not served: dotfiles, symlinks that lead out, a FIFO; a link back up must not loop the listing.
  await writeFile(join(tree, '.hidden'), 'HIDDEN');
  await mkdir(join(tree, '.git'));
  await writeFile(join(tree, '.git', 'config'), 'HIDDEN');
  await symlink(join(outside, 'secret.txt'), join(tree, 'escape.txt'));
  await symlink(outside, join(tree, 'escape-dir'));
  await symlink('..', join(tree, 'nested', 'up'));
  assert.equal(spawnSync('mkfifo', [join(tree, 'fifo')]).status, 0, 'mkfifo');
});

after(() => scratch.remove());

/** Resolves once `done()` holds, checked after each output of `child`; throws if it exits first. */
async function until(child: ChildProcessWithoutNullStreams, done: () => boolean): Promise<void> {
  while (!done()) {
    if (child.exitCode !== null) throw new Error(`flags serve exited with code ${child.exitCode}`);
    await Promise.race([once(child.stdout, 'data'), once(child.stderr, 'data'), once(child, 'exit')]);
  }
}

/** The URLs a client must be given, by hand, sorted as bytes. */
const expectedUrls = (baseUrl: string) => [...served.keys()].map((urlPath) => `${baseUrl}/${urlPath}`).sort();

describe('flags serve --dir --list, as a child process', () => {
  let child: ChildProcessWithoutNullStreams;
  let stdout = '';
  let stderr = '';
  let baseUrl: string;
  let port: number;

  before(async () => {
    child = spawn(process.execPath, [cliPath, 'serve', '--dir', tree, '--list', '--profile', 'local', '--port', '0']);
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    await until(child, () => stdout.split('\n').length > served.size);
    // The first line says where the tree is: at /, as python3 -m http.server serves a folder.
    const match = /^Serving (.+) at (http:\/\/127\.0\.0\.1:(\d+))\/\n/.exec(stderr);
    assert.ok(match, stderr);
    assert.equal(match[1], tree);
    baseUrl = match[2]!;
    port = Number(match[3]);
  });

  after(() => {
    if (child.exitCode === null) child.kill('SIGTERM');
  });

  test('prints the URL of every file it serves, sorted, one a line, and nothing else on stdout', async () => {
    assert.deepEqual(stdout.split('\n'), [...expectedUrls(baseUrl), '']);
    assert.deepEqual(await listTreeUrls(tree, baseUrl), expectedUrls(baseUrl), 'listTreeUrls gives the same list');
    assert.ok(stderr.includes(`\nTry: curl ${expectedUrls(baseUrl)[0]}\n`), `the example is a file of the tree: ${stderr}`);
  });

  test('serves each listed URL with the bytes of its file', async () => {
    for (const url of stdout.trim().split('\n')) {
      const urlPath = new URL(url).pathname;
      const relative = served.get(urlPath.slice('/'.length));
      assert.ok(relative !== undefined, urlPath);
      if (relative === 'big.bin') continue; // the next test's
      const reply = await get(port, urlPath);
      assert.equal(reply.status, 200, urlPath);
      assert.ok(reply.body.equals(await readFile(join(tree, relative))), urlPath);
    }
  });

  test(`streams a ${BIG / MB} MB file, its memory growing by well under the file's size`, { timeout: 60_000 }, async () => {
    const memory = async (field: string) => {
      const status = await readFile(`/proc/${child.pid}/status`, 'utf8');
      return 1024 * Number(new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status)?.[1]);
    };
    const before = await memory('VmRSS');
    const reply = await get(port, '/big.bin', { digestOnly: true });
    assert.equal(reply.length, BIG);
    assert.equal(reply.sha256, await sha256Of(join(tree, 'big.bin')));
    const growth = (await memory('VmHWM')) - before;
    assert.ok(growth < BIG / 2, `the peak RSS grew by ${Math.round(growth / MB)} MB`);
  });

  test('stops on SIGTERM with code 0', async () => {
    const exit = once(child, 'exit');
    child.kill('SIGTERM');
    assert.deepEqual(await exit, [0, null]);
  });
});

test('flags serve --help says where --dir puts the tree: at /, as python3 -m http.server does', () => {
  const help = spawnSync(process.execPath, [cliPath, 'serve', '--help'], { encoding: 'utf8' });
  assert.equal(help.status, 0, help.stderr);
  // The help wraps at 110 columns at most: read as one line.
  assert.match(
    help.stdout.replace(/\s+/g, ' '),
    /--dir +Serve every file of this folder at \/ \(DIR\/a\/b\.txt at http:\/\/HOST:PORT\/a\/b\.txt, as python3 -m http\.server does\)/,
  );
});

test('flags serve --list keeps serving when the reader of its list has gone', async () => {
  const child = spawn(process.execPath, [cliPath, 'serve', '--dir', tree, '--list', '--profile', 'local', '--port', '0']);
  child.stdout.destroy(); // before the list is written: its write fails with EPIPE
  try {
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    await until(child, () => stderr.includes('Try: curl'));
    const port = Number(/127\.0\.0\.1:(\d+)\/\n/.exec(stderr)?.[1]);
    assert.equal((await get(port, '/a.txt')).body.toString(), 'alpha\n');
    assert.equal(child.exitCode, null, stderr);
  } finally {
    child.kill('SIGTERM');
  }
});

describe('a tree with nothing to serve', () => {
  test('is refused naming what is not served: a dotfile and a name with a backslash are all there is', async () => {
    const dir = await tempFolder();
    try {
      await writeFile(join(dir.path, '.env'), 'SECRET=1\n');
      await writeFile(join(dir.path, 'back\\slash.txt'), 'text\n');
      await assert.rejects(openTree(dir.path), {
        message: `no files to serve in ${dir.path} (not served: dotfiles, FIFOs, symlinks that lead out of it, names with a backslash, a control character or bytes that are not UTF-8)`,
      });
    } finally {
      await dir.remove();
    }
  });
});

describe('a tree served in this process', () => {
  let server: FlagServer;
  before(async () => {
    server = await startFlagServer(serverOptions('local', { dir: tree }));
  });
  after(() => server.close());

  const fetch = (path: string, options: GetOptions = {}) => get(server.port, path, options);

  test('lists the same files as listTreeUrls', async () => {
    assert.deepEqual(
      server.paths.map((relative) => `${server.baseUrl}/${relative.split('/').map(encodeURIComponent).join('/')}`),
      await listTreeUrls(tree, server.baseUrl),
    );
  });

  test('ranges: N-M, N-, a suffix, past the end, and one byte give 206 with Content-Range', async () => {
    const size = data.length;
    const path = '/nested/deeper/data.bin';
    const cases: [string, number, number][] = [
      ['bytes=0-99', 0, 100],
      ['bytes=1000-', 1000, size],
      ['bytes=-500', size - 500, size],
      [`bytes=-${size + 10}`, 0, size],
      [`bytes=${size - 10}-${size + 1000}`, size - 10, size],
      ['bytes=7-7', 7, 8],
    ];
    for (const [range, start, end] of cases) {
      const reply = await fetch(path, { headers: { range } });
      assert.equal(reply.status, 206, range);
      assert.equal(reply.headers['content-range'], `bytes ${start}-${end - 1}/${size}`, range);
      assert.equal(reply.headers['content-length'], String(end - start), range);
      assert.ok(reply.body.equals(data.subarray(start, end)), range);
    }
  });

  test('a range in the middle of the big file is read from there', async () => {
    const start = BIG / 2 - 100;
    const reply = await fetch('/big.bin', { headers: { range: `bytes=${start}-${start + 8191}` } });
    assert.equal(reply.status, 206);
    const file = await open(join(tree, 'big.bin'));
    const expected = Buffer.alloc(8192);
    await file.read(expected, 0, 8192, start);
    await file.close();
    assert.ok(reply.body.equals(expected));
  });

  test('an unsatisfiable range is 416 with the length; a range this server does not take gets the whole file', async () => {
    const size = data.length;
    for (const range of [`bytes=${size}-`, `bytes=${size + 5}-${size + 10}`, 'bytes=-0']) {
      const reply = await fetch('/nested/deeper/data.bin', { headers: { range } });
      assert.equal(reply.status, 416, range);
      assert.equal(reply.headers['content-range'], `bytes */${size}`, range);
    }
    assert.equal((await fetch('/empty', { headers: { range: 'bytes=0-' } })).headers['content-range'], 'bytes */0');
    for (const range of ['bytes=5-1', 'bytes=0-1,5-6', 'items=0-1', 'bytes=x-']) {
      const reply = await fetch('/nested/deeper/data.bin', { headers: { range } });
      assert.equal(reply.status, 200, range);
      assert.ok(reply.body.equals(data), range);
    }
  });

  test('If-Range: the range when the ETag or the date matches, else the whole file', async () => {
    const path = '/nested/deeper/data.bin';
    const whole = await fetch(path);
    const { etag, 'last-modified': lastModified } = whole.headers;
    assert.match(String(etag), /^"[0-9a-f-]+"$/);
    const withIfRange = (ifRange: string) => fetch(path, { headers: { range: 'bytes=10-19', 'if-range': ifRange } });
    for (const same of [String(etag), String(lastModified)]) {
      const reply = await withIfRange(same);
      assert.equal(reply.status, 206, same);
      assert.ok(reply.body.equals(data.subarray(10, 20)), same);
    }
    const earlier = new Date(Date.parse(String(lastModified)) - 1000).toUTCString();
    for (const other of ['"other"', `W/${etag}`, earlier, 'not a date']) {
      const reply = await withIfRange(other);
      assert.equal(reply.status, 200, other);
      assert.ok(reply.body.equals(data), other);
    }
  });

  test('HEAD: the headers of the whole file, Range or not, and no body', async () => {
    for (const headers of [{}, { range: 'bytes=0-9' }]) {
      const reply = await fetch('/nested/deeper/data.bin', { method: 'HEAD', headers });
      assert.equal(reply.status, 200);
      assert.equal(reply.headers['content-length'], String(data.length));
      assert.equal(reply.headers['accept-ranges'], 'bytes');
      assert.equal(reply.length, 0);
    }
  });

  test('ETag and Last-Modified from the file; 304 when they match; a rewritten file is served anew with a new ETag', async () => {
    const file = join(tree, 'rewritten.txt');
    const modified = new Date('2021-05-06T07:08:09.500Z');
    await writeFile(file, 'first');
    await utimes(file, modified, modified);
    const first = await fetch('/rewritten.txt');
    assert.equal(first.headers['last-modified'], 'Thu, 06 May 2021 07:08:09 GMT');
    for (const headers of [{ 'if-none-match': String(first.headers.etag) }, { 'if-modified-since': String(first.headers['last-modified']) }]) {
      for (const method of ['GET', 'HEAD']) {
        const reply = await fetch('/rewritten.txt', { method, headers });
        assert.equal(reply.status, 304, `${method} ${JSON.stringify(headers)}`);
        assert.equal(reply.headers.etag, first.headers.etag);
        assert.equal(reply.length, 0);
      }
    }
    await writeFile(file, 'second');
    await utimes(file, modified, modified);
    const second = await fetch('/rewritten.txt', { headers: { 'if-none-match': String(first.headers.etag) } });
    assert.equal(second.status, 200);
    assert.equal(second.body.toString(), 'second');
    assert.notEqual(second.headers.etag, first.headers.etag);
    await unlink(file);
  });

  test('serves what is on disk at request time: a file added after start, not one removed', async () => {
    await mkdir(join(tree, 'later'));
    await writeFile(join(tree, 'later', 'new.txt'), 'new');
    assert.equal((await fetch('/later/new.txt')).body.toString(), 'new');
    await rm(join(tree, 'later'), { recursive: true });
    assert.equal((await fetch('/later/new.txt')).status, 404);
    await symlink(join(scratch.path, 'outside', 'secret.txt'), join(tree, 'late-escape.txt'));
    try {
      assert.equal((await fetch('/late-escape.txt')).status, 404, 'a symlink out, made after start');
    } finally {
      await unlink(join(tree, 'late-escape.txt'));
    }
  });

  test('never serves dotfiles, folders, a FIFO, or anything outside the tree, however the path is spelled', { timeout: 20_000 }, async () => {
    const paths = [
      '/escape.txt',
      '/escape-dir/secret.txt',
      '/../outside/secret.txt',
      '/%2e%2e/outside/secret.txt',
      '/..%2foutside%2fsecret.txt',
      '/nested/up/..%2f..%2foutside/secret.txt',
      '/nested/..%5c..%5coutside%5csecret.txt',
      '/with%20space%2Ffile%20name.txt',
      '/.hidden',
      '/%2ehidden',
      '/.git/config',
      '/a.txt%00',
      '/a.txt%00.json',
      '/nested//deeper/data.bin',
      '/./a.txt',
      '/nested/deeper',
      '/nested/deeper/',
      '/',
      '/fifo',
      '/%zz',
      // Where a tree's files were before it was served at /, as the flags still are.
      '/flags/a.txt',
    ];
    for (const p of paths) {
      const reply = await fetch(p);
      assert.ok(reply.status === 404 || reply.status === 400, `${p}: ${reply.status}`);
      assert.ok(!reply.body.toString().includes('SECRET') && !reply.body.toString().includes('HIDDEN'), p);
    }
    // A symlink that stays inside is served, even through a link to a folder up the tree.
    assert.equal((await fetch('/nested/up/a.txt')).body.toString(), 'alpha\n');
  });

  test('HTTPS serves the tree with ranges too', async () => {
    const { ca, key, cert } = await testTls();
    const tls = await startFlagServer(serverOptions('local', { dir: tree, tls: { key, cert } }));
    try {
      const body = await new Promise<Buffer>((resolve, reject) => {
        httpsGet(`${tls.baseUrl}/nested/deeper/data.bin`, { ca, agent: false, headers: { range: 'bytes=-64' } }, (res) => {
          assert.equal(res.statusCode, 206);
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve(Buffer.concat(chunks)));
        }).on('error', reject);
      });
      assert.ok(body.equals(data.subarray(data.length - 64)));
    } finally {
      await tls.close();
    }
  });
});

describe('faults on a tree', () => {
  /** A seed whose first request for `key` is planned to get `fault`, with every request faulted. */
  function seedFor(fault: Fault, key: string): number {
    for (let seed = 1; seed < 1000; seed++) {
      if (planAnswer(serverOptions('error', { errorRate: 1, latencyMs: 0, jitterMs: 0, seed }), key, 0, true).fault === fault) return seed;
    }
    throw new Error(`no seed plans ${fault} for ${key}`);
  }

  async function withFault<T>(fault: Fault, key: string, use: (server: FlagServer) => Promise<T>): Promise<T> {
    const server = await startFlagServer(serverOptions('error', { dir: tree, errorRate: 1, latencyMs: 0, jitterMs: 0, seed: seedFor(fault, key) }));
    try {
      return await use(server);
    } finally {
      await server.close();
    }
  }

  test('a cut body of the big file stops at half of what Content-Length promised', { timeout: 60_000 }, () =>
    withFault('truncate', 'big.bin', async (server) => {
      const reply = await get(server.port, '/big.bin', { digestOnly: true });
      assert.equal(reply.status, 200);
      assert.equal(reply.headers['content-length'], String(BIG));
      assert.equal(reply.complete, false);
      assert.equal(reply.length, BIG / 2);
      assert.deepEqual(
        server.requests.map(({ fault, status }) => [fault, status]),
        [['truncate', 200]],
      );
    }),
  );

  test('a cut range is half the range', () =>
    withFault('truncate', 'nested/deeper/data.bin', async (server) => {
      const reply = await get(server.port, '/nested/deeper/data.bin', { headers: { range: 'bytes=1000-1999' } });
      assert.equal(reply.status, 206);
      assert.equal(reply.complete, false);
      assert.ok(reply.body.equals(data.subarray(1000, 1500)));
    }));

  test('a stalled body stops mid-stream until the client gives up', () =>
    withFault('stall', 'nested/deeper/data.bin', async (server) => {
      const reply = await get(server.port, '/nested/deeper/data.bin', { timeoutMs: 500 });
      assert.equal(reply.timedOut, true);
      assert.equal(reply.status, 200);
      assert.equal(reply.headers['content-length'], String(data.length));
      assert.ok(reply.body.equals(data.subarray(0, Math.floor(data.length / 2))), `${reply.body.length} of ${data.length} bytes`);
    }));

  test('statuses and dropped connections, seeded by the file path as for flags', async () => {
    for (const [fault, status] of [
      ['status-503', 503],
      ['status-429', 429],
    ] as const) {
      await withFault(fault, 'with space/file name.txt', async (server) => {
        assert.equal((await get(server.port, '/with%20space/file%20name.txt')).status, status);
      });
    }
    await withFault('drop', 'a.txt', (server) => assert.rejects(get(server.port, '/a.txt')));
  });
});
