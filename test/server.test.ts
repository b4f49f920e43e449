import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { Agent, request, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { catalogue, flagIconsSvgDir } from '../src/catalogue.js';
import { startEmbeddedServer } from '../src/server/embedded.js';
import { startFlagServer, type RunningServer } from '../src/server/flag-server.js';
import { UsageError } from '../src/errors.js';
import { serverKnobs, serverOptions } from '../src/server/options.js';
import { planAnswer } from '../src/server/plan.js';
import { ServerStartError } from '../src/server/start-error.js';

const codes = 'cn in us id br pk ng bd ru jp mx ph vn et eg de ir tr cd fr'.split(' ');

type Reply =
  | { dropped: true; error: string }
  | {
      dropped: false;
      status: number;
      headers: IncomingHttpHeaders;
      body: Buffer;
      /** False when the connection ended before the whole body arrived. */
      complete: boolean;
      reusedSocket: boolean;
    };

/** One raw request: `path` goes on the wire exactly as given, which fetch would not allow. */
function send(port: number, path: string, method = 'GET', agent: Agent | false = false): Promise<Reply> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, method, agent }, (res) => {
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
        }),
      );
    });
    req.on('error', (error) => resolve({ dropped: true, error: error.message }));
    req.end();
  });
}

async function ok(port: number, path: string, method = 'GET', agent: Agent | false = false) {
  const reply = await send(port, path, method, agent);
  assert.equal(reply.dropped, false, `${method} ${path} was dropped`);
  if (reply.dropped) throw new Error('unreachable');
  return reply;
}

