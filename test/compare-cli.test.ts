import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { closedPort } from './helpers/closed-port.js';
import { cliPath } from './helpers/fixtures.js';
import { assertWellFormedXml } from './helpers/xml.js';

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `flags compare ...` as a user runs it, with its own temporary folder so that leftovers show. */
async function compare(args: string[], tempDir: string, env: NodeJS.ProcessEnv = {}): Promise<Outcome> {
  const child = spawn(process.execPath, [cliPath, 'compare', ...args], { env: { ...process.env, TMPDIR: tempDir, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stdout, stderr };
}

describe('flags compare, end to end', () => {
  let tempDir: string;
  before(async () => {
    tempDir = await mkdtemp(join(tmpdir(), 'flags-compare-test-'));
  });
  after(async () => {
    await rm(tempDir, { recursive: true, force: true });
  });

  it('gives one JSON row per thread count, measured, and leaves no folder behind', async () => {
    const { code, stdout, stderr } = await compare(['BR', 'IN', 'US', 'JP', '--threads', '1,2', '--repeat', '1', '--server', 'local', '--json'], tempDir);
    assert.equal(code, 0, stderr);
    const summary = JSON.parse(stdout) as { flags: number; rows: Record<string, unknown>[]; latencyMs: number | null };
    assert.equal(summary.flags, 4);
    assert.equal(summary.latencyMs, null, 'the local profile has no latency, so no bound');
    assert.deepEqual(
      summary.rows.map((row) => [row.mode, row.threads, row.concurrency, row.runs, row.failed]),
      [
        ['threads', 1, 1, 1, 0],
        ['threads', 2, 1, 1, 0],
      ],
    );
    for (const row of summary.rows) {
      const { medianMs, minMs, maxMs } = row as { medianMs: number; minMs: number; maxMs: number };
      assert.ok(medianMs > 0 && minMs <= medianMs && medianMs <= maxMs, JSON.stringify(row));
      assert.equal(row.boundMs, null);
    }
    assert.match(stderr, /warm-up \(threads 2×1, not counted\)/);
    assert.match(stderr, /\[1\/2\] threads 1×1: \d+\.\d\d s/);
    assert.deepEqual(await readdir(tempDir), [], 'every run folder is removed');
  });

  it('--chart when no run counts: says so, writes none, exit 1', async () => {
    const chart = join(tempDir, 'none.svg');
    const { code, stderr } = await compare(['BR', '--server', 'error', '--error-rate', '1', '--latency', '0', '--threads', '1', '--repeat', '1', '--chart', chart], tempDir, {
      COLUMNS: '200',
    });
    assert.equal(code, 1, stderr);
    assert.match(stderr, /No chart written to .*none\.svg: no config had a run that counts\./);
    await assert.rejects(readFile(chart), { code: 'ENOENT' });
  });

  it('prints the table with its reading, and draws the chart', async () => {
    const chart = join(tempDir, 'compare.svg');
    const { code, stdout, stderr } = await compare(
      ['--limit', '3', '--threads', '1,3', '--modes', 'threads,async', '--repeat', '1', '--server', 'delay', '--latency', '50', '--chart', chart, '--wide'],
      tempDir,
      { COLUMNS: '200' },
    );
    assert.equal(code, 0, stderr);
    const lines = stdout.replace(/^\n/, '').trimEnd().split('\n');
    assert.match(lines[0]!, /^ +median wall +speedup +worker +peak$/);
    assert.match(lines[1]!, /^mode\s+threads\s+in flight\s+\(min-max\)\s+vs 1 thread\s+flags\/s\s+bound\s+efficiency\s+start-up\s+memory$/);
    assert.equal(lines.filter((line) => /^(async|threads) {2,}/.test(line)).length, 4);
    assert.match(stdout, /^threads\s+3\s+3\s+\d+\.\d\d s \(.*\)\s+\S+×\s+\S+\s+0\.05 s\s+\d+%/m, 'bound: one round of 50 ms');
    assert.match(stdout, /requests in flight/);
    const svg = await readFile(chart, 'utf8');
    assert.match(svg, /^<svg /);
    assert.match(svg, />lower bound</);
    await rm(chart);
  });

  it('reports runs that failed instead of timing them, and exits 1', async () => {
    const port = await closedPort();
    const { code, stdout } = await compare(['BR', '--threads', '1', '--repeat', '2', '--server', `http://127.0.0.1:${port}/flags`], tempDir);
    assert.equal(code, 1);
    assert.match(stdout, /all 2 runs failed/);
    // A reason longer than the line goes on under itself.
    assert.match(
      stdout,
      /2 failed runs, left out of the times above:\n {2}threads 1×1: run 1: 1 of 1 flag failed \(first: br [\s\S]*?ECONNREFUSED[\s\S]*?\)\n {2}threads 1×1: run 2: /,
    );
    assert.match(stdout, /No bound: the latency of a real server is not known here\./);
  });

  it('--png and --timelines: every run renders, a timeline per config; a bar chart of the medians in ASCII on a dumb terminal', async () => {
    const timelines = join(tempDir, 'timelines');
    const { code, stdout, stderr } = await compare(
      ['BR', 'IN', '--modes', 'threads,async', '--threads', '1,2', '--repeat', '1', '--server', 'local', '--png', '64', '--timelines', timelines],
      tempDir,
      { TERM: 'dumb', LANG: 'C.UTF-8', NO_COLOR: '' },
    );
    assert.equal(code, 0, stderr);
    assert.match(stdout, /rendering\n.*\(summed\)/);
    const chart = stdout.split('Median wall time:\n')[1]!.split('\n\n')[0]!.split('\n');
    assert.deepEqual(
      chart.map((line) => line.split(/ {2,}/)[0]),
      ['async 1', 'async 2', 'threads 1×1', 'threads 2×1'],
    );
    for (const line of chart) assert.match(line, /^\S+ \S+ +\d+\.\d\d s {2}#+$/);
    assert.match(stdout, /on a single thread \(the\s+async rows: rendering \d+%\)/);
    const files = (await readdir(timelines)).sort();
    assert.deepEqual(files, ['async-1.svg', 'async-2.svg', 'threads-1x1.svg', 'threads-2x1.svg']);
    for (const file of files) assertWellFormedXml(await readFile(join(timelines, file), 'utf8'));
    assert.match(await readFile(join(timelines, 'threads-2x1.svg'), 'utf8'), /class="render"/);
    await rm(timelines, { recursive: true });
  });

  it('draws the chart with block characters on a UTF-8 terminal, and none in --json mode', async () => {
    const args = ['BR', '--threads', '1', '--repeat', '1', '--server', 'local', '--png', '16'];
    const env = { TERM: 'xterm', LANG: 'C.UTF-8', LC_ALL: '', LC_CTYPE: '', NO_COLOR: '' };
    const text = await compare(args, tempDir, env);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /Median wall time:\nthreads 1×1 {2}\d+\.\d\d s {2}█+\n/);
    const json = await compare([...args, '--json'], tempDir, env);
    assert.equal(json.code, 0, json.stderr);
    const summary = JSON.parse(json.stdout) as { png: number; rows: { renderMs: number }[] };
    assert.equal(summary.png, 16);
    assert.ok(summary.rows[0]!.renderMs >= 0);
  });

  it('refuses a bad thread list and more threads than flags, naming them', async () => {
    const bad = await compare(['--threads', '1,0'], tempDir);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--threads: "0" is not a positive whole number/);
    assert.match(bad.stderr, /\nRun 'flags compare --help' for usage\.\n$/, 'the help of compare, not of the download');
    const tooMany = await compare(['BR', 'IN', '--threads', '1,4'], tempDir);
    assert.equal(tooMany.code, 2);
    assert.match(tooMany.stderr, /--threads 4: there are only 2 flags/);
    assert.match(tooMany.stderr, /Run 'flags compare --help'/);
    const badLatency = await compare(['BR', '--threads', '1', '--latency', 'abc'], tempDir);
    assert.equal(badLatency.code, 2);
    assert.match(badLatency.stderr, /--latency must be a whole number from 0 to 2147483647, got "abc"/);
    const badPng = await compare(['BR', '--threads', '1', '--png', '4097'], tempDir);
    assert.equal(badPng.code, 2);
    assert.match(badPng.stderr, /--png must be a whole number from 16 to 4096, got 4097/);
    const gif = await compare(['BR', '--threads', '1', '--png', '64', '--ext', 'gif'], tempDir);
    assert.equal(gif.code, 2);
    assert.match(gif.stderr, /--png renders SVG files: it cannot be used with --ext gif/);
    const aFile = join(tempDir, 'a-file');
    await writeFile(aFile, '');
    const timelines = await compare(['BR', '--threads', '1', '--timelines', join(aFile, 'sub')], tempDir);
    assert.equal(timelines.code, 2);
    assert.match(timelines.stderr, /cannot write to --timelines folder .*a-file\/sub: ENOTDIR/);
    const chart = await compare(['BR', '--threads', '1', '--chart', '/nonexistent/dir/c.svg'], tempDir);
    assert.equal(chart.code, 2);
    assert.match(chart.stderr, /--chart \/nonexistent\/dir\/c\.svg: cannot write to the folder \/nonexistent\/dir: ENOENT/);
    await rm(aFile);
  });
});
