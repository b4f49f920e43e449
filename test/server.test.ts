import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, readFile, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { Agent, request, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import { get as httpsGet } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { catalogue, flagIconsSvgDir } from '../src/input/catalogue.js';
import { startEmbeddedServer } from '../src/server/embedded.js';
import { startFlagServer, type FlagServer, type RunningServer } from '../src/server/flag-server.js';
import { OptionError } from '../src/errors.js';
import { serverOptions } from '../src/server/server-options.js';
import { serverKnobs } from '../src/options/server-schema.js';
import { planAnswer, type Fault } from '../src/server/fault-plan.js';
import { ServerStartError } from '../src/server/start-error.js';
import { cliPath, runCli, testTls } from './helpers/fixtures.js';

const codes = 'cn in us id br pk ng bd ru jp mx ph vn et eg de ir tr cd fr'.split(' ');

type Reply =
  | { dropped: true; error: string; timedOut: boolean }
  | {
      dropped: false;
      status: number;
      headers: IncomingHttpHeaders;
      body: Buffer;
      /** False when the connection ended before the whole body arrived. */
      complete: boolean;
      reusedSocket: boolean;
      timedOut: boolean;
    };

interface SendOptions {
  /** A socket idle this long is given up, as a client does with a stalled answer. */
  timeoutMs?: number;
  headers?: OutgoingHttpHeaders;
}

/** One raw request: `path` goes on the wire exactly as given, which fetch would not allow. */
function send(port: number, path: string, method = 'GET', agent: Agent | false = false, { timeoutMs, headers }: SendOptions = {}): Promise<Reply> {
  return new Promise((resolve) => {
    let timedOut = false;
    const req = request({ host: '127.0.0.1', port, path, method, agent, headers, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', () => {}); // a cut body: told by `complete` below
      res.on('close', () =>
        resolve({
          dropped: false,
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks),
          complete: res.complete,
          reusedSocket: req.reusedSocket,
          timedOut,
        }),
      );
    });
    req.on('timeout', () => {
      timedOut = true;
      req.destroy();
    });
    req.on('error', (error) => resolve({ dropped: true, error: error.message, timedOut }));
    req.end();
  });
}

async function ok(port: number, path: string, method = 'GET', agent: Agent | false = false, options: SendOptions = {}) {
  const reply = await send(port, path, method, agent, options);
  assert.equal(reply.dropped, false, `${method} ${path} was dropped`);
  if (reply.dropped) throw new Error('unreachable');
  return reply;
}

/** Long enough for a loopback answer without latency, short enough to wait out a stall. */
const STALL_TIMEOUT_MS = 300;

/** How a request ended, in one word: the status, or how the connection failed. */
async function outcome(port: number, path: string): Promise<string> {
  const reply = await send(port, path, 'GET', false, { timeoutMs: STALL_TIMEOUT_MS });
  if (reply.timedOut) return 'stall';
  if (reply.dropped) return 'drop';
  if (!reply.complete) return 'truncate';
  return String(reply.status);
}

/** The outcome a client sees for each planned fault. */
const outcomeOf: Record<Fault | 'none', string> = {
  none: '200',
  'status-500': '500',
  'status-503': '503',
  'status-429': '429',
  drop: 'drop',
  truncate: 'truncate',
  stall: 'stall',
};

function path(base: string, file: string): string {
  return `${new URL(base).pathname}/${file}`;
}

async function resourceCount(type: string): Promise<number> {
  await new Promise((resolve) => setImmediate(resolve)); // let closed handles finish closing
  return process.getActiveResourcesInfo().filter((resource) => resource === type).length;
}

