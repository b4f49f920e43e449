import assert from 'node:assert/strict';
import { mkdir, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { startFlagServer } from '../src/server/flag-server.js';
import { serverOptions } from '../src/server/server-options.js';
import { filesIn, parseReport, runCli, tempFolder, withServer } from './helpers/fixtures.js';

/** What would change if a file were written, replaced or touched. */
async function fingerprints(folder: string): Promise<Record<string, string>> {
  const entries = await Promise.all(
    (await filesIn(folder)).map(async (name) => {
      const { ino, mtimeMs, ctimeMs, size } = await stat(join(folder, name));
      return [name, `${ino}:${mtimeMs}:${ctimeMs}:${size}`] as const;
    }),
  );
  return Object.fromEntries(entries);
}

describe('re-runs: --update and --skip-existing', () => {
  test("every saved file takes the server's Last-Modified; --update then gets 304s and touches no file", () =>
    withServer('local', {}, async (server) => {
      const folder = await tempFolder();
      try {
        const args = ['BR', 'IN', 'US', '--server', server.baseUrl, '--dest', folder.path, '--json'];
        const first = await runCli(args);
        assert.equal(first.code, 0, first.stderr);
        const sent = server.requests.filter((request) => request.path === '/flags/br/br.svg');
        assert.equal(sent.length, 1);
        const lastModified = (await fetch(`${server.baseUrl}/br/br.svg`, { method: 'HEAD' })).headers.get('last-modified')!;
        assert.equal((await stat(join(folder.path, 'br.svg'))).mtime.toUTCString(), lastModified);

        const before = await fingerprints(folder.path);
        const requestsBefore = server.requests.length;
        const second = await runCli([...args, '--update']);
        assert.equal(second.code, 0, second.stderr);
        const report = parseReport(second);
        assert.deepEqual(
          report.results.map((result) => result.status),
          ['not_modified', 'not_modified', 'not_modified'],
        );
        assert.deepEqual([report.ok, report.notModified, report.skipped], [0, 3, 0]);
        assert.deepEqual(
          server.requests.slice(requestsBefore).map((request) => request.status),
          [304, 304, 304],
        );
        assert.deepEqual(await fingerprints(folder.path), before, 'no file written, replaced or touched');

        const text = await runCli(['BR', 'IN', 'US', '--server', server.baseUrl, '--dest', folder.path, '--update']);
        assert.match(text.stdout, /^0 flags downloaded, 3 not modified, 0 not found, 0 errors in/m);
      } finally {
        await folder.remove();
      }
    }));

  test('--update fetches again a flag that changed on the server, and only that one', async () => {
    const folder = await tempFolder();
    try {
      const www = join(folder.path, 'www');
      const dest = join(folder.path, 'dest');
      const old = new Date('2020-01-01T00:00:00Z');
      for (const cc of ['br', 'us']) {
        await mkdir(join(www, cc), { recursive: true });
        await writeFile(join(www, cc, `${cc}.svg`), `<svg id="${cc}-1"/>`);
        await utimes(join(www, cc, `${cc}.svg`), old, old);
      }
      const args = ['BR', 'US', '--dest', dest, '--update', '--json'];
      const first = await startFlagServer(serverOptions('local', { dir: www }));
      try {
        const run = await runCli([...args, '--server', first.baseUrl]);
        assert.deepEqual(
          parseReport(run).results.map((result) => result.status),
          ['ok', 'ok'],
          'no file yet: an ordinary download',
        );
      } finally {
        await first.close();
      }
      const changed = new Date('2024-06-01T12:00:00Z');
      await writeFile(join(www, 'br', 'br.svg'), '<svg id="br-2"/>');
      await utimes(join(www, 'br', 'br.svg'), changed, changed);
      const second = await startFlagServer(serverOptions('local', { dir: www }));
      try {
        const run = await runCli([...args, '--server', second.baseUrl]);
        assert.equal(run.code, 0, run.stderr);
        assert.deepEqual(
          parseReport(run).results.map(({ cc, status }) => `${cc} ${status}`),
          ['br ok', 'us not_modified'],
        );
        assert.equal(await readFile(join(dest, 'br.svg'), 'utf8'), '<svg id="br-2"/>');
        assert.equal((await stat(join(dest, 'br.svg'))).mtime.getTime(), changed.getTime());
        assert.equal(await readFile(join(dest, 'us.svg'), 'utf8'), '<svg id="us-1"/>');
      } finally {
        await second.close();
      }
    } finally {
      await folder.remove();
    }
  });

  test('--skip-existing makes no request for a flag whose file exists', () =>
    withServer('local', {}, async (server) => {
      const folder = await tempFolder();
      try {
        await runCli(['BR', 'IN', '--server', server.baseUrl, '--dest', folder.path]);
        const before = await fingerprints(folder.path);
        const requestsBefore = server.requests.length;
        const run = await runCli(['BR', 'IN', 'US', '--server', server.baseUrl, '--dest', folder.path, '--skip-existing', '--json']);
        assert.equal(run.code, 0, run.stderr);
        const report = parseReport(run);
        assert.deepEqual(
          report.results.map(({ cc, status, attempts }) => `${cc} ${status} ${attempts}`),
          ['br skipped 0', 'in skipped 0', 'us ok 1'],
        );
        assert.equal(report.skipped, 2);
        assert.deepEqual(
          server.requests.slice(requestsBefore).map((request) => request.path),
          ['/flags/us/us.svg'],
          'only the missing flag was asked for',
        );
        const after = await fingerprints(folder.path);
        assert.deepEqual({ br: after['br.svg'], in: after['in.svg'] }, { br: before['br.svg'], in: before['in.svg'] });
      } finally {
        await folder.remove();
      }
    }));
});
