import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { cliPath, parseReport, runCli, sourceFlag, tempFolder, testTls, withServer } from './helpers/fixtures.js';

const codes = ['BR', 'IN', 'US'];

describe('HTTPS against a local TLS flag server (a test CA and a certificate for 127.0.0.1)', () => {
  test('without --ca: every flag an error naming the certificate problem, tried once; with --ca or --insecure: the flags, whole', async () => {
    const { ca, key, cert } = await testTls();
    await withServer('local', { tls: { key, cert } }, async (server) => {
      assert.match(server.baseUrl, /^https:\/\/127\.0\.0\.1:\d+\/flags$/);
      const folder = await tempFolder();
      try {
        const caFile = join(folder.path, 'ca.pem');
        await writeFile(caFile, ca);
        for (const mode of ['threads', 'async']) {
          const untrusted = await runCli([...codes, '--server', server.baseUrl, '--mode', mode, '--dest', join(folder.path, `none-${mode}`), '--json']);
          assert.equal(untrusted.code, 1, untrusted.stderr);
          for (const result of parseReport(untrusted).results) {
            assert.equal(result.status, 'error');
            assert.match(result.error!, /UNABLE_TO_VERIFY_LEAF_SIGNATURE|certificate/i, result.error);
            assert.equal(result.attempts, 1, 'a certificate failure is not retried');
          }
          assert.doesNotMatch(untrusted.stderr, /\n\s+at /, 'no stack trace');

          const dest = join(folder.path, `ca-${mode}`);
          const trusted = await runCli([...codes, '--server', server.baseUrl, '--mode', mode, '--ca', caFile, '--dest', dest, '--json']);
          assert.equal(trusted.code, 0, trusted.stderr);
          assert.equal(parseReport(trusted).ok, 3);
          for (const cc of codes.map((code) => code.toLowerCase())) assert.deepEqual(await readFile(join(dest, `${cc}.svg`)), await sourceFlag(cc), cc);
        }

        const dest = join(folder.path, 'insecure');
        const insecure = await runCli([...codes, '--server', server.baseUrl, '--insecure', '--dest', dest, '--json']);
        assert.equal(insecure.code, 0, insecure.stderr);
        assert.match(insecure.stderr, /warning: --insecure: https certificates are not verified/);
        for (const cc of codes.map((code) => code.toLowerCase())) assert.deepEqual(await readFile(join(dest, `${cc}.svg`)), await sourceFlag(cc), cc);
      } finally {
        await folder.remove();
      }
    });
  });

  test('flags serve --cert --key serves https; --ca trusts it; a lone or bad --cert is a usage error', async () => {
    const tls = (name: string) => fileURLToPath(new URL(`../../test/fixtures/tls/${name}.pem`, import.meta.url));
    const server = spawn(process.execPath, [cliPath, 'serve', '--profile', 'local', '--port', '0', '--cert', tls('server-cert'), '--key', tls('server-key')]);
    const folder = await tempFolder();
    try {
      const baseUrl = await new Promise<string>((resolve) => {
        let banner = '';
        server.stdout.on('data', (chunk: Buffer) => {
          banner += chunk;
          const url = /(https:\S+\/flags)\n/.exec(banner);
          if (url) resolve(url[1]!);
        });
      });
      const run = await runCli(['BR', '--server', baseUrl, '--ca', tls('ca'), '--dest', folder.path]);
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(await readFile(join(folder.path, 'br.svg')), await sourceFlag('br'));
    } finally {
      server.kill('SIGINT');
      await folder.remove();
    }
    const lone = await runCli(['serve', '--port', '0', '--cert', tls('server-cert')]);
    assert.equal(lone.code, 2);
    assert.match(lone.stderr, /--cert and --key go together/);
    const swapped = await runCli(['serve', '--port', '0', '--cert', tls('server-key'), '--key', tls('server-key')]);
    assert.equal(swapped.code, 2);
    assert.match(swapped.stderr, /--cert .*server-key\.pem: not a PEM certificate/);
  });

  test('--ca with --insecure is a usage error', async () => {
    const folder = await tempFolder();
    try {
      const caFile = join(folder.path, 'ca.pem');
      await writeFile(caFile, (await testTls()).ca);
      const run = await runCli(['--server', 'local', '--insecure', '--ca', caFile, '--dest', join(folder.path, 'dest')]);
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, /insecure and ca are mutually exclusive/);
    } finally {
      await folder.remove();
    }
  });
});