describe('flag-icons server, profile local', () => {
  let server: RunningServer;
  let agent: Agent;
  before(async () => {
    server = await startFlagServer(serverOptions('local'));
    agent = new Agent({ keepAlive: true, maxSockets: 1 });
  });
  after(async () => {
    agent.destroy();
    await server.close();
  });

  test('binds to 127.0.0.1 and names the flag folder in baseUrl', () => {
    assert.equal(server.baseUrl, `http://127.0.0.1:${server.port}/flags`);
    assert.ok(server.port > 0);
  });

  test('serves each of the 20 flags byte for byte as flag-icons has it', async () => {
    for (const cc of codes) {
      const reply = await ok(server.port, `/flags/${cc}/${cc}.svg`, 'GET', agent);
      const expected = await readFile(join(flagIconsSvgDir, `${cc}.svg`));
      assert.equal(reply.status, 200, cc);
      assert.equal(reply.headers['content-type'], 'image/svg+xml', cc);
      assert.equal(reply.headers['content-length'], String(expected.length), cc);
      assert.ok(reply.body.equals(expected), `${cc}.svg differs from flag-icons'`);
    }
  });

  test('serves metadata from the catalogue, with the keys of the Fluent Python metadata files too', async () => {
    const metadata = async (cc: string) => JSON.parse((await ok(server.port, `/flags/${cc}/metadata.json`, 'GET', agent)).body.toString('utf8'));
    for (const cc of codes) {
      const reply = await ok(server.port, `/flags/${cc}/metadata.json`, 'GET', agent);
      assert.equal(reply.status, 200, cc);
      assert.equal(reply.headers['content-type'], 'application/json', cc);
      assert.equal(reply.headers['content-length'], String(reply.body.length), cc);
      const country = catalogue().find(({ code }) => code === cc)!;
      assert.deepEqual(JSON.parse(reply.body.toString('utf8')), {
        ...country,
        country: country.name,
        iso_cc: cc.toUpperCase(),
        tld_cc: `.${cc}`,
      });
    }
    assert.deepEqual(await metadata('br'), {
      code: 'br',
      name: 'Brazil',
      capital: 'Brasília',
      continent: 'South America',
      country: 'Brazil',
      iso_cc: 'BR',
      tld_cc: '.br',
    });
    const uk = await metadata('gb');
    assert.deepEqual([uk.country, uk.iso_cc, uk.tld_cc], ['United Kingdom', 'GB', '.uk']);
  });

  test('keeps connections alive', async () => {
    await ok(server.port, '/flags/br/br.svg', 'GET', agent);
    const second = await ok(server.port, '/flags/jp/jp.svg', 'GET', agent);
    assert.equal(second.reusedSocket, true);
  });

  test('HEAD gives the headers of GET and no body', async () => {
    const reply = await ok(server.port, '/flags/br/br.svg', 'HEAD');
    const expected = await readFile(join(flagIconsSvgDir, 'br.svg'));
    assert.equal(reply.status, 200);
    assert.equal(reply.headers['content-type'], 'image/svg+xml');
    assert.equal(reply.headers['content-length'], String(expected.length));
    assert.equal(reply.body.length, 0);
    assert.equal((await ok(server.port, '/flags/br/metadata.json', 'HEAD')).status, 200);
    assert.equal((await ok(server.port, '/flags/zz/zz.svg', 'HEAD')).status, 404);
  });

  test('answers other methods with 405', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'OPTIONS']) {
      const reply = await ok(server.port, '/flags/br/br.svg', method);
      assert.equal(reply.status, 405, method);
      assert.equal(reply.headers.allow, 'GET, HEAD');
    }
  });

  test('answers 404 with a short text for unknown codes and other paths', async () => {
    const paths = [
      '/flags/zz/zz.svg',
      '/flags/zz/metadata.json',
      '/flags/br/us.svg',
      '/flags/br/br.png',
      '/flags/br/br',
      '/flags/br/',
      '/flags/br',
      '/flags/',
      '/flags',
      '/',
      '/br/br.svg',
      '/flags/br/br.svg/',
      '/flags/br/br.svg/x',
      '/flags/br/metadata.json.bak',
      '/flags/gb-sct/gb-sct.svg',
      '/index.html',
    ];
    for (const p of paths) {
      const reply = await ok(server.port, p);
      assert.equal(reply.status, 404, p);
      assert.equal(reply.headers['content-type'], 'text/plain; charset=utf-8', p);
      assert.equal(reply.body.toString(), 'not found\n', p);
    }
  });

  test('never serves anything outside its tree, however the path is spelled', async () => {
    const paths = [
      '/flags/../package.json',
      '/flags/br/../../package.json',
      '/flags/%2e%2e/package.json',
      '/flags/%2E%2E/%2e%2e/package.json',
      '/flags/..%2f..%2fpackage.json',
      '/flags/..%2F..%2Fpackage.json',
      '/flags/br/..%2f..%2f..%2fpackage.json',
      '/flags/br/%2e%2e%2f%2e%2e%2f%2e%2e%2fpackage.json',
      '/flags/%2e%2e%2f%2e%2e%2fpackage.json/metadata.json',
      '/flags/br%2fbr.svg',
      '/flags/br%2Fbr.svg',
      '/flags/br\\br.svg',
      '/flags/..\\..\\package.json',
      '/flags/..%5c..%5cpackage.json',
      '/flags/br/br.svg%00',
      '/flags/br/br.svg%00.json',
      '/flags/br%00/br.svg',
      '/flags//br/br.svg',
      '/flags/br//br.svg',
      '//flags/br/br.svg',
      '/FLAGS/BR/BR.SVG',
      '/flags/BR/BR.svg',
      '/flags/br/BR.svg',
      '/flags/br/br.SVG',
      '/flags/br/METADATA.JSON',
      '/flags/./br/br.svg',
      '/flags/br/./br.svg',
      '/flags/%2e/br.svg',
      '/flags/../../../../../../etc/passwd',
      '/flags/br/%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd',
      '/flags/%zz/br.svg',
      '/flags/br/br.svg%',
      '/flags/br/%c0%ae%c0%ae%2fpackage.json',
      'http://127.0.0.1/flags/../package.json',
      '/package.json',
      '/node_modules/flag-icons/flags/4x3/br.svg',
    ];
    for (const p of paths) {
      const reply = await ok(server.port, p);
      assert.ok(reply.status === 404 || reply.status === 400, `${p}: ${reply.status}`);
      assert.ok(['not found\n', 'bad request\n'].includes(reply.body.toString()), `${p} gave ${reply.body}`);
    }
  });
});

