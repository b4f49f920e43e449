import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { bypassed, proxyFor, proxySettings } from '../src/fetch/proxy.js';
import { inTemp, parseReport, runCli, testTls, withServer } from './helpers/fixtures.js';
import { closedPort } from './helpers/closed-port.js';
import { proxyEnv, startProxy } from './helpers/proxy.js';

const codes = ['BR', 'IN', 'US', 'CN', 'JP'];
const flagPaths = (baseUrl: string) => codes.map((code) => `GET ${baseUrl}/${code.toLowerCase()}/${code.toLowerCase()}.svg`).sort();

describe('proxies: a real HTTP proxy on 127.0.0.1 whose log shows what went through it', () => {
  test('HTTP_PROXY: every request of a run goes through it, on kept-alive connections; NO_PROXY 127.0.0.1 or host:port bypasses it', async () => {
    const proxy = await startProxy();
    try {
      await withServer('local', {}, async (server) => {
        await inTemp(async (folder) => {
          const port = new URL(server.baseUrl).port;
          const run = (dest: string, env: Record<string, string>) =>
            runCli([...codes, '--server', server.baseUrl, '--threads', '1', '--dest', join(folder, dest), '--json'], { env: proxyEnv(env) });

          const through = await run('through', { HTTP_PROXY: proxy.url });
          assert.equal(through.code, 0, through.stderr);
          assert.equal(parseReport(through).ok, codes.length);
          assert.deepEqual([...proxy.log].sort(), flagPaths(server.baseUrl), 'each flag once, through the proxy');
          assert.equal(proxy.connections, 1, 'one thread, one kept-alive connection to the proxy');

          for (const noProxy of ['127.0.0.1', `127.0.0.1:${port}`, `localhost, .127.0.0.1:${port}`, '*']) {
            proxy.log.length = 0;
            const bypassing = await run(`bypass-${proxy.log.length}`, { HTTP_PROXY: proxy.url, NO_PROXY: noProxy });
            assert.equal(bypassing.code, 0, bypassing.stderr);
            assert.deepEqual(proxy.log, [], `NO_PROXY=${noProxy}`);
          }
          const otherPort = await run('other-port', { http_proxy: proxy.url, no_proxy: `127.0.0.1:${Number(port) + 1}` });
          assert.equal(otherPort.code, 0, otherPort.stderr);
          assert.equal(proxy.log.length, codes.length, 'a NO_PROXY entry for another port does not bypass it');
        });
      });
    } finally {
      await proxy.close();
    }
  });

  test('--proxy wins over HTTP_PROXY; --no-proxy ignores it; lower-case http_proxy wins over HTTP_PROXY', async () => {
    const proxy = await startProxy();
    const dead = `http://127.0.0.1:${await closedPort()}`;
    try {
      await withServer('local', {}, async (server) => {
        await inTemp(async (folder) => {
          const run = (dest: string, args: string[], env: Record<string, string>) =>
            runCli([...codes, '--server', server.baseUrl, '--retries', '0', '--dest', join(folder, dest), '--json', ...args], { env: proxyEnv(env) });

          const overridden = await run('override', ['--proxy', proxy.url], { HTTP_PROXY: dead });
          assert.equal(overridden.code, 0, overridden.stderr);
          assert.deepEqual([...proxy.log].sort(), flagPaths(server.baseUrl));

          proxy.log.length = 0;
          const none = await run('none', ['--no-proxy'], { HTTP_PROXY: proxy.url });
          assert.equal(none.code, 0, none.stderr);
          assert.deepEqual(proxy.log, []);

          const lower = await run('lower', [], { http_proxy: proxy.url, HTTP_PROXY: dead });
          assert.equal(lower.code, 0, lower.stderr);
          assert.equal(proxy.log.length, codes.length);
        });
      });
    } finally {
      await proxy.close();
    }
  });

  test('HTTPS_PROXY: https through a CONNECT tunnel, the origin checked with --ca; proxy credentials from its URL', async () => {
    const { ca, key, cert } = await testTls();
    const proxy = await startProxy('user:proxy-SECRET-1');
    try {
      await withServer('local', { tls: { key, cert } }, async (server) => {
        await inTemp(async (folder) => {
          const caFile = join(folder, 'ca.pem');
          await writeFile(caFile, ca);
          const origin = new URL(server.baseUrl).host;
          const proxyUrl = proxy.url.replace('//', '//user:proxy-SECRET-1@');
          const run = (dest: string, args: string[]) =>
            runCli([...codes, '--server', server.baseUrl, '--retries', '0', '--dest', join(folder, dest), '--json', ...args], { env: proxyEnv({ HTTPS_PROXY: proxyUrl }) });

          const trusted = await run('ca', ['--ca', caFile]);
          assert.equal(trusted.code, 0, trusted.stderr);
          assert.equal(parseReport(trusted).ok, codes.length);
          assert.ok(proxy.log.length >= 1 && proxy.log.every((line) => line === `CONNECT ${origin}`), proxy.log.join('\n'));

          const untrusted = await run('no-ca', []);
          assert.equal(untrusted.code, 1);
          for (const result of parseReport(untrusted).results) assert.match(result.error!, /certificate|UNABLE_TO_VERIFY/i, 'the origin is checked through the tunnel');
          for (const output of [trusted.stdout, trusted.stderr, untrusted.stdout, untrusted.stderr]) assert.doesNotMatch(output, /proxy-SECRET-1/);
        });
      });
    } finally {
      await proxy.close();
    }
  });

  test('a proxy that is down, or refuses the tunnel: an error naming the proxy (no password), retried', async () => {
    const proxy = await startProxy('user:right');
    const down = `http://user:down-SECRET-2@127.0.0.1:${await closedPort()}`;
    try {
      await withServer('local', {}, async (http) => {
        await withServer('local', { tls: await testTls() }, async (https) => {
          await inTemp(async (folder) => {
            const refused = await runCli(['BR', '--server', http.baseUrl, '--retries', '1', '--retry-delay', '0', '--dest', folder, '--json'], {
              env: proxyEnv({ HTTP_PROXY: down }),
            });
            assert.equal(refused.code, 1);
            const [unreached] = parseReport(refused).results;
            assert.match(unreached!.error!, /ECONNREFUSED.*\(through the proxy http:\/\/\*\*\*@127\.0\.0\.1:\d+\/\)/, unreached!.error);
            assert.equal(unreached!.attempts, 2, 'retried as any refused connection');

            const wrongPassword = proxy.url.replace('//', '//user:wrong-SECRET-3@');
            const tunnel = await runCli(['BR', '--server', https.baseUrl, '--insecure', '--retries', '1', '--retry-delay', '0', '--dest', folder, '--verbose'], {
              env: proxyEnv({ HTTPS_PROXY: wrongPassword }),
            });
            assert.equal(tunnel.code, 1);
            assert.match(tunnel.stdout, /the proxy http:\/\/\*\*\*@127\.0\.0\.1:\d+\/ answered CONNECT 127\.0\.0\.1:\d+ with 407/);
            assert.match(tunnel.stdout, /after 2 attempts/);
            const forward = await runCli(['BR', '--server', http.baseUrl, '--retries', '0', '--dest', folder, '--json'], { env: proxyEnv({ HTTP_PROXY: wrongPassword }) });
            assert.match(parseReport(forward).results[0]!.error!, /^HTTP 407 .*\(through the proxy http:\/\/\*\*\*@127\.0\.0\.1:\d+\/\)$/);
            for (const output of [refused.stdout, refused.stderr, tunnel.stdout, tunnel.stderr, forward.stdout, forward.stderr]) assert.doesNotMatch(output, /SECRET/);
            assert.doesNotMatch(refused.stderr + tunnel.stderr, /\n\s+at /, 'no stack trace');
          });
        });
      });
    } finally {
      await proxy.close();
    }
  });

  test('the embedded server is our own: reached directly whatever HTTP_PROXY says, through --proxy only when asked', async () => {
    const proxy = await startProxy();
    const dead = `http://127.0.0.1:${await closedPort()}`;
    try {
      await inTemp(async (folder) => {
        const run = (dest: string, args: string[]) =>
          runCli([...codes, '--server', 'local', '--retries', '0', '--dest', join(folder, dest), '--json', ...args], {
            env: proxyEnv({ HTTP_PROXY: dead, HTTPS_PROXY: 'http://[::1' }),
          });

        const direct = await run('direct', []);
        assert.equal(direct.code, 0, direct.stderr);
        assert.equal(parseReport(direct).ok, codes.length);

        const asked = await run('asked', ['--proxy', proxy.url]);
        assert.equal(asked.code, 0, asked.stderr);
        assert.equal(proxy.log.length, codes.length);
      });
    } finally {
      await proxy.close();
    }
  });

  test('a proxy URL that is not one, from --proxy or a variable: exit 2 naming it', async () => {
    for (const [args, env, message] of [
      [['--server', 'local', '--proxy', 'http://'], {}, /--proxy "http:\/\/" is not a proxy URL/],
      [['--server', 'local', '--proxy', 'socks5://127.0.0.1:1080'], {}, /only http and https proxies are supported, not socks5:/],
      [['--server', 'local', '--proxy', 'http://u:pw-SECRET@127.0.0.1:3128/path'], {}, /--proxy "http:\/\/\*\*\*@127\.0\.0\.1:3128\/path" is not a proxy URL/],
      // The environment's proxies are read only for a server other than the embedded one.
      [['--server', 'https://127.0.0.1:9/flags'], { HTTPS_PROXY: 'http://[::1' }, /HTTPS_PROXY "http:\/\/\[::1" is not a proxy URL/],
    ] as const) {
      const run = await runCli(['BR', ...args], { env: proxyEnv(env) });
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, message);
      assert.doesNotMatch(run.stderr, /SECRET/);
    }
  });
});

