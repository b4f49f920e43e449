import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { cliPath, filesIn, inTemp, parseReport, runCli, sourceFlag, withServer } from './helpers/fixtures.js';
import { pngSize } from './helpers/png.js';

describe('--png: a CPU stage per flag', () => {
  test("every mode: one PNG per flag saved, 64 px wide with the SVG's 4:3 aspect, the SVG untouched", () =>
    withServer('local', {}, (server) =>
      inTemp(async (folder) => {
        for (const [mode, extra] of [
          ['sequential', []],
          ['async', ['--concurrency', '3']],
          ['threads', ['--threads', '2', '--concurrency', '2']],
        ] as const) {
          const dest = join(folder, mode);
          const run = await runCli(['BR', 'IN', 'JP', 'NP', 'ZZ', '--server', server.baseUrl, '--mode', mode, ...extra, '--png', '64', '--dest', dest, '--json']);
          assert.equal(run.code, 0, run.stderr);
          const report = parseReport(run);
          assert.deepEqual([report.ok, report.notFound, report.png], [4, 1, 64]);
          const ok = report.results.filter((result) => result.status === 'ok');
          assert.deepEqual((await filesIn(dest)).sort(), ok.flatMap((result) => [`${result.cc}.png`, `${result.cc}.svg`]).sort());
          for (const { cc } of ok) {
            assert.deepEqual(await readFile(join(dest, `${cc}.svg`)), await sourceFlag(cc!), cc);
            // Nepal's flag is no rectangle, but flag-icons draws every flag on a 4:3 canvas.
            assert.deepEqual(pngSize(await readFile(join(dest, `${cc}.png`))), { width: 64, height: 48 }, cc);
          }
          for (const result of report.results) {
            assert.equal(result.renderMs !== undefined, result.status === 'ok', `${mode} ${result.cc}: renderMs only when rendered`);
            if (result.renderMs !== undefined) assert.ok(result.renderMs >= 0 && result.renderMs <= result.ms, JSON.stringify(result));
          }
          assert.equal(
            report.renderMs,
            ok.reduce((sum, result) => sum + result.renderMs!, 0),
          );
          const threads = new Set(ok.map((result) => result.thread));
          assert.ok(mode === 'threads' ? !threads.has(0) : [...threads].every((thread) => thread === 0), `${mode} renders on ${[...threads]}`);
        }
        const text = await runCli(['BR', 'IN', '--server', server.baseUrl, '--mode', 'async', '--png', '64', '--dest', join(folder, 'text')]);
        assert.equal(text.code, 0, text.stderr);
        assert.match(text.stdout, /^Render: 2 PNGs at 64 px, \d+\.\d\d s of rendering on the main thread \(\d+% of its time\)$/m);
      }),
    ));

  test('a flag whose SVG does not render ends in error, the SVG kept, no PNG and no temporary file; exit 1', () =>
    inTemp(async (folder) => {
      const served = join(folder, 'served');
      const flags = { br: await sourceFlag('br'), xx: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><rect') };
      for (const [cc, body] of Object.entries(flags)) {
        await mkdir(join(served, cc), { recursive: true });
        await writeFile(join(served, cc, `${cc}.svg`), body);
      }
      await withServer('local', { dir: served }, async (server) => {
        for (const mode of ['threads', 'async']) {
          const dest = join(folder, mode);
          const run = await runCli(['BR', 'XX', '--server', server.baseUrl, '--mode', mode, '--png', '64', '--dest', dest, '--json']);
          assert.equal(run.code, 1, run.stderr);
          const report = parseReport(run);
          const broken = report.results.find((result) => result.cc === 'xx')!;
          assert.equal(broken.status, 'error');
          assert.match(broken.error!, /^render failed: /);
          assert.equal(broken.renderMs, undefined);
          assert.deepEqual([report.ok, report.error], [1, 1]);
          assert.deepEqual((await filesIn(dest)).sort(), ['br.png', 'br.svg', 'xx.svg'], 'no PNG, no temporary file');
          assert.deepEqual(await readFile(join(dest, 'xx.svg')), flags.xx, 'the SVG stays, whole');
        }
        const text = await runCli(['XX', '--server', server.baseUrl, '--png', '64', '--dest', join(folder, 'text')]);
        assert.equal(text.code, 1);
        assert.match(text.stdout, /^Errors:\n {2}XX {2}render failed: /m);
      });
    }));

  test('renders only what it saved: a flag skipped or not modified keeps what it has', () =>
    withServer('local', {}, (server) =>
      inTemp(async (folder) => {
        const args = ['BR', 'IN', '--server', server.baseUrl, '--png', '64', '--dest', folder, '--json'];
        assert.equal((await runCli(args)).code, 0);
        for (const again of ['--skip-existing', '--update']) {
          const run = await runCli([...args, again]);
          assert.equal(run.code, 0, run.stderr);
          const report = parseReport(run);
          assert.deepEqual([report.ok, report.renderMs], [0, 0], again);
          assert.ok(
            report.results.every((result) => result.renderMs === undefined),
            again,
          );
        }
        assert.deepEqual((await filesIn(folder)).sort(), ['br.png', 'br.svg', 'in.png', 'in.svg']);
      }),
    ));

  test('bad widths and --png with another --ext: exit 2 naming the value, nothing downloaded', () =>
    inTemp(async (folder) => {
      const dest = join(folder, 'dest');
      const cases: [string[], RegExp][] = [
        [['--png', '0'], /--png must be a whole number from 16 to 4096, got 0/],
        [['--png', '15'], /--png must be a whole number from 16 to 4096, got 15/],
        [['--png', '4097'], /--png must be a whole number from 16 to 4096, got 4097/],
        [['--png', 'abc'], /--png must be a whole number from 16 to 4096, got "abc"/],
        [['--png', '64', '--ext', 'gif'], /--png renders SVG files: it cannot be used with --ext gif/],
      ];
      for (const [args, message] of cases) {
        // A server by URL: the embedded one would refuse --ext gif by itself.
        const run = await runCli(['BR', '--server', 'http://127.0.0.1:9/flags', '--dest', dest, ...args]);
        assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
        assert.match(run.stderr, message, args.join(' '));
      }
      assert.deepEqual(await filesIn(folder), [], 'no destination was created');
    }));

  test('under an address-space limit (prlimit --as), a render fails by name, in every mode, and NODE_OPTIONS=--disable-wasm-trap-handler lets it run', () =>
    inTemp(async (folder) => {
      const limited = (args: string[], env: NodeJS.ProcessEnv = {}) =>
        new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
          const child = spawn('prlimit', ['--as=4000000000', '--', process.execPath, cliPath, ...args], { env: { ...process.env, COLUMNS: '1000', ...env } });
          let stdout = '';
          let stderr = '';
          child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
          child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
          child.on('close', (code) => resolve({ code, stdout, stderr }));
        });
      for (const mode of ['async', 'threads']) {
        const run = await limited(['BR', 'IN', '--server', 'local', '--mode', mode, '--png', '64', '--dest', join(folder, mode)]);
        assert.equal(run.code, 1, `${mode}: ${run.stderr}`);
        assert.match(run.stdout, /BR {2}render failed: no address space for the renderer's memory .*NODE_OPTIONS=--disable-wasm-trap-handler\)/, mode);
        assert.doesNotMatch(run.stderr, /\n\s+at /, `${mode}: no stack trace`);
      }
      const allowed = await limited(['BR', '--server', 'local', '--mode', 'async', '--png', '64', '--dest', join(folder, 'allowed')], {
        NODE_OPTIONS: '--disable-wasm-trap-handler',
      });
      assert.equal(allowed.code, 0, allowed.stderr);
      assert.deepEqual((await filesIn(join(folder, 'allowed'))).sort(), ['br.png', 'br.svg']);
    }));
});