describe('dir option', () => {
  let scratch: string;
  let dir: string;
  const gif = (cc: string) => Buffer.concat([Buffer.from('GIF89a'), Buffer.from(`${cc} `.repeat(200))]);

  before(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'flags-server-test-'));
    dir = join(scratch, 'flags');
    const outside = join(scratch, 'outside');
    await mkdir(outside);
    await writeFile(join(outside, 'secret.gif'), 'SECRET');
    await mkdir(join(outside, 'yy'));
    await writeFile(join(outside, 'yy', 'yy.gif'), 'SECRET');
    for (const cc of ['br', 'jp', 'us', 'zz', 'mx']) await mkdir(join(dir, cc), { recursive: true });
    await writeFile(join(dir, 'br', 'br.gif'), gif('br'));
    await writeFile(join(dir, 'br', 'metadata.json'), '{"name":"Brazil"}');
    await writeFile(join(dir, 'br', 'notes.txt'), 'not a flag');
    await writeFile(join(dir, 'jp', 'jp.gif'), gif('jp'));
    await writeFile(join(dir, 'jp', 'jp.png'), 'PNG');
    await writeFile(join(dir, 'us', 'us.dat'), 'DATA');
    await writeFile(join(dir, 'README.md'), 'not a country');
    await symlink(join(outside, 'secret.gif'), join(dir, 'zz', 'zz.gif'));
    await symlink(join(outside, 'yy'), join(dir, 'yy'));
    await symlink(join(dir, 'br', 'br.gif'), join(dir, 'mx', 'mx.gif'));
  });
  after(() => rm(scratch, { recursive: true, force: true }));

  test('serves {dir}/{cc}/{cc}.{ext} and metadata.json with a type by extension', async () => {
    const server = await startFlagServer(serverOptions('local', { dir }));
    try {
      const br = await ok(server.port, '/br/br.gif');
      assert.equal(br.status, 200);
      assert.equal(br.headers['content-type'], 'image/gif');
      assert.ok(br.body.equals(gif('br')));
      const metadata = await ok(server.port, '/br/metadata.json');
      assert.equal(metadata.headers['content-type'], 'application/json');
      assert.equal(metadata.body.toString(), '{"name":"Brazil"}');
      assert.ok((await ok(server.port, '/jp/jp.gif')).body.equals(gif('jp')));
      assert.equal((await ok(server.port, '/jp/jp.png')).headers['content-type'], 'image/png');
      const data = await ok(server.port, '/us/us.dat');
      assert.equal(data.headers['content-type'], 'application/octet-stream');
      assert.equal(data.body.toString(), 'DATA');
      // a symlink that stays inside the folder is fine
      assert.ok((await ok(server.port, '/mx/mx.gif')).body.equals(gif('br')));
      // It is a tree like any other: files outside the layout are served too.
      assert.equal((await ok(server.port, '/br/notes.txt')).body.toString(), 'not a flag');
      assert.equal((await ok(server.port, '/README.md')).body.toString(), 'not a country');
      for (const p of ['/br/br.svg', '/jp/metadata.json']) {
        assert.equal((await ok(server.port, p)).status, 404, p);
      }
      // The folder is at /, as python3 -m http.server and nginx serve one; /flags/ is the flags' place alone.
      assert.equal(server.baseUrl, `http://127.0.0.1:${server.port}`);
      assert.equal((await ok(server.port, '/flags/br/br.gif')).status, 404);
    } finally {
      await server.close();
    }
  });

  test('refuses symlinks that lead out of the folder', async () => {
    const server = await startFlagServer(serverOptions('local', { dir }));
    try {
      for (const p of ['/zz/zz.gif', '/yy/yy.gif', '/..%2foutside/secret.gif']) {
        const reply = await ok(server.port, p);
        assert.equal(reply.status, 404, p);
        assert.ok(!reply.body.toString().includes('SECRET'), p);
      }
    } finally {
      await server.close();
    }
  });

  test('fails to start on a missing, non-folder or empty dir, naming it', async () => {
    const empty = join(scratch, 'empty');
    await mkdir(empty);
    for (const bad of [join(scratch, 'missing'), join(dir, 'README.md'), empty]) {
      await assert.rejects(startFlagServer(serverOptions('local', { dir: bad })), (error: unknown) => {
        assert.ok(error instanceof ServerStartError);
        assert.equal(error.culprit, 'dir');
        assert.ok(error.message.includes(bad), error.message);
        return true;
      });
    }
  });
});