/** How a request ended, in one word: the status, or how the connection failed. */
async function outcome(port: number, path: string): Promise<string> {
  const reply = await send(port, path);
  if (reply.dropped) return 'drop';
  if (!reply.complete) return 'truncate';
  return String(reply.status);
}

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

  test('serves metadata from the catalogue', async () => {
    for (const cc of codes) {
      const reply = await ok(server.port, `/flags/${cc}/metadata.json`, 'GET', agent);
      assert.equal(reply.status, 200, cc);
      assert.equal(reply.headers['content-type'], 'application/json', cc);
      assert.equal(reply.headers['content-length'], String(reply.body.length), cc);
      assert.deepEqual(
        JSON.parse(reply.body.toString('utf8')),
        catalogue().find((country) => country.code === cc),
      );
    }
    const brazil = JSON.parse((await ok(server.port, '/flags/br/metadata.json')).body.toString('utf8'));
    assert.deepEqual(brazil, { code: 'br', name: 'Brazil', capital: 'Brasília', continent: 'South America' });
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
      const br = await ok(server.port, '/flags/br/br.gif');
      assert.equal(br.status, 200);
      assert.equal(br.headers['content-type'], 'image/gif');
      assert.ok(br.body.equals(gif('br')));
      const metadata = await ok(server.port, '/flags/br/metadata.json');
      assert.equal(metadata.headers['content-type'], 'application/json');
      assert.equal(metadata.body.toString(), '{"name":"Brazil"}');
      assert.ok((await ok(server.port, '/flags/jp/jp.gif')).body.equals(gif('jp')));
      assert.equal((await ok(server.port, '/flags/jp/jp.png')).headers['content-type'], 'image/png');
      const data = await ok(server.port, '/flags/us/us.dat');
      assert.equal(data.headers['content-type'], 'application/octet-stream');
      assert.equal(data.body.toString(), 'DATA');
      // a symlink that stays inside the folder is fine
      assert.ok((await ok(server.port, '/flags/mx/mx.gif')).body.equals(gif('br')));
      for (const p of ['/flags/br/br.svg', '/flags/jp/metadata.json', '/flags/br/notes.txt', '/flags/README.md']) {
        assert.equal((await ok(server.port, p)).status, 404, p);
      }
    } finally {
      await server.close();
    }
  });

  test('refuses symlinks that lead out of the folder', async () => {
    const server = await startFlagServer(serverOptions('local', { dir }));
    try {
      for (const p of ['/flags/zz/zz.gif', '/flags/yy/yy.gif', '/flags/..%2foutside/secret.gif']) {
        const reply = await ok(server.port, p);
        assert.equal(reply.status, 404, p);
        assert.ok(!reply.body.toString().includes('SECRET'), p);
      }
    } finally {
      await server.close();
    }
  });

  test('fails to start on a missing, non-folder or flagless dir, naming it', async () => {
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

describe('faults', () => {
  const knobs = { errorRate: 1, latencyMs: 0, jitterMs: 0 };

  test('with error rate 1 every flag request fails, in each of the three ways', async () => {
    const server = await startFlagServer(serverOptions('error', knobs));
    const kinds = new Set<string>();
    try {
      for (let i = 0; i < 90; i++) {
        const cc = codes[i % codes.length];
        const p = i % 3 === 0 ? `/flags/${cc}/metadata.json` : `/flags/${cc}/${cc}.svg`;
        const reply = await send(server.port, p);
        if (reply.dropped) {
          kinds.add('drop');
        } else if (!reply.complete) {
          kinds.add('truncate');
          assert.equal(reply.status, 200);
          const promised = Number(reply.headers['content-length']);
          assert.ok(reply.body.length > 0 && reply.body.length < promised, `${p}: ${reply.body.length}/${promised}`);
        } else {
          kinds.add('status');
          assert.ok(reply.status === 500 || reply.status === 503, `${p} gave ${reply.status}`);
        }
      }
      assert.deepEqual([...kinds].sort(), ['drop', 'status', 'truncate']);
      // not-found answers carry no fault
      for (let i = 0; i < 10; i++) assert.equal(await outcome(server.port, '/flags/zz/zz.svg'), '404');
    } finally {
      await server.close();
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

  test('the same seed gives the same faults, whatever the order; another seed differs', async () => {
    const paths = codes.flatMap((cc) => [`/flags/${cc}/${cc}.svg`, `/flags/${cc}/metadata.json`]);
    const order = [...paths, ...paths];
    const first = await outcomesBySeed(7, order);
    assert.ok(Object.values(first).flat().includes('200'));
    assert.ok(
      Object.values(first)
        .flat()
        .some((kind) => kind !== '200'),
    );
    assert.deepEqual(await outcomesBySeed(7, [...order].reverse()), first);
    assert.notDeepEqual(await outcomesBySeed(8, order), first);
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
    const options = new URL('../src/server/options.js', import.meta.url).href;
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
  const cli = fileURLToPath(new URL('../src/cli.js', import.meta.url));

  test('prints where it serves, serves, and stops on SIGINT with code 0', async () => {
    const child = spawn(process.execPath, [cli, 'serve', '--port', '0', '--profile', 'local', '--seed', '5']);
    let stdout = '';
    child.stdout.setEncoding('utf8');
    while (stdout.split('\n').length < 3) {
      const [chunk] = (await once(child.stdout, 'data')) as [string];
      stdout += chunk;
    }
    const match = /^Serving flags at (http:\/\/127\.0\.0\.1:(\d+)\/flags) \((.*)\)\n/.exec(stdout);
    assert.ok(match, stdout);
    assert.ok(match[3].includes('profile local') && match[3].includes('seed 5'), match[3]);
    assert.equal((await ok(Number(match[2]), '/flags/br/br.svg')).status, 200);
    const exit = once(child, 'exit');
    child.kill('SIGINT');
    assert.deepEqual(await exit, [0, null]);
    assert.ok(stdout.includes(`curl ${match[1]}/br/br.svg`), stdout);
  });

  test('a bad --dir exits 2, a busy port exits 1, naming them', async () => {
    const missing = join(tmpdir(), 'flags-server-test-no-such-dir');
    const badDir = spawnSync(process.execPath, [cli, 'serve', '--dir', missing], { encoding: 'utf8' });
    assert.equal(badDir.status, 2);
    assert.ok(badDir.stderr.includes(missing), badDir.stderr);
    const busy = await startFlagServer(serverOptions('local'));
    try {
      const child = spawn(process.execPath, [cli, 'serve', '--port', String(busy.port)]);
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
    assert.deepEqual(serverOptions('delay', { latencyMs: 50, jitterMs: undefined, seed: 3, port: 8001 }), {
      profile: 'delay',
      latencyMs: 50,
      jitterMs: 200,
      errorRate: 0,
      seed: 3,
      host: '127.0.0.1',
      port: 8001,
    });
    assert.equal(serverOptions('local').latencyMs, 0);
  });

  test('a bad knob is a usage error that names the option and quotes what was typed', () => {
    assert.equal(serverKnobs.latency.coerce('0'), 0);
    assert.equal(serverKnobs.jitter.coerce(10), 10);
    assert.equal(serverKnobs['error-rate'].coerce('1'), 1);
    assert.equal(serverKnobs.seed.coerce('-4'), -4);
    const bad: [keyof typeof serverKnobs, unknown][] = [
      ['latency', -1],
      ['latency', 'abc'],
      ['jitter', '-5'],
      ['error-rate', 1.5],
      ['error-rate', '-0.1'],
      ['error-rate', 'lots'],
      ['seed', 1.5],
      ['seed', 'abc'],
      ['seed', ''],
    ];
    for (const [option, typed] of bad) {
      assert.throws(
        () => serverKnobs[option].coerce(typed),
        (error: Error) => error instanceof UsageError && error.message.startsWith(`--${option} must be`) && error.message.endsWith(`got ${JSON.stringify(typed)}`),
        `${option} ${String(typed)}`,
      );
    }
  });
});
