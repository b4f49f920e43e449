import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { soak } from '../bench/soak.js';
import { expandCodes } from '../src/input/codes.js';
import { tempPrefixFor } from '../src/store/destination.js';
import { backoffMs, MAX_WAIT_MS, retryAfterMs } from '../src/fetch/retry.js';
import { flagItems } from '../src/input/items.js';
import { runDownload } from '../src/schedule/run.js';
import { planAnswer } from '../src/server/fault-plan.js';
import { loadStrategy } from '../src/schedule/strategies/load-strategy.js';
import type { Mode, RunReport } from '../src/types.js';
import { filesIn, parseReport, runCli, sourceFlag, tempFolder, withServer } from './helpers/fixtures.js';

const all = expandCodes({ args: [], all: true });

async function download(codes: readonly string[], baseUrl: string, mode: Mode, retries: number, check: (report: RunReport, dest: string) => Promise<void>) {
  const dest = await tempFolder();
  try {
    const report = await runDownload(flagItems(codes, baseUrl, 'svg'), {
      server: baseUrl,
      strategy: await loadStrategy(mode),
      mode,
      threads: 4,
      concurrency: 5,
      partition: 'dynamic',
      dest: dest.path,
      // A stalled answer ends only by the client's timeout; one that is merely slow is tried again.
      timeoutMs: 500,
      maxBytes: 5_000_000,
      tempPrefix: tempPrefixFor(),
      retries,
      retryDelayMs: 5,
      existing: 'replace',
      insecure: false,
    });
    await check(report, dest.path);
  } finally {
    await dest.remove();
  }
}