describe('conditional requests', () => {
  let server: FlagServer;
  before(async () => {
    server = await startFlagServer(serverOptions('local'));
  });
  after(() => server.close());

  const get = (p: string, headers: OutgoingHttpHeaders, method = 'GET') => ok(server.port, p, method, false, { headers });

  test('every 200 carries a strong ETag of the bytes and the Last-Modified of the SVG', async () => {
    const mtime = (await stat(join(flagIconsSvgDir, 'br.svg'))).mtime;
    mtime.setMilliseconds(0);
    const svg = await get('/flags/br/br.svg', {});
    const metadata = await get('/flags/br/metadata.json', {});
    const head = await get('/flags/br/br.svg', {}, 'HEAD');
    assert.match(String(svg.headers.etag), /^"[0-9a-f]{16}"$/);
    assert.equal(svg.headers['last-modified'], mtime.toUTCString());
    assert.equal(metadata.headers['last-modified'], mtime.toUTCString());
    assert.match(String(metadata.headers.etag), /^"[0-9a-f]{16}"$/);
    assert.notEqual(metadata.headers.etag, svg.headers.etag);
    assert.notEqual((await get('/flags/jp/jp.svg', {})).headers.etag, svg.headers.etag);
    assert.deepEqual([head.headers.etag, head.headers['last-modified']], [svg.headers.etag, svg.headers['last-modified']]);
  });

  test('If-None-Match that matches, in a list, weak or *, gives 304 with the validators and no body', async () => {
    for (const p of ['/flags/br/br.svg', '/flags/br/metadata.json']) {
      const { etag, 'last-modified': lastModified } = (await get(p, {})).headers;
      for (const tags of [String(etag), `W/${etag}`, `"0123", ${etag}`, `"a,b",W/${etag} , "c"`, '*']) {
        for (const method of ['GET', 'HEAD']) {
          const reply = await get(p, { 'if-none-match': tags }, method);
          assert.equal(reply.status, 304, `${method} ${p} ${tags}`);
          assert.deepEqual([reply.headers.etag, reply.headers['last-modified']], [etag, lastModified]);
          assert.equal(reply.body.length, 0);
        }
      }
      for (const tags of ['"0123456789abcdef"', `${String(etag).slice(0, -2)}"`, `"${etag}"`]) {
        assert.equal((await get(p, { 'if-none-match': tags })).status, 200, tags);
      }
    }
  });

  test('If-None-Match takes precedence over If-Modified-Since', async () => {
    const { etag, 'last-modified': lastModified } = (await get('/flags/br/br.svg', {})).headers;
    const future = new Date(Date.now() + 86_400_000).toUTCString();
    assert.equal((await get('/flags/br/br.svg', { 'if-none-match': '"other"', 'if-modified-since': future })).status, 200);
    const epoch = new Date(0).toUTCString();
    assert.equal((await get('/flags/br/br.svg', { 'if-none-match': String(etag), 'if-modified-since': epoch })).status, 304);
    assert.equal((await get('/flags/br/br.svg', { 'if-modified-since': String(lastModified) })).status, 304);
  });

  test('If-Modified-Since: 304 unless the file is newer; an invalid date is ignored', async () => {
    const scratch = await mkdtemp(join(tmpdir(), 'flags-server-test-'));
    const modified = new Date('2020-01-02T03:04:05.678Z');
    await mkdir(join(scratch, 'br'));
    await writeFile(join(scratch, 'br', 'br.gif'), 'GIF89a');
    await utimes(join(scratch, 'br', 'br.gif'), modified, modified);
    const local = await startFlagServer(serverOptions('local', { dir: scratch }));
    try {
      const since = (date: string, method = 'GET') => ok(local.port, '/br/br.gif', method, false, { headers: { 'if-modified-since': date } });
      const whole = await ok(local.port, '/br/br.gif');
      assert.equal(whole.headers['last-modified'], 'Thu, 02 Jan 2020 03:04:05 GMT');
      const notNewer = ['Thu, 02 Jan 2020 03:04:05 GMT', 'Fri, 03 Jan 2020 00:00:00 GMT', 'Thursday, 02-Jan-20 03:04:05 GMT', 'Thu Jan  2 03:04:05 2020'];
      for (const date of notNewer) {
        for (const method of ['GET', 'HEAD']) {
          const reply = await since(date, method);
          assert.equal(reply.status, 304, `${method} ${date}`);
          assert.equal(reply.headers.etag, whole.headers.etag);
          assert.equal(reply.body.length, 0);
        }
      }
      for (const date of ['Thu, 02 Jan 2020 03:04:04 GMT', 'Wed, 01 Jan 2020 00:00:00 GMT', 'not a date', '2030', 'Thu, 32 Jan 2020 03:04:05 GMT']) {
        const reply = await since(date);
        assert.equal(reply.status, 200, date);
        assert.equal(reply.body.toString(), 'GIF89a', date);
      }
      assert.equal((await since('Wed, 01 Jan 2020 00:00:00 GMT', 'HEAD')).status, 200);
    } finally {
      await local.close();
      await rm(scratch, { recursive: true, force: true });
    }
  });
});

describe('address', () => {
  test('a port in use fails the start, naming the port', async () => {
    const first = await startFlagServer(serverOptions('local'));
    try {
      await assert.rejects(startFlagServer(serverOptions('local', { port: first.port })), (error: unknown) => {
        assert.ok(error instanceof ServerStartError);
        assert.equal(error.culprit, 'address');
        assert.ok(error.message.includes(String(first.port)), error.message);
        return true;
      });
    } finally {
      await first.close();
    }
  });
});

