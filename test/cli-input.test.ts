import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { delimiter, dirname } from 'node:path';
import { describe, test } from 'node:test';
import { cliPath, filesIn, inTemp, parseReport, runCli, withServer } from './helpers/fixtures.js';

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

/** A word for `sh -c`, whatever it holds. */
const shellQuote = (word: string) => `'${word.replaceAll("'", `'\\''`)}'`;

const SCRIPT = '/usr/bin/script';

describe('Ctrl-C on a terminal', () => {
  // script(1) runs the CLI on a pseudo-terminal, so stderr is a TTY and the bar is drawn; the ^C
  // written to its input goes through the terminal's line discipline, which signals the CLI's
  // process group as a key press would.
  const skip = !existsSync(SCRIPT) && `needs ${SCRIPT} (util-linux)`;
  test('clears the progress bar before the interrupt message, and the bar is not drawn again', { skip }, () =>
    inTemp(async (folder) => {
      const command = [process.execPath, cliPath, '--all', '--server', 'delay', '--latency', '300', '--jitter', '0', '--threads', '4', '--dest', folder];
      // script runs the command with $SHELL -c, which the quoting is written for.
      const env = { ...process.env, SHELL: '/bin/sh' };
      const child = spawn(SCRIPT, ['-qfec', command.map(shellQuote).join(' '), '/dev/null'], { env, stdio: ['pipe', 'pipe', 'inherit'] });
      child.stdout.setEncoding('utf8');
      let output = '';
      let pressed = false;
      child.stdout.on('data', (text: string) => {
        output += text;
        if (!pressed && /\d+\/257 flags/.test(output)) {
          pressed = true;
          child.stdin.write('\x03');
        }
      });
      const [code] = (await once(child, 'exit')) as [number | null];
      assert.equal(code, 130, output);
      const message = output.indexOf('Interrupted: stopping the downloads in flight');
      assert.ok(message > 0, output);
      const before = output.slice(0, message);
      const after = output.slice(message);
      const lastFrame = Math.max(before.lastIndexOf('░'), before.lastIndexOf('█'));
      const clear = before.lastIndexOf('\x1b[2K');
      assert.ok(lastFrame >= 0, `the bar was drawn: ${JSON.stringify(output)}`);
      assert.ok(clear > lastFrame, `the bar's line was cleared after its last frame: ${JSON.stringify(before)}`);
      assert.match(before.slice(clear + '\x1b[2K'.length), /^[\r\n]+$/, 'only line breaks between the clearing and the message');
      // biome-ignore lint/suspicious/noControlCharactersInRegex: the terminal's escape sequences are what this test reads
      assert.doesNotMatch(after, /[░█]|\x1b8/, `no bar frame, no cursor restored over it afterwards: ${JSON.stringify(after)}`);
      assert.match(after, /\nInterrupted: \d+ of 257 flags finished, (?:\d+ cut short, )?\d+ not attempted\r?\n/);
    }),
  );
});