describe('the retry stage', () => {
  test('backoff: full jitter under an exponential ceiling, capped', () => {
    assert.equal(
      backoffMs(1, 100, () => 0),
      0,
    );
    assert.equal(
      backoffMs(1, 100, () => 0.999),
      100,
    );
    assert.equal(
      backoffMs(3, 100, () => 0.5),
      200,
    );
    assert.equal(
      backoffMs(30, 100, () => 0.5),
      MAX_WAIT_MS / 2,
    );
  });

  test('Retry-After: seconds or an HTTP date, capped; anything else is ignored', () => {
    const now = Date.parse('2026-11-26T12:00:00Z');
    assert.equal(retryAfterMs('1', now), 1000);
    assert.equal(retryAfterMs('0', now), 0);
    assert.equal(retryAfterMs('3600', now), MAX_WAIT_MS);
    assert.equal(retryAfterMs('Thu, 26 Nov 2026 12:00:02 GMT', now), 2000);
    assert.equal(retryAfterMs('Thu, 26 Nov 2026 11:00:00 GMT', now), 0);
    assert.equal(retryAfterMs(undefined, now), undefined);
    assert.equal(retryAfterMs('soon', now), undefined);
    assert.equal(retryAfterMs('-5', now), undefined);
  });

  // Seed 34 gives these 60 flags each kind of fault at least once, and but one 429 (a second's wait) and one stall (a timeout).
  const codes = all.slice(0, 60);
  for (const mode of ['sequential', 'async', 'threads'] as const) {
    test(`${mode}: the error profile's faults, each kind of them, are retried until every flag is whole`, () =>
      withServer('error', { latencyMs: 0, jitterMs: 0, errorRate: 0.3, seed: 34 }, (server) =>
        download(codes, server.baseUrl, mode, 10, async (report, dest) => {
          assert.deepEqual(report.results.map((result) => result.cc).sort(), [...codes].sort());
          assert.equal(report.ok, codes.length, JSON.stringify(report.results.filter((result) => result.status !== 'ok')));
          assert.deepEqual(
            new Set(server.requests.map((request) => request.fault)),
            new Set([null, 'status-500', 'status-503', 'status-429', 'drop', 'truncate', 'stall']),
            'every kind of fault came up',
          );
          assert.ok(
            report.results.some((result) => result.attempts > 1),
            'some flag needed a retry',
          );
          assert.ok(report.results.every((result) => result.attempts >= 1));
          assert.deepEqual((await filesIn(dest)).sort(), codes.map((cc) => `${cc}.svg`).sort(), 'no temporary or partial file');
          for (const cc of codes) assert.deepEqual(await readFile(join(dest, `${cc}.svg`)), await sourceFlag(cc), cc);
        }),
      ));
  }

  test('a 404 and a 403 are final: one request each', async () => {
    const requests = new Map<string, number>();
    const server = createServer((request, response) => {
      requests.set(request.url!, (requests.get(request.url!) ?? 0) + 1);
      response.writeHead(request.url!.startsWith('/flags/br/') ? 403 : 404, { 'content-length': 0 }).end();
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/flags`;
    try {
      await download(['br', 'zz'], baseUrl, 'async', 5, async (report) => {
        assert.deepEqual(
          report.results.map(({ cc, status, attempts, error }) => ({ cc, status, attempts, error })),
          [
            { cc: 'br', status: 'error', attempts: 1, error: 'HTTP 403 Forbidden' },
            { cc: 'zz', status: 'not_found', attempts: 1, error: undefined },
          ],
        );
      });
      assert.deepEqual(Object.fromEntries(requests), { '/flags/br/br.svg': 1, '/flags/zz/zz.svg': 1 });
    } finally {
      server.close();
    }
  });
});

describe('flags --retries (the CLI)', () => {
  test('exit 0 when the retries sufficed, 1 when a flag used them all up; the report says so', async () => {
    const folder = await tempFolder();
    try {
      // A stalled answer costs a whole --timeout: a short one keeps the runs short, a merely slow answer is tried again.
      const args = ['--all', '--server', 'error', '--latency', '0', '--jitter', '0', '--retry-delay', '5', '--timeout', '500'];
      // Many slots of one thread waiting at once: each listens to the run's cancel signal.
      const enough = await runCli([...args, '--error-rate', '0.3', '--retries', '10', '--mode', 'async', '--concurrency', '20', '--dest', join(folder.path, 'a')]);
      assert.equal(enough.code, 0, enough.stderr + enough.stdout);
      assert.doesNotMatch(enough.stderr, /Warning/);
      assert.match(enough.stdout, /^257 flags downloaded, 0 not found, 0 errors in/m);
      assert.match(enough.stdout, /^Retries: \d+ flags needed them \(\d+ retries in all\); \d+ of them then succeeded$/m);
      // Flags that use their retries up, and the text that lists them: 60 flags give dozens, in one round of the 40 slots.
      const spent = [...args, '--limit', '60', '--error-rate', '0.6', '--retries', '1', '--threads', '2', '--concurrency', '20'];
      const none = await runCli([...spent, '--dest', join(folder.path, 'b'), '--json']);
      assert.equal(none.code, 1, none.stderr);
      assert.doesNotMatch(none.stderr, /Warning/);
      const report = parseReport(none);
      assert.ok(report.error > 0);
      for (const result of report.results) if (result.status === 'error') assert.equal(result.attempts, 2, `${result.cc}: ${result.error}`);
      const text = await runCli([...spent, '--dest', join(folder.path, 'c')]);
      assert.match(text.stdout, /^Errors by reason:\n( {2}\d+ × [^(\n]+ \([A-Z]{2}( [A-Z]{2})*\)\n?)+$/m);
    } finally {
      await folder.remove();
    }
  });

  test('Ctrl-C during a backoff wait stops at once: no further request, exit 130', async () => {
    let requests = 0;
    const server = createServer((_request, response) => {
      requests++;
      response.writeHead(503, { 'retry-after': '5', 'content-length': 0 }).end();
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const folder = await tempFolder();
    try {
      const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/flags`;
      const run = await runCli(['BR', '--server', baseUrl, '--retries', '3', '--verbose', '--dest', folder.path], {
        onStdout: (text, child) => {
          if (/^BR {2}retry .*next in 5000 ms/m.test(text) && !child.killed) child.kill('SIGINT');
        },
      });
      assert.equal(run.code, 130, run.stderr + run.stdout);
      assert.equal(requests, 1, 'the wait was cut short, not waited out');
      assert.match(run.stdout, /^BR {2}error +interrupted/m);
      assert.deepEqual(await filesIn(folder.path), []);
    } finally {
      server.close();
      await folder.remove();
    }
  });

  test('bad values: exit 2, naming the value', async () => {
    const cases: [string[], RegExp][] = [
      [['--retries', '-1'], /--retries must be a whole number from 0 to 100, got -1/],
      [['--retries', 'many'], /--retries must be a whole number from 0 to 100, got "many"/],
      [['--retry-delay', '1.5'], /--retry-delay must be a whole number from 0 to 60000, got 1\.5/],
      [['--update', '--skip-existing'], /update and skip-existing are mutually exclusive/],
      [['--ca', '/nonexistent/ca.pem'], /--ca \/nonexistent\/ca\.pem: cannot read it \(ENOENT\)/],
      [['--ca', '/etc'], /--ca \/etc: cannot read it \(not a regular file\)/],
      [['--ca', '/etc/hostname'], /--ca \/etc\/hostname: not a PEM certificate/],
    ];
    for (const [args, message] of cases) {
      const run = await runCli(['--server', 'local', '--dest', '/nonexistent/never-created', ...args]);
      assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, message, args.join(' '));
    }
  });
});

