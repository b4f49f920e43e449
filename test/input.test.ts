import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { listTreeUrls } from '../src/server/tree.js';
import type { RunReport } from '../src/types.js';
import { type CliRun, cliPath, filesIn, inTemp, parseReport, runCli, withServer } from './helpers/fixtures.js';

/** The tree served: relative path → bytes. One file is over the 5 MB that flags are capped at. */
const tree = new Map<string, Buffer>([
  ['a/b/x y.txt', Buffer.from('a name with a space\n')],
  ['a/50%.txt', Buffer.from('a percent sign, %25 in its URL\n')],
  ['ünï cödé.txt', Buffer.from('unicode, and a space\n')],
  ['q/data.json', Buffer.from('{"asked": "with a query"}\n')],
  ['big.bin', randomBytes(5_100_000)],
]);

/** Where each file lands with the default (flat) layout: the last segment of its path. */
const flatName = (path: string) => path.split('/').at(-1)!;

async function writeTree(root: string): Promise<void> {
  for (const [path, bytes] of tree) {
    await mkdir(join(root, ...path.split('/').slice(0, -1)), { recursive: true });
    await writeFile(join(root, path), bytes);
  }
}

/**
 * The list as a careless editor would leave it: a byte order mark, CRLF endings, comments, blank
 * lines, and a query on one URL (dropped from its file name).
 */
function listText(urls: readonly string[]): string {
  const lines = urls.map((url) => (url.endsWith('/data.json') ? `${url}?v=2&x=%20` : url));
  return `\uFEFF# files to fetch\r\n\r\n${lines.join('\r\n')}\r\n   \r\n# the end\r\n`;
}

/** Every file of `dest` (recursively, `/`-separated), hidden ones included. */
async function treeOf(dest: string): Promise<string[]> {
  const entries = await readdir(dest, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath ?? entry.path, entry.name).slice(dest.length + 1))
    .sort();
}

async function assertFlatCopy(dest: string): Promise<void> {
  assert.deepEqual(await treeOf(dest), [...tree.keys()].map(flatName).sort());
  for (const [path, bytes] of tree) assert.ok(bytes.equals(await readFile(join(dest, flatName(path)))), `${path} is byte-identical`);
}