describe('TLS', () => {
  /** The status and body of a GET over HTTPS, or the error code of a failed one. */
  function fetchTls(url: string, ca?: string): Promise<{ status: number; body: Buffer } | { code: string }> {
    return new Promise((resolve) => {
      httpsGet(url, { ca, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      }).on('error', (error: NodeJS.ErrnoException) => resolve({ code: error.code ?? error.message }));
    });
  }

  test('with a key and certificate it serves HTTPS, trusted only by a client that has the CA', async () => {
    const { ca, key, cert } = await testTls();
    const server = await startFlagServer(serverOptions('local', { tls: { key, cert } }));
    try {
      assert.equal(server.baseUrl, `https://127.0.0.1:${server.port}/flags`);
      const trusted = await fetchTls(`${server.baseUrl}/br/br.svg`, ca);
      assert.ok('status' in trusted, JSON.stringify(trusted));
      assert.equal(trusted.status, 200);
      assert.ok(trusted.body.equals(await readFile(join(flagIconsSvgDir, 'br.svg'))));
      assert.deepEqual(await fetchTls(`${server.baseUrl}/br/br.svg`), { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
      assert.equal(server.requests.length, 1, 'the refused handshake made no request');
    } finally {
      await server.close();
    }
  });

  test('the embedded server serves HTTPS too', async () => {
    const { ca, key, cert } = await testTls();
    const server = await startEmbeddedServer(serverOptions('local', { tls: { key, cert } }));
    try {
      assert.ok(server.baseUrl.startsWith('https://127.0.0.1:'), server.baseUrl);
      assert.deepEqual(await fetchTls(`${server.baseUrl}/zz/zz.svg`, ca), { status: 404, body: Buffer.from('not found\n') });
    } finally {
      await server.close();
    }
  });
});

describe('faults', () => {
  const knobs = { errorRate: 1, latencyMs: 0, jitterMs: 0 };
  const svg = (cc: string) => `/flags/${cc}/${cc}.svg`;

  /** The first code whose first request is planned to get `fault`, with every request faulted. */
  function codeWith(fault: Fault, options = serverOptions('error', knobs)): string {
    const cc = catalogue().find(({ code }) => planAnswer(options, `${code}/${code}.svg`, 0, true).fault === fault)?.code;
    assert.ok(cc, `no code plans ${fault}`);
    return cc;
  }

  test('with error rate 1 every flag request fails, in each of the six ways', async () => {
    const server = await startFlagServer(serverOptions('error', knobs));
    const kinds = new Set<string>();
    try {
      for (let i = 0; i < 120; i++) {
        const cc = codes[i % codes.length];
        const p = i % 3 === 0 ? `/flags/${cc}/metadata.json` : svg(cc);
        const reply = await send(server.port, p, 'GET', false, { timeoutMs: STALL_TIMEOUT_MS });
        if (reply.dropped) {
          assert.equal(reply.timedOut, false, `${p}: no headers at all`);
          kinds.add('drop');
        } else if (!reply.complete) {
          kinds.add(reply.timedOut ? 'stall' : 'truncate');
          assert.equal(reply.status, 200);
          const promised = Number(reply.headers['content-length']);
          assert.ok(reply.body.length > 0 && reply.body.length < promised, `${p}: ${reply.body.length}/${promised}`);
        } else {
          kinds.add(String(reply.status));
          assert.ok([429, 500, 503].includes(reply.status), `${p} gave ${reply.status}`);
          if (reply.status === 429) assert.equal(reply.headers['retry-after'], '1', p);
          else assert.equal(reply.headers['retry-after'], undefined, p);
          assert.match(reply.body.toString(), /\(injected\)\n$/);
        }
      }
      assert.deepEqual([...kinds].sort(), ['429', '500', '503', 'drop', 'stall', 'truncate']);
      // not-found answers carry no fault
      for (let i = 0; i < 10; i++) assert.equal(await outcome(server.port, '/flags/zz/zz.svg'), '404');
    } finally {
      await server.close();
    }
  });

  test('429 says too many requests and to retry after 1 second', async () => {
    const cc = codeWith('status-429');
    const server = await startFlagServer(serverOptions('error', knobs));
    try {
      const reply = await ok(server.port, svg(cc));
      assert.equal(reply.status, 429);
      assert.equal(reply.headers['retry-after'], '1');
      assert.equal(reply.body.toString(), 'too many requests (injected)\n');
    } finally {
      await server.close();
    }
  });

  test('a stalled body never completes: only a client-side timeout ends it', async () => {
    const cc = codeWith('stall');
    const server = await startFlagServer(serverOptions('error', knobs));
    try {
      const expected = await readFile(join(flagIconsSvgDir, `${cc}.svg`));
      const start = performance.now();
      const reply = await send(server.port, svg(cc), 'GET', false, { timeoutMs: STALL_TIMEOUT_MS });
      assert.ok(performance.now() - start >= STALL_TIMEOUT_MS, 'ended before the client gave up');
      assert.equal(reply.dropped, false);
      if (reply.dropped) return;
      assert.equal(reply.timedOut, true);
      assert.equal(reply.status, 200);
      assert.equal(reply.headers['content-length'], String(expected.length));
      assert.equal(reply.complete, false);
      assert.ok(reply.body.equals(expected.subarray(0, expected.length >> 1)), `${reply.body.length} of ${expected.length} bytes`);
    } finally {
      await server.close();
    }
  });

  test('close() ends a stalled answer at once, HEAD or GET', { timeout: 20_000 }, async () => {
    const options = serverOptions('error', knobs);
    const cc = codeWith('stall', options);
    const other = catalogue().find(({ code }) => code !== cc && planAnswer(options, `${code}/${code}.svg`, 0, true).fault === 'stall')!.code;
    const server = await startFlagServer(options);
    const got = send(server.port, svg(cc));
    const head = send(server.port, svg(other), 'HEAD');
    const log = () => server.requests.map(({ path }) => path);
    while (log().length < 2) await new Promise((resolve) => setTimeout(resolve, 5)); // both stalled
    await new Promise((resolve) => setTimeout(resolve, 100)); // time to complete, were it to
    await server.close();
    const [reply, headReply] = await Promise.all([got, head]);
    assert.equal(reply.dropped, false);
    if (!reply.dropped) assert.deepEqual([reply.status, reply.complete, reply.timedOut], [200, false, false]);
    assert.deepEqual([headReply.dropped, headReply.timedOut], [true, false]);
    // The stalled GET had sent its status; the stalled HEAD, nothing.
    assert.deepEqual(
      server.requests.map(({ method, status, fault }) => [method, status, fault]),
      [
        ['GET', 200, 'stall'],
        ['HEAD', 0, 'stall'],
      ],
    );
  });

  test('stalls are about 1 in 12 of the faults, the five other kinds about equal', () => {
    const options = serverOptions('error', knobs);
    const counts = new Map<string, number>();
    for (const { code } of catalogue()) {
      for (let attempt = 0; attempt < 20; attempt++) {
        const fault = planAnswer(options, `${code}/${code}.svg`, attempt, true).fault ?? 'none';
        counts.set(fault, (counts.get(fault) ?? 0) + 1);
      }
    }
    const total = catalogue().length * 20;
    assert.equal(counts.get('none'), undefined);
    const share = (fault: Fault) => (counts.get(fault) ?? 0) / total;
    assert.ok(Math.abs(share('stall') - 1 / 12) < 0.015, `stall ${share('stall')}`);
    for (const fault of ['status-500', 'status-503', 'status-429', 'drop', 'truncate'] as const) {
      assert.ok(Math.abs(share(fault) - 11 / 60) < 0.025, `${fault} ${share(fault)}`);
    }
  });

  test('a repeated request gets a fresh draw', async () => {
    const server = await startFlagServer(serverOptions('error', knobs));
    try {
      const outcomes = new Set<string>();
      for (let i = 0; i < 20; i++) outcomes.add(await outcome(server.port, '/flags/br/br.svg'));
      assert.ok(outcomes.size > 1, [...outcomes].join());
    } finally {
      await server.close();
    }
  });

  /** Each path's outcomes, attempt by attempt, with the paths asked in the given order. */
  async function outcomesBySeed(seed: number, order: string[]): Promise<Record<string, string[]>> {
    const server = await startFlagServer(serverOptions('error', { ...knobs, errorRate: 0.5, seed }));
    const byPath: Record<string, string[]> = {};
    try {
      for (const p of order) {
        byPath[p] ??= [];
        byPath[p].push(await outcome(server.port, p));
      }
    } finally {
      await server.close();
    }
    return byPath;
  }

  test('the same seed gives the same faults, as planned, whatever the order; another seed differs', async () => {
    const paths = codes.flatMap((cc) => [svg(cc), `/flags/${cc}/metadata.json`]);
    const order = [...paths, ...paths, ...paths];
    const first = await outcomesBySeed(7, order);
    const planned = serverOptions('error', { ...knobs, errorRate: 0.5, seed: 7 });
    for (const p of paths) {
      const key = p.slice('/flags/'.length);
      assert.deepEqual(
        first[p],
        [0, 1, 2].map((attempt) => outcomeOf[planAnswer(planned, key, attempt, true).fault ?? 'none']),
        p,
      );
    }
    assert.deepEqual(await outcomesBySeed(7, [...order].reverse()), first);
    assert.notDeepEqual(await outcomesBySeed(8, order), first);
    const retried = Object.values(first).filter((outcomes) => outcomes[0] !== '200' && outcomes.slice(1).includes('200'));
    assert.ok(retried.length > 0, 'no faulted path succeeded on a later attempt');
  });
});

describe('request log', () => {
  const now = () => performance.timeOrigin + performance.now();

  test('records each request on arrival, then the status it was sent', async () => {
    const server = await startFlagServer(serverOptions('local', { latencyMs: 100 }));
    try {
      const before = now();
      const held = send(server.port, '/flags/br/br.svg?x=1');
      while (server.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      assert.deepEqual(server.requests, [{ path: '/flags/br/br.svg', method: 'GET', at: server.requests[0].at, status: 0, fault: null }]);
      assert.equal((await held).dropped, false);
      const answered = now();
      const [first] = server.requests;
      assert.equal(first.status, 200);
      assert.ok(first.at >= before, 'logged before it was sent');
      assert.ok(answered >= first.at + 100, 'answered before its latency from arrival');
      await send(server.port, '/flags/br/br.svg', 'HEAD');
      await send(server.port, '/flags/zz/zz.svg');
      await send(server.port, '/flags/br/br.svg', 'POST');
      await send(server.port, '/flags/%zz/br.svg');
      assert.deepEqual(
        server.requests.map(({ method, path, status }) => `${method} ${path} ${status}`),
        ['GET /flags/br/br.svg 200', 'HEAD /flags/br/br.svg 200', 'GET /flags/zz/zz.svg 404', 'POST /flags/br/br.svg 405', 'GET /flags/%zz/br.svg 400'],
      );
      const times = server.requests.map(({ at }) => at);
      assert.deepEqual(
        [...times].sort((a, b) => a - b),
        times,
      );
    } finally {
      await server.close();
    }
  });

  test('records the planned fault and what was sent for it', async () => {
    const options = serverOptions('error', { errorRate: 1, latencyMs: 0, jitterMs: 0 });
    const server = await startFlagServer(options);
    try {
      const faults: Fault[] = ['status-500', 'status-503', 'status-429', 'drop', 'truncate'];
      const sent: Record<string, number> = { 'status-500': 500, 'status-503': 503, 'status-429': 429, drop: 0, truncate: 200 };
      for (const fault of faults) {
        const cc = catalogue().find(({ code }) => planAnswer(options, `${code}/${code}.svg`, 0, true).fault === fault)!.code;
        await send(server.port, `/flags/${cc}/${cc}.svg`);
        assert.deepEqual(server.requests.map((served) => ({ fault: served.fault, status: served.status })).at(-1), { fault, status: sent[fault] });
      }
    } finally {
      await server.close();
    }
  });

  test('is not kept when not asked for', async () => {
    const server = await startFlagServer(serverOptions('local'), { log: false });
    try {
      await ok(server.port, '/flags/br/br.svg');
      assert.deepEqual(server.requests, []);
    } finally {
      await server.close();
    }
  });
});

describe('delays', () => {
  test('the delay profile plans 100-500 ms, the same for the same request', () => {
    const options = serverOptions('delay');
    const delays = codes.map((cc) => planAnswer(options, `${cc}/${cc}.svg`, 0, true).delayMs);
    assert.ok(
      delays.every((ms) => ms >= 100 && ms <= 500),
      delays.join(),
    );
    assert.ok(new Set(delays).size > 10, delays.join());
    assert.deepEqual(
      codes.map((cc) => planAnswer(options, `${cc}/${cc}.svg`, 0, true).delayMs),
      delays,
    );
    assert.ok(codes.every((cc) => planAnswer(options, `${cc}/${cc}.svg`, 0, true).fault === null));
    const faulty = { ...options, errorRate: 1 };
    assert.deepEqual(
      codes.map((cc) => planAnswer(faulty, `${cc}/${cc}.svg`, 0, true).delayMs),
      delays,
      'faults change no delay',
    );
  });

  test('answers, found or not, are held at least about the latency', async () => {
    const server = await startFlagServer(serverOptions('local', { latencyMs: 150 }));
    try {
      for (const p of ['/flags/br/br.svg', '/flags/zz/zz.svg']) {
        const start = performance.now();
        await ok(server.port, p);
        assert.ok(performance.now() - start >= 120, p);
      }
    } finally {
      await server.close();
    }
  });

  test('close ends pending answers at once and leaves no timer or listener behind', { timeout: 20_000 }, async () => {
    const timersBefore = await resourceCount('Timeout');
    const listenersBefore = await resourceCount('TCPServerWrap');
    const server = await startFlagServer(serverOptions('local', { latencyMs: 600_000 }));
    const timersListening = await resourceCount('Timeout');
    const pending = send(server.port, '/flags/br/br.svg');
    while ((await resourceCount('Timeout')) === timersListening) {
      await new Promise((resolve) => setTimeout(resolve, 5)); // until the answer is being held
    }
    await server.close();
    assert.equal((await pending).dropped, true);
    assert.equal(await resourceCount('Timeout'), timersBefore);
    assert.equal(await resourceCount('TCPServerWrap'), listenersBefore);
  });
});

describe('embedded server', () => {
  test('serves from its own thread and closes', async () => {
    const server = await startEmbeddedServer(serverOptions('local'));
    const reply = await ok(server.port, path(server.baseUrl, 'br/br.svg'));
    assert.ok(reply.body.equals(await readFile(join(flagIconsSvgDir, 'br.svg'))));
    assert.equal(await resourceCount('TCPServerWrap'), 0); // the listener lives in the other thread
    await server.close();
    assert.equal(await outcome(server.port, '/flags/br/br.svg'), 'drop');
  });

  test('reports start errors from its thread', async () => {
    const missing = join(tmpdir(), 'flags-server-test-no-such-dir');
    await assert.rejects(startEmbeddedServer(serverOptions('local', { dir: missing })), (error: unknown) => {
      assert.ok(error instanceof ServerStartError);
      assert.ok(error.message.includes(missing), error.message);
      return true;
    });
    const first = await startFlagServer(serverOptions('local'));
    try {
      await assert.rejects(startEmbeddedServer(serverOptions('local', { port: first.port })), (error: unknown) => {
        assert.ok(error instanceof ServerStartError);
        assert.ok(error.message.includes(String(first.port)), error.message);
        return true;
      });
    } finally {
      await first.close();
    }
  });

  test('lets the process exit by itself once closed', async () => {
    const embedded = new URL('../src/server/embedded.js', import.meta.url).href;
    const options = new URL('../src/server/server-options.js', import.meta.url).href;
    const script = `
      import { startEmbeddedServer } from '${embedded}';
      import { serverOptions } from '${options}';
      import { get } from 'node:http';
      const server = await startEmbeddedServer(serverOptions('local', { latencyMs: 600000 }));
      get(server.baseUrl + '/br/br.svg').on('error', () => console.log('dropped'));
      await new Promise((resolve) => setTimeout(resolve, 200));
      await server.close();
      console.log('closed');
    `;
    // A file, not --eval: the worker would inherit --input-type, which only --eval accepts.
    const scratch = await mkdtemp(join(tmpdir(), 'flags-server-test-'));
    const file = join(scratch, 'exit.mjs');
    await writeFile(file, script);
    const child = spawnSync(process.execPath, [file], { encoding: 'utf8', timeout: 30_000 });
    await rm(scratch, { recursive: true });
    assert.equal(child.signal, null, 'the process did not exit by itself');
    assert.equal(child.status, 0, child.stderr);
    assert.deepEqual(child.stdout.trim().split('\n').sort(), ['closed', 'dropped']);
  });
});

describe('flags serve', () => {
  test('prints where it serves, serves, and stops on SIGINT with code 0', async () => {
    const child = spawn(process.execPath, [cliPath, 'serve', '--port', '0', '--profile', 'local', '--seed', '5']);
    let stdout = '';
    child.stdout.setEncoding('utf8');
    // The banner is three lines: where, the profile, and a curl to try.
    while (!/\nTry: .*\n/.test(stdout)) {
      const [chunk] = (await once(child.stdout, 'data')) as [string];
      stdout += chunk;
    }
    const match = /^Serving flags at (http:\/\/127\.0\.0\.1:(\d+)\/flags)\n(Profile .*)\n/.exec(stdout);
    assert.ok(match, stdout);
    assert.ok(match[3].includes('Profile local') && match[3].includes('seed 5'), match[3]);
    assert.equal((await ok(Number(match[2]), '/flags/br/br.svg')).status, 200);
    const exit = once(child, 'exit');
    child.kill('SIGINT');
    assert.deepEqual(await exit, [0, null]);
    assert.ok(stdout.includes(`curl ${match[1]}/br/br.svg`), stdout);
  });

  test('--latency 0 without --jitter serves with no jitter, and says so', async () => {
    const run = await runCli(['serve', '--latency', '0', '--port', '0'], {
      onStdout: (text, child) => {
        if (text.includes('Try:') && !child.killed) child.kill('SIGINT');
      },
    });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^Profile delay: latency 0±0 ms, error rate 0, seed 1$/m);
  });

  test('a bad --dir exits 2, a busy port exits 1, naming them', async () => {
    const missing = join(tmpdir(), 'flags-server-test-no-such-dir');
    const badDir = spawnSync(process.execPath, [cliPath, 'serve', '--dir', missing], { encoding: 'utf8' });
    assert.equal(badDir.status, 2);
    assert.ok(badDir.stderr.includes(missing), badDir.stderr);
    const busy = await startFlagServer(serverOptions('local'));
    try {
      const child = spawn(process.execPath, [cliPath, 'serve', '--port', String(busy.port)]);
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
      const [status] = await once(child, 'exit');
      assert.equal(status, 1);
      assert.ok(stderr.includes(String(busy.port)), stderr);
    } finally {
      await busy.close();
    }
  });
});

describe('options', () => {
  test('profiles supply defaults that explicit knobs override; undefined overrides nothing', () => {
    assert.deepEqual(serverOptions('error'), {
      profile: 'error',
      latencyMs: 300,
      jitterMs: 200,
      errorRate: 0.2,
      seed: 1,
      host: '127.0.0.1',
      port: 0,
    });
    assert.deepEqual(serverOptions('delay', { errorRate: 0.5, jitterMs: undefined, seed: 3, port: 8001 }), {
      profile: 'delay',
      latencyMs: 300,
      jitterMs: 200,
      errorRate: 0.5,
      seed: 3,
      host: '127.0.0.1',
      port: 8001,
    });
    assert.equal(serverOptions('local').latencyMs, 0);
  });

  test('a latency given without a jitter has no jitter; a given jitter stays', () => {
    for (const profile of ['delay', 'error'] as const) {
      assert.equal(serverOptions(profile, { latencyMs: 0 }).jitterMs, 0, profile);
      assert.equal(serverOptions(profile, { latencyMs: 50, jitterMs: undefined }).jitterMs, 0, profile);
      assert.equal(serverOptions(profile, { latencyMs: 50, jitterMs: 20 }).jitterMs, 20, profile);
      assert.equal(serverOptions(profile, { jitterMs: 20 }).latencyMs, 300, profile);
    }
    const fixed = serverOptions('delay', { latencyMs: 100 });
    assert.deepEqual(
      codes.map((cc) => planAnswer(fixed, `${cc}/${cc}.svg`, 0, true).delayMs),
      codes.map(() => 100),
    );
  });

  test('a bad knob is an OptionError that names the option and quotes what was given', () => {
    assert.equal(serverKnobs.latency.check('0', 'latency'), 0);
    assert.equal(serverKnobs.jitter.check(10, 'jitter'), 10);
    assert.equal(serverKnobs.errorRate.check('1', 'errorRate'), 1);
    assert.equal(serverKnobs.seed.check('-4', 'seed'), -4);
    const bad: [keyof typeof serverKnobs, unknown][] = [
      ['latency', -1],
      ['latency', 'abc'],
      ['jitter', -5],
      ['errorRate', 1.5],
      ['errorRate', -0.1],
      ['errorRate', 'lots'],
      ['seed', 1.5],
      ['seed', 'abc'],
      ['seed', ''],
    ];
    for (const [option, typed] of bad) {
      assert.throws(
        () => serverKnobs[option].check(typed, option),
        (error: Error) => error instanceof OptionError && error.message.startsWith(`${option} must be`) && error.message.endsWith(`got ${JSON.stringify(typed)}`),
        `${option} ${String(typed)}`,
      );
    }
  });
});