describe('the retry stage against the embedded server', () => {
  test('a 429 with Retry-After: 1 is tried again no earlier than the server asked', async () => {
    const knobs = { latencyMs: 0, jitterMs: 0, errorRate: 0.5, seed: 1 };
    // A flag whose first answer the seeded plan makes a 429 and whose second is whole.
    const cc = all.find((code) => planAnswer(knobs, `${code}/${code}.svg`, 0, true).fault === 'status-429' && planAnswer(knobs, `${code}/${code}.svg`, 1, true).fault === null);
    assert.ok(cc, 'the seed gives such a flag');
    await withServer('error', knobs, (server) =>
      download([cc], server.baseUrl, 'async', 3, async (report) => {
        assert.deepEqual(
          report.results.map(({ status, attempts }) => ({ status, attempts })),
          [{ status: 'ok', attempts: 2 }],
        );
        const [first, second] = server.requests.filter((request) => request.path === `/flags/${cc}/${cc}.svg`);
        assert.equal(first!.status, 429);
        // Timers may fire up to a millisecond early by the other thread's clock.
        assert.ok(second!.at - first!.at >= 999, `retried after ${second!.at - first!.at} ms`);
      }),
    );
  });

  test('a small soak: every flag ends once and whole, through threads and the event loop', async () => {
    const folder = await tempFolder();
    try {
      const figures = await soak({
        runs: 2,
        errorRate: 0.3,
        seed: 11,
        retries: 10,
        retryDelayMs: 10,
        timeoutMs: 1000,
        tempRoot: folder.path,
        configs: [
          ['--threads', '4', '--concurrency', '5'],
          ['--mode', 'async', '--concurrency', '20'],
        ],
      });
      assert.equal(figures.downloads, 2 * all.length);
      assert.deepEqual(
        { lost: figures.lost, doubled: figures.doubled, partial: figures.partial, failedRuns: figures.failedRuns },
        { lost: 0, doubled: 0, partial: 0, failedRuns: 0 },
      );
      assert.ok(figures.faultsInjected > 0 && figures.retries > 0, `${figures.faultsInjected} faults, ${figures.retries} retries`);
      assert.equal(figures.ok, 2 * all.length);
    } finally {
      await folder.remove();
    }
  });
});
