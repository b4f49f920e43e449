import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { delimiter, dirname } from 'node:path';
import { describe, test } from 'node:test';
import { cliPath, filesIn, parseReport, runCli, tempFolder, withServer } from './helpers/fixtures.js';

/** Runs the built bin itself, as `npx flags` does: its shebang and execute bit decide whether it starts. */
async function runBin(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  // `env node` in the shebang must find the Node running the tests, not whatever else is on PATH.
  const env = { ...process.env, PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}` };
  const child = spawn(cliPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}

async function inTemp<T>(use: (folder: string) => Promise<T>): Promise<T> {
  const folder = await tempFolder();
  try {
    return await use(folder.path);
  } finally {
    await folder.remove();
  }
}

describe('the built bin', () => {
  test('runs directly, without node in front: --version, and a download', async () => {
    const version = await runBin(['--version']);
    assert.equal(version.code, 0, version.stderr);
    assert.match(version.stdout, /^\d+\.\d+\.\d+\n$/);
    await inTemp(async (folder) => {
      const run = await runBin(['BR', '--server', 'local', '--dest', folder]);
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(await filesIn(folder), ['br.svg']);
    });
  });
});

describe('--ext', () => {
  test('upper case is accepted and used as typed, so a server with lower-case names answers 404', () =>
    withServer('local', {}, (server) =>
      inTemp(async (folder) => {
        const run = await runCli(['BR', '--server', server.baseUrl, '--ext', 'SVG', '--dest', folder, '--json']);
        assert.equal(run.code, 0, run.stderr);
        const report = parseReport(run);
        assert.deepEqual([report.ok, report.notFound], [0, 1]);
      }),
    ));
});

describe('--concurrency', () => {
  test('is capped by the number of flags, as --threads is, in the report too', () =>
    inTemp(async (folder) => {
      for (const mode of ['threads', 'async']) {
        const run = await runCli(['BR', '--mode', mode, '--concurrency', '100000', '--server', 'local', '--dest', folder, '--json']);
        assert.equal(run.code, 0, run.stderr);
        const report = parseReport(run);
        assert.deepEqual([report.ok, report.concurrency], [1, 1], mode);
        assert.match(run.stderr, /[×,] 1 (requests? )?in flight/, mode);
      }
    }));
});