/** Runs the real CLI with `input` on its standard input. */
async function runCliWithStdin(args: string[], input: string): Promise<CliRun> {
  const child = spawn(process.execPath, [cliPath, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
  child.stdin.end(input);
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  return { code, signal, stdout, stderr };
}

/** A served tree and its list file for the length of `use`. */
function withTreeList(use: (folder: string, list: string, urls: string[]) => Promise<void>): Promise<void> {
  return inTemp(async (folder) => {
    const root = join(folder, 'tree');
    await writeTree(root);
    await withServer('local', { dir: root }, async (server) => {
      const urls = await listTreeUrls(root, server.baseUrl);
      assert.equal(urls.length, tree.size);
      const list = join(folder, 'list.txt');
      await writeFile(list, listText(urls));
      await use(folder, list, urls);
    });
  });
}

describe('flags --input (a URL list)', () => {
  test('every file of a list, byte-identical, in each mode; the report carries url and file', () =>
    withTreeList(async (folder, list, urls) => {
      for (const mode of ['threads', 'async', 'sequential']) {
        const dest = join(folder, `dest-${mode}`);
        const run = await runCli(['-i', list, '--dest', dest, '--mode', mode, '--concurrency', '2', '--json']);
        assert.equal(run.code, 0, run.stderr);
        assert.match(run.stderr, new RegExp(`^Downloading 5 files from ${list.replaceAll('.', '\\.')}\\nMode ${mode}`));
        await assertFlatCopy(dest);
        const report: RunReport = parseReport(run);
        assert.equal(report.ok, tree.size);
        const listed = listText(urls)
          .split('\r\n')
          .filter((line) => line.startsWith('http'));
        assert.deepEqual(
          report.results.map((result) => result.url),
          listed,
          `${mode}: results in list order, each with its url`,
        );
        assert.deepEqual(report.results.map((result) => result.file).sort(), [...tree.keys()].map(flatName).sort());
        assert.ok(report.results.every((result) => result.cc === undefined && result.status === 'ok'));
      }
    }));

  test('from standard input (-i -), and --layout tree writes {host}/{path}', () =>
    withTreeList(async (folder, list, urls) => {
      const flat = join(folder, 'flat');
      const fromStdin = await runCliWithStdin(['-i', '-', '--dest', flat], await readFile(list, 'utf8'));
      assert.equal(fromStdin.code, 0, fromStdin.stderr);
      assert.match(fromStdin.stdout, /^Downloading 5 files from standard input\n/);
      assert.match(fromStdin.stdout, /\n5 files downloaded, 0 not found, 0 errors in /);
      await assertFlatCopy(flat);

      const nested = join(folder, 'nested');
      const run = await runCli(['-i', list, '--layout', 'tree', '--dest', nested, '--mode', 'async']);
      assert.equal(run.code, 0, run.stderr);
      const host = new URL(urls[0]!).host.replace(':', '+');
      assert.deepEqual(await treeOf(nested), [...tree.keys()].map((path) => `${host}/${path}`).sort());
      for (const [path, bytes] of tree) assert.ok(bytes.equals(await readFile(join(nested, host, path))), `${path} is byte-identical`);
    }));

  test('--verbose names each file; a file that fails is named in the errors', () =>
    withTreeList(async (folder, _list, urls) => {
      const withMissing = join(folder, 'missing.txt');
      await writeFile(withMissing, [...urls, `${new URL(urls[0]!).origin}/nowhere/gone.txt`].join('\n'));
      const run = await runCli(['-i', withMissing, '--dest', join(folder, 'dest'), '--verbose', '--mode', 'async', '--max-size', '1000000']);
      assert.equal(run.code, 1, run.stderr);
      for (const name of ['x y.txt', '50%.txt', 'ünï cödé.txt', 'data.json']) assert.match(run.stdout, new RegExp(`^${name.replace('.', '\\.')}  ok `, 'm'));
      assert.match(run.stdout, /^gone\.txt {2}error +HTTP 404 Not Found /m);
      // An explicit --max-size still applies to a list's files.
      assert.match(run.stdout, /^big\.bin {2}error .*1000000-byte cap/m);
      assert.match(run.stdout, /\n4 files downloaded, 0 not found, 2 errors in .*\nErrors:\n {2}big\.bin {2}response exceeds.*\n {2}gone\.txt {2}HTTP 404 Not Found\n/);
    }));

  test('a 404 fails a list: exit 1, the URL and its reason in the report and --json; --allow-missing makes it not found, exit 0', () =>
    withTreeList(async (folder, _list, urls) => {
      const gone = `${new URL(urls[0]!).origin}/nowhere/gone.txt`;
      const list = join(folder, 'with-404.txt');
      await writeFile(list, [urls[0], gone].join('\n'));
      const text = await runCli(['-i', list, '--dest', join(folder, 'text')]);
      assert.equal(text.code, 1, text.stderr);
      assert.match(text.stdout, /\n1 file downloaded, 0 not found, 1 error in .*\n(Worker threads: .*\n)?Errors:\n {2}gone\.txt {2}HTTP 404 Not Found\n/);
      assert.match(text.stdout, /\nA 404 fails a list, as with wget2, curl --fail and aria2c: --allow-missing counts it as not found instead\n$/);
      const json = await runCli(['-i', list, '--dest', join(folder, 'json'), '--json']);
      assert.equal(json.code, 1, json.stderr);
      const report = parseReport(json);
      assert.deepEqual([report.ok, report.notFound, report.error], [1, 0, 1]);
      const failed = report.results.find((result) => result.url === gone)!;
      assert.deepEqual([failed.status, failed.error, failed.attempts], ['error', 'HTTP 404 Not Found', 1], 'an error, and not retried');

      for (const mode of ['threads', 'async']) {
        const allowed = await runCli(['-i', list, '--dest', join(folder, `allowed-${mode}`), '--mode', mode, '--allow-missing', '--json']);
        assert.equal(allowed.code, 0, allowed.stderr);
        const answered = parseReport(allowed);
        assert.deepEqual([answered.ok, answered.notFound, answered.error], [1, 1, 0], mode);
        assert.deepEqual(
          answered.results.map(({ status, error }) => [status, error]),
          [
            ['ok', undefined],
            ['not_found', undefined],
          ],
        );
      }
    }));

  test('a 404 in tree layout makes no folder: only a whole file makes its own', () =>
    withTreeList(async (folder, _list, urls) => {
      const list = join(folder, 'with-404.txt');
      const dest = join(folder, 'tree');
      await writeFile(list, [urls[0], `${new URL(urls[0]!).origin}/nowhere/deeper/gone.txt`].join('\n'));
      const run = await runCli(['-i', list, '--dest', dest, '--layout', 'tree', '--json']);
      assert.equal(run.code, 1, run.stderr);
      const written = (await readdir(dest, { recursive: true })).sort();
      assert.ok(!written.some((path) => path.includes('nowhere')), written.join(', '));
      assert.equal(parseReport(run).ok, 1);
    }));

  test("a flag's 404 stays an answer (exit 0); the options of a list alone are refused without one", () =>
    withServer('local', {}, (server) =>
      inTemp(async (folder) => {
        const flags = await runCli(['BR', 'ZZ', '--server', server.baseUrl, '--dest', folder]);
        assert.equal(flags.code, 0, flags.stderr);
        assert.match(flags.stdout, /\n1 flag downloaded, 1 not found, 0 errors in /);
        assert.doesNotMatch(flags.stdout, /--allow-missing/);
        for (const [args, message] of [
          [['--allow-missing'], "--allow-missing is for --input: a flag's 404 is always an answer (not found), never a failure"],
          [['--layout', 'tree'], '--layout tree names the files of --input: a flag is saved as {cc}.{ext}'],
        ] as const) {
          const refused = await runCli(['BR', '--server', server.baseUrl, '--dest', folder, ...args]);
          assert.deepEqual([refused.code, refused.stderr], [2, `flags: ${message}\nRun 'flags --help' for usage.\n`]);
        }
      }),
    ));

  test('a bad list is exit 2, names its lines, and leaves dest untouched', () =>
    withTreeList(async (folder, _list, urls) => {
      const dest = join(folder, 'dest');
      await mkdir(dest);
      await writeFile(join(dest, 'kept.txt'), 'was here');
      const bad = join(folder, 'bad.txt');
      await writeFile(bad, [urls[0], 'ftp://127.0.0.1/x.txt', `${urls[1]} ../outside.txt`, 'just words'].join('\n'));
      const run = await runCli(['-i', bad, '--dest', dest]);
      assert.equal(run.code, 2);
      assert.match(run.stderr, /--input .*bad\.txt: 3 problems, nothing downloaded:\n {2}line 2: .*ftp.*\n {2}line 3: .*\n {2}line 4: /);
      assert.deepEqual(await filesIn(dest), ['kept.txt']);

      const none = join(folder, 'never-made');
      const missing = await runCli(['-i', join(folder, 'no-such-list.txt'), '--dest', none]);
      assert.equal(missing.code, 2);
      assert.match(missing.stderr, /cannot read it \(ENOENT\)/);
      assert.deepEqual(await filesIn(none), []);
    }));

  test("a list's file where --sha256 writes its manifest, or with -c another's .part: exit 2, dest untouched", () =>
    withTreeList(async (folder, _list, urls) => {
      const dest = join(folder, 'dest');
      for (const [lines, args, message] of [
        [[urls[0], `${urls[1]} SHA256SUMS`], ['--sha256'], /line 2 writes SHA256SUMS, where --sha256 writes its manifest/],
        [[`${urls[0]} x`, `${urls[1]} x.part`], ['-c'], /line 1 writes x, whose \.part --continue keeps beside it, so line 2 cannot write x\.part/],
      ] as const) {
        const list = join(folder, 'reserved.txt');
        await writeFile(list, lines.join('\n'));
        const run = await runCli(['-i', list, '--dest', dest, ...args]);
        assert.equal(run.code, 2, run.stderr);
        assert.match(run.stderr, message);
        assert.deepEqual(await filesIn(dest), []);
      }
    }));

  test('many errors of one reason name the first ten files and count the rest', () =>
    withTreeList(async (folder, _list, urls) => {
      const list = join(folder, 'gone.txt');
      const gone = Array.from({ length: 13 }, (_, index) => `${new URL(urls[0]!).origin}/nowhere/gone-${index}.txt`);
      await writeFile(list, gone.join('\n'));
      const run = await runCli(['-i', list, '--dest', join(folder, 'dest'), '--mode', 'async']);
      assert.equal(run.code, 1, run.stderr);
      assert.match(run.stdout, /\nErrors by reason:\n {2}13 × HTTP 404 Not Found \((gone-\d+\.txt, ){9}gone-\d+\.txt and 3 more\)\n/);
    }));

  test('--input with codes, --all, --every, --server or --png is a usage error', () =>
    withTreeList(async (folder, list) => {
      const dest = join(folder, 'dest');
      for (const extra of [['BR'], ['B'], ['--all'], ['--every'], ['--server', 'local'], ['--png', '64']]) {
        const run = await runCli(['-i', list, '--dest', dest, ...extra]);
        assert.equal(run.code, 2, `${extra.join(' ')}: ${run.stderr}`);
        assert.match(run.stderr, /cannot be (combined|used) with --input/);
      }
      assert.deepEqual(await filesIn(dest), []);
    }));

  test('--limit applies to the list', () =>
    withTreeList(async (folder, list) => {
      const dest = join(folder, 'dest');
      const run = await runCli(['-i', list, '--dest', dest, '--limit', '2', '--json']);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(parseReport(run).requested, 2);
      assert.equal((await treeOf(dest)).length, 2);
    }));

  test('flags compare --input: every config runs on the list, no bound stated; - and --server are usage errors', () =>
    withTreeList(async (_folder, list) => {
      const run = await runCli(['compare', '-i', list, '--modes', 'threads,async', '--threads', '1,2', '--repeat', '1', '--json']);
      assert.equal(run.code, 0, run.stderr);
      const summary = JSON.parse(run.stdout) as { flags: number; server: string; latencyMs: number | null; rows: { label: string; runs: number; failed: number }[] };
      assert.equal(summary.flags, tree.size);
      assert.equal(summary.server, list);
      assert.equal(summary.latencyMs, null);
      assert.equal(summary.rows.length, 4);
      assert.ok(
        summary.rows.every((row) => row.runs === 1 && row.failed === 0),
        JSON.stringify(summary.rows),
      );
      assert.match(run.stderr, new RegExp(`Comparing 4 configs × 1 run on 5 files from ${list.replaceAll('.', '\\.')}`));
      const text = await runCli(['compare', '-i', list, '--threads', '1', '--repeat', '1']);
      assert.equal(text.code, 0, text.stderr);
      assert.match(text.stdout, /No bound: the latency of the servers of a list is not known here\./);
      for (const extra of [
        ['-i', '-'],
        ['-i', list, '--server', 'local'],
        ['-i', list, 'BR'],
        ['BR', '--allow-missing'],
      ]) {
        const refused = await runCli(['compare', ...extra]);
        assert.equal(refused.code, 2, `${extra.join(' ')}: ${refused.stderr}`);
      }
    }));

  test('flags compare --input with a 404: each run fails, unless --allow-missing, which every run is given', () =>
    withTreeList(async (folder, _list, urls) => {
      const list = join(folder, 'with-404.txt');
      await writeFile(list, [urls[0], `${new URL(urls[0]!).origin}/nowhere/gone.txt`].join('\n'));
      const failedRuns = async (...extra: string[]) => {
        const run = await runCli(['compare', '-i', list, '--threads', '1', '--repeat', '1', '--json', ...extra]);
        return [run.code, (JSON.parse(run.stdout) as { rows: { failed: number }[] }).rows[0]!.failed];
      };
      assert.deepEqual(await failedRuns(), [1, 1]);
      assert.deepEqual(await failedRuns('--allow-missing'), [0, 0]);
    }));
});
