import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFile, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { download } from '../src/index.js';
import { inPropertyWords, isOptionError } from './helpers/option-errors.js';
import { inTemp, parseReport, runCli } from './helpers/fixtures.js';
import { closedPort } from './helpers/closed-port.js';
import { proxyEnv } from './helpers/proxy.js';

/** A request as the test server saw it. */
interface Seen {
  path: string;
  headers: http.IncomingHttpHeaders;
}

/** A node:http server on 127.0.0.1 that records every request and answers with `handle`. */
async function startOrigin(handle: (request: http.IncomingMessage, response: http.ServerResponse) => void) {
  const seen: Seen[] = [];
  const server = http.createServer((request, response) => {
    seen.push({ path: request.url ?? '', headers: request.headers });
    handle(request, response);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    seen,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

const answer = (response: http.ServerResponse, status: number, body = '', headers: http.OutgoingHttpHeaders = {}) => response.writeHead(status, headers).end(body);
const version = async () => (JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** Every occurrence of the secret, whichever way it could be written out: as typed, decoded, or inside the Basic header. */
function assertNoSecret(text: string, where: string): void {
  assert.doesNotMatch(text, /SECRET/, where);
  assert.ok(!text.includes(Buffer.from('alice:p@ss-SECRET').toString('base64')), `${where}: the Basic header's value`);
}

test('the closed port refuses a connection, and no server can listen on it while this process holds it', async () => {
  const port = await closedPort();
  assert.equal(await closedPort(), port, 'one port per process');
  const refused = http.get(`http://127.0.0.1:${port}/`);
  await assert.rejects(once(refused, 'response'), { code: 'ECONNREFUSED' });
  const taker = http.createServer().listen(port, '127.0.0.1');
  await assert.rejects(once(taker, 'listening'), { code: 'EADDRINUSE' });
});

describe('credentials in URLs: sent as Basic auth, never printed', () => {
  test('a list whose URLs hold a password: the files, and the secret nowhere in the text report, --verbose, --json or the timeline, failures included', async () => {
    const basic = `Basic ${Buffer.from('alice:p@ss-SECRET').toString('base64')}`;
    const origin = await startOrigin((request, response) => {
      if (request.headers.authorization !== basic) return answer(response, 401, 'who are you?', { 'www-authenticate': 'Basic realm="files"' });
      if (request.url === '/files/missing.svg') return answer(response, 404);
      if (request.url === '/files/broken.svg') return answer(response, 500);
      answer(response, 200, `<svg>${request.url}</svg>`);
    });
    const down = await closedPort();
    try {
      await inTemp(async (folder) => {
        const user = 'alice:p%40ss-SECRET@';
        const list = join(folder, 'urls.txt');
        const lines = ['a.svg', 'b.svg', 'missing.svg', 'broken.svg'].map((file) => `http://${user}127.0.0.1:${origin.port}/files/${file}`);
        await writeFile(list, [...lines, `http://${user}127.0.0.1:${down}/files/down.svg`].join('\n'));
        const common = ['-i', list, '--retries', '1', '--retry-delay', '0', '-H', 'Cookie: session=cookie-SECRET', '--no-proxy'];

        const text = await runCli([...common, '--dest', join(folder, 'text'), '--verbose', '--timeline', join(folder, 'run.svg')]);
        assert.equal(text.code, 1, text.stderr);
        // A list's 404 is an error: wget's, curl --fail's and aria2c's reading of it.
        assert.match(text.stdout, /2 files downloaded, 0 not found, 3 errors/);
        assert.match(text.stdout, /retry/, 'the retry lines are there to check too');
        assert.equal(await readFile(join(folder, 'text', 'a.svg'), 'utf8'), '<svg>/files/a.svg</svg>');
        assert.ok(origin.seen.every((request) => request.headers.cookie === 'session=cookie-SECRET'));
        assert.ok(!origin.seen.some((request) => request.path.includes('SECRET')), 'user info never goes in the request line');

        const json = await runCli([...common, '--dest', join(folder, 'json'), '--json']);
        const report = parseReport(json);
        assert.equal(report.ok, 2);
        assert.equal(report.results[0]!.url, `http://***@127.0.0.1:${origin.port}/files/a.svg`);
        assert.match(report.results.find((result) => result.file === 'down.svg')!.error!, /ECONNREFUSED/);

        const outputs = { 'stdout (text)': text.stdout, 'stderr (text)': text.stderr, 'the JSON': json.stdout, 'stderr (json)': json.stderr };
        for (const [where, output] of Object.entries(outputs)) assertNoSecret(output, where);
        assertNoSecret(await readFile(join(folder, 'run.svg'), 'utf8'), 'the timeline');
      });
    } finally {
      await origin.close();
    }
  });

  test('--server with a password: flags fetched with it, the run described without it; a bad list line with one: exit 2 without it', async () => {
    const basic = `Basic ${Buffer.from('alice:p@ss-SECRET').toString('base64')}`;
    const origin = await startOrigin((request, response) =>
      request.headers.authorization !== basic ? answer(response, 401) : request.url === '/flags/br/br.svg' ? answer(response, 200, '<svg/>') : answer(response, 404),
    );
    try {
      await inTemp(async (folder) => {
        const server = `http://alice:p%40ss-SECRET@127.0.0.1:${origin.port}/flags`;
        const run = await runCli(['BR', 'ZZ', '--server', server, '--dest', folder, '--verbose', '--no-proxy']);
        assert.equal(run.code, 0, run.stderr);
        assert.match(run.stdout, new RegExp(`Downloading 2 flags from http://\\*\\*\\*@127\\.0\\.0\\.1:${origin.port}/flags`));
        assert.match(run.stdout, /1 flag downloaded, 1 not found/);
        assertNoSecret(run.stdout + run.stderr, 'a --server run');

        const list = join(folder, 'bad.txt');
        await writeFile(list, 'ftp://alice:p%40ss-SECRET@127.0.0.1/x.svg\n');
        const bad = await runCli(['-i', list, '--dest', folder]);
        assert.equal(bad.code, 2);
        assert.match(bad.stderr, /ftp:\/\/\*\*\*@127\.0\.0\.1\/x\.svg/);
        assertNoSecret(bad.stderr, 'a usage error');
      });
    } finally {
      await origin.close();
    }
  });
});

describe('credentials in flags compare', () => {
  test('its output names the server without the password, a failed run included', async () => {
    const server = `http://alice:p%40ss-SECRET@127.0.0.1:${await closedPort()}/flags`;
    const run = await runCli(['compare', 'BR', '--server', server, '--modes', 'sequential', '--repeat', '1'], { env: proxyEnv() });
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /from http:\/\/\*\*\*@127\.0\.0\.1:\d+\/flags/);
    assert.match(run.stdout, /1 failed run/);
    assertNoSecret(run.stdout + run.stderr, 'flags compare');
  });
});

describe('headers', () => {
  test('--header sent with every request, a repeated name twice; User-Agent flags/VERSION unless --user-agent', async () => {
    const origin = await startOrigin((_request, response) => answer(response, 200, '<svg/>'));
    try {
      await inTemp(async (folder) => {
        const server = `${origin.url}/flags`;
        const given = await runCli(['BR', 'IN', '--server', server, '--dest', folder, '-H', 'X-Test: one', '--header', 'X-Test:two', '-H', 'Accept: image/svg+xml']);
        assert.equal(given.code, 0, given.stderr);
        assert.equal(origin.seen.length, 2);
        for (const { headers } of origin.seen) {
          assert.equal(headers['x-test'], 'one, two');
          assert.equal(headers.accept, 'image/svg+xml');
          assert.equal(headers['user-agent'], `flags/${await version()}`);
        }
        origin.seen.length = 0;
        const agent = await runCli(['BR', '--server', server, '--dest', folder, '--user-agent', 'probe/1.0 (tests)']);
        assert.equal(agent.code, 0, agent.stderr);
        assert.equal(origin.seen[0]!.headers['user-agent'], 'probe/1.0 (tests)');
      });
    } finally {
      await origin.close();
    }
  });

  test('a header without a colon, one flags sets itself, --max-redirects -1: exit 2 naming the value, and the same words from the API, naming the property', async () => {
    for (const [args, api, message] of [
      [['-H', 'X-Test one'], { header: ['X-Test one'] }, '--header "X-Test one" has no colon: give it as \'Name: value\''],
      [['-H', 'Range: bytes=0-'], { header: 'Range: bytes=0-' }, '--header "Range: bytes=0-": flags sets Range itself'],
      [['-H', 'Bad Name: x'], { header: ['Bad Name: x'] }, '--header "Bad Name: x": "Bad Name" is not a header name'],
      [
        ['-H', 'X-Emoji: ☃'],
        { header: ['X-Emoji: ☃'] },
        '--header "X-Emoji: ☃": a value cannot hold "☃": only Latin-1 characters can be sent (percent-encode others, as %E2%98%83)',
      ],
      [
        ['--user-agent', 'fetcher ☃'],
        { userAgent: 'fetcher ☃' },
        '--user-agent "fetcher ☃": a value cannot hold "☃": only Latin-1 characters can be sent (percent-encode others, as %E2%98%83)',
      ],
      [['--max-redirects', '-1'], { maxRedirects: -1 }, '--max-redirects must be a whole number from 0 to 1000, got -1'],
      [['--proxy', 'not a url'], { proxy: 'not a url' }, '--proxy "not a url" is not a proxy URL (such as http://proxy.example:3128)'],
    ] as const) {
      const run = await runCli(['BR', '--server', 'local', ...args]);
      assert.equal(run.code, 2, run.stderr);
      assert.equal(run.stderr.split('\n')[0], `flags: ${message}`);
      assert.throws(() => download({ codes: ['BR'], server: 'local', ...api }), isOptionError(Object.keys(api)[0], inPropertyWords(message)));
    }
  });
});

describe('redirects', () => {
  test('followed up to --max-redirects, to http(s) only; a loop and file: are errors naming them, not retried; credentials go to the first host only', async () => {
    const other = await startOrigin((_request, response) => answer(response, 200, 'elsewhere'));
    const origin = await startOrigin((request, response) => {
      const to = (location: string, status = 302) => answer(response, status, '', { location });
      const chain = /^\/chain\/(\d+)$/.exec(request.url ?? '');
      if (chain && chain[1] !== '0') return to(`/chain/${Number(chain[1]) - 1}`);
      const routes: Record<string, () => void> = {
        '/moved.svg': () => to('/real.svg', 301),
        '/loop-a': () => to('/loop-b'),
        '/loop-b': () => to(`${origin.url}/loop-a`, 307),
        '/to-file': () => to('file:///etc/passwd'),
        '/same': () => to('/echo'),
        '/cross-host': () => to(`http://localhost:${other.port}/echo`),
        '/cross-port': () => to(`http://127.0.0.1:${other.port}/echo`, 308),
      };
      (routes[request.url ?? ''] ?? (() => answer(response, 200, `at ${request.url}`)))();
    });
    try {
      await inTemp(async (folder) => {
        const base = `http://alice:pw-SECRET@127.0.0.1:${origin.port}`;
        const names = ['moved.svg', 'loop-a', 'to-file', 'chain/3', 'same', 'cross-host', 'cross-port'];
        const list = join(folder, 'urls.txt');
        await writeFile(list, names.map((name) => `${base}/${name} ${name.replace('/', '-')}`).join('\n'));
        const args = ['-i', list, '--dest', join(folder, 'out'), '--max-redirects', '2', '--retries', '2', '--retry-delay', '0', '--json', '--no-proxy'];
        const run = await runCli([...args, '-H', 'Cookie: c=cookie-SECRET', '-H', 'X-Keep: yes']);
        assert.equal(run.code, 1, run.stderr);
        const results = new Map(parseReport(run).results.map((result) => [result.file, result]));

        assert.equal(results.get('moved.svg')!.status, 'ok');
        assert.equal(results.get('moved.svg')!.finalUrl, `${origin.url}/real.svg`);
        assert.equal(await readFile(join(folder, 'out', 'moved.svg'), 'utf8'), 'at /real.svg');
        assert.equal(results.get('same')!.finalUrl, `${origin.url}/echo`);
        assert.equal(results.get('cross-host')!.finalUrl, `http://localhost:${other.port}/echo`);
        assert.equal('finalUrl' in results.get('cross-port')!, true);

        const failures = {
          'loop-a': new RegExp(`redirect loop: ${origin.url}/loop-a → ${origin.url}/loop-b → ${origin.url}/loop-a`),
          'to-file': /redirect to file:\/\/\/etc\/passwd refused: only http: and https: are followed/,
          'chain-3': /more than 2 redirects \(--max-redirects\), the last to http:\/\/127\.0\.0\.1:\d+\/chain\/0/,
        };
        for (const [file, error] of Object.entries(failures)) {
          const result = results.get(file)!;
          assert.equal(result.status, 'error', file);
          assert.match(result.error!, error);
          assert.equal(result.attempts, 1, `${file}: a refused redirect is final`);
        }

        const basic = `Basic ${Buffer.from('alice:pw-SECRET').toString('base64')}`;
        const atEcho = origin.seen.filter((request) => request.path === '/echo');
        assert.equal(atEcho.length, 1);
        assert.equal(atEcho[0]!.headers.authorization, basic, 'the same origin gets the credentials');
        assert.equal(atEcho[0]!.headers.cookie, 'c=cookie-SECRET');
        assert.equal(other.seen.length, 2, 'localhost, and another port of 127.0.0.1');
        for (const { headers } of other.seen) {
          assert.equal(headers.authorization, undefined, 'no credentials for another host');
          assert.equal(headers.cookie, undefined, 'no cookie for another host');
          assert.equal(headers['x-keep'], 'yes');
        }
        assertNoSecret(run.stdout + run.stderr, 'the redirects run');

        const longer = await runCli(['-i', list, '--dest', join(folder, 'default'), '--limit', '4', '--json', '--no-proxy'], { env: proxyEnv() });
        assert.equal(parseReport(longer).results.find((result) => result.file === 'chain-3')!.finalUrl, `${origin.url}/chain/0`, 'the default follows 10');
      });
    } finally {
      await origin.close();
      await other.close();
    }
  });
});
