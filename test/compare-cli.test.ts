import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cliPath } from './helpers/fixtures.js';

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `flags compare ...` as a user runs it, with its own temporary folder so that leftovers show. */
function compare(args: string[], tempDir: string): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, 'compare', ...args], { env: { ...process.env, TMPDIR: tempDir } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A port on which nothing listens: every request to it is refused. */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
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

  it('prints the table with its reading, and draws the chart', async () => {
    const chart = join(tempDir, 'compare.svg');
    const { code, stdout, stderr } = await compare(
      ['--limit', '3', '--threads', '1,3', '--modes', 'threads,async', '--repeat', '1', '--server', 'delay', '--latency', '50', '--chart', chart],
      tempDir,
    );
    assert.equal(code, 0, stderr);
    const lines = stdout.trim().split('\n');
    assert.match(lines[0]!, /^mode\s+threads\s+in flight\/thread\s+median wall \(min-max\)\s+speedup vs 1 thread\s+flags\/s\s+bound\s+efficiency/);
    assert.equal(lines.filter((line) => /^(async|threads) /.test(line)).length, 4);
    assert.match(stdout, /^threads\s+3\s+1\s+\d+\.\d\d s \(.*\)\s+\S+×\s+\S+\s+0\.05 s\s+\d+%/m, 'bound: one round of 50 ms');
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
    assert.match(stdout, /2 failed runs, left out of the times above:\n {2}threads 1×1: run 1: 1 of 1 flags failed \(first: br .*ECONNREFUSED.*\)\n {2}threads 1×1: run 2: /);
    assert.match(stdout, /No bound: the latency of a real server is not known here\./);
  });

  it('refuses a bad thread list and more threads than flags, naming them', async () => {
    const bad = await compare(['--threads', '1,0'], tempDir);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--threads: "0" is not a positive whole number/);
    const tooMany = await compare(['BR', 'IN', '--threads', '1,4'], tempDir);
    assert.equal(tooMany.code, 2);
    assert.match(tooMany.stderr, /--threads 4: there are only 2 flags/);
    const badLatency = await compare(['BR', '--threads', '1', '--latency', 'abc'], tempDir);
    assert.equal(badLatency.code, 2);
    assert.match(badLatency.stderr, /--latency must be a number of ms >= 0, got "abc"/);
  });
});