describe('which proxy a URL takes', () => {
  const settings = proxySettings(undefined, { http_proxy: 'proxy.example:3128', HTTPS_PROXY: 'http://tunnel.example:8080', no_proxy: '.internal.example, db:5432,[::1]' });

  test('as curl reads the variables: a scheme-less proxy is http://, NO_PROXY by host, suffix and port', () => {
    assert.equal(proxyFor(new URL('http://a.example/'), settings), 'http://proxy.example:3128/');
    assert.equal(proxyFor(new URL('https://a.example/'), settings), 'http://tunnel.example:8080/');
    assert.equal(proxyFor(new URL('http://internal.example/'), settings), undefined);
    assert.equal(proxyFor(new URL('http://x.internal.example/'), settings), undefined);
    assert.equal(proxyFor(new URL('http://notinternal.example/'), settings), 'http://proxy.example:3128/');
    assert.equal(proxyFor(new URL('http://db:5432/'), settings), undefined);
    assert.equal(proxyFor(new URL('http://db:5433/'), settings), 'http://proxy.example:3128/');
    assert.equal(proxyFor(new URL('http://[::1]:8080/'), settings), undefined);
  });

  test('ALL_PROXY stands in for a scheme without one; nothing set, or --no-proxy: none', () => {
    assert.deepEqual(proxySettings(undefined, { ALL_PROXY: 'http://all.example:1' }), { http: 'http://all.example:1/', https: 'http://all.example:1/' });
    assert.equal(proxySettings(undefined, {}), undefined);
    assert.equal(proxySettings(false, { HTTP_PROXY: 'http://p.example:1' }), undefined);
    assert.equal(bypassed(new URL('http://any.example/'), '*'), true);
    assert.equal(bypassed(new URL('http://example.com/'), 'sub.example.com'), false);
  });
});
