import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { once } from 'node:events';
import { readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { catalogue } from '../src/input/catalogue.js';
import { expandCodes } from '../src/input/codes.js';
import { tempPrefixFor } from '../src/store/destination.js';
import { flagItems } from '../src/input/items.js';
import { runDownload } from '../src/schedule/run.js';
import { loadStrategy } from '../src/schedule/strategies/load-strategy.js';
import { threadsWith } from '../src/schedule/strategies/threads.js';
import type { Mode, Partition, RunReport, Strategy } from '../src/types.js';
import { filesIn, sourceFlag, tempFolder, withServer } from './helpers/fixtures.js';

const populous = expandCodes({ args: [] });
const every = expandCodes({ args: [], every: true });
const all = expandCodes({ args: [], all: true });

interface Plan {
  mode?: Mode;
  threads?: number;
  concurrency?: number;
  partition?: Partition;
  strategy?: Strategy;
  timeoutMs?: number;
  maxBytes?: number;
  retries?: number;
}

/** Downloads `codes` from `baseUrl` into a fresh folder; hands the report and the folder to `check`. */
async function download(codes: readonly string[], baseUrl: string, plan: Plan, check: (report: RunReport, dest: string) => Promise<void>) {
  const dest = await tempFolder();
  try {
    const mode = plan.mode ?? 'threads';
    const report = await runDownload(flagItems(codes, baseUrl, 'svg'), {
      server: baseUrl,
      strategy: plan.strategy ?? (await loadStrategy(mode)),
      mode,
      threads: plan.threads ?? 4,
      concurrency: plan.concurrency ?? 1,
      partition: plan.partition ?? 'dynamic',
      dest: dest.path,
      timeoutMs: plan.timeoutMs ?? 10_000,
      maxBytes: plan.maxBytes ?? 5_000_000,
      tempPrefix: tempPrefixFor(),
      retries: plan.retries ?? 0,
      retryDelayMs: 10,
      existing: 'replace',
      insecure: false,
    });
    await check(report, dest.path);
  } finally {
    await dest.remove();
  }
}

/** Each code exactly once, and the counts add up. */
function assertComplete(report: RunReport, codes: readonly string[]) {
  assert.equal(report.results.length, codes.length);
  assert.deepEqual(report.results.map((result) => result.cc).sort(), [...codes].sort());
  assert.equal(report.ok + report.notFound + report.error, codes.length);
  assert.equal(report.interrupted, false);
}

/** The folder holds exactly the flags that ended ok, each whole, and nothing else. */
async function assertFilesMatch(report: RunReport, dest: string) {
  const okCodes = report.results.filter((result) => result.status === 'ok').map((result) => result.cc);
  assert.deepEqual((await filesIn(dest)).sort(), okCodes.map((cc) => `${cc}.svg`).sort());
  for (const cc of okCodes) assert.deepEqual(await readFile(join(dest, `${cc}.svg`)), await sourceFlag(cc!), cc);
}

describe('against the embedded server, no latency', () => {
  for (const [mode, plan] of [
    ['sequential', {}],
    ['async', { concurrency: 5 }],
    ['threads', { threads: 4 }],
    ['threads', { threads: 3, concurrency: 3, partition: 'chunks' }],
  ] as const) {
    test(`${mode} ${JSON.stringify(plan)} downloads the 20 flags byte-identical to flag-icons`, () =>
      withServer('local', {}, (server) =>
        download(populous, server.baseUrl, { mode, ...plan }, async (report, dest) => {
          assertComplete(report, populous);
          assert.equal(report.ok, 20);
          assert.equal(report.mode, mode);
          await assertFilesMatch(report, dest);
          if (mode === 'threads') {
            assert.ok(
              report.results.every((result) => result.thread > 0),
              'every flag came from a worker thread',
            );
          } else {
            assert.ok(
              report.results.every((result) => result.thread === 0),
              'every flag came from the main thread',
            );
          }
        }),
      ));
  }

  test('--every over 8 threads: 676 results, each once; not found is exactly what the catalogue lacks', () =>
    withServer('local', {}, (server) =>
      download(every, server.baseUrl, { threads: 8 }, async (report, dest) => {
        assertComplete(report, every);
        const known = new Set(catalogue().map((country) => country.code));
        const notFound = report.results.filter((result) => result.status === 'not_found').map((result) => result.cc);
        assert.deepEqual(
          notFound,
          every.filter((cc) => !known.has(cc)),
        );
        assert.equal(report.ok, known.size);
        assert.equal(report.error, 0);
        assert.ok(new Set(report.results.map((result) => result.thread)).size > 1, 'more than one worker did the work');
        await assertFilesMatch(report, dest);
      }),
    ));

  test('the port protocol loses nothing: every flag over many threads, in every partition, repeated', () =>
    withServer('local', {}, async (server) => {
      for (let round = 0; round < 3; round++) {
        for (const partition of ['dynamic', 'chunks', 'round-robin'] as const) {
          await download(all, server.baseUrl, { threads: 16, concurrency: 3, partition }, async (report) => {
            assertComplete(report, all);
            assert.equal(report.ok, all.length, `${partition}, round ${round}`);
          });
        }
      }
    }));
});

describe('a worker that fails mid-task', () => {
  const crashingWorker = new URL('./fixtures/crashing-worker.js', import.meta.url).href;

  async function withCrash(how: 'exit' | 'throw', once: boolean, run: () => Promise<void>) {
    const marker = join(tmpdir(), `flags-crash-${process.pid}-${Math.random()}`);
    Object.assign(process.env, { FLAGS_TEST_CRASH_CODE: 'br', FLAGS_TEST_CRASH_HOW: how, FLAGS_TEST_CRASH_MARKER: once ? marker : '' });
    try {
      await run();
      // The marker proves the worker did crash, so the run above survived a real failure.
      if (once) await stat(marker);
    } finally {
      await rm(marker, { force: true });
      delete process.env.FLAGS_TEST_CRASH_CODE;
      delete process.env.FLAGS_TEST_CRASH_HOW;
      delete process.env.FLAGS_TEST_CRASH_MARKER;
    }
  }

  for (const how of ['exit', 'throw'] as const) {
    for (const partition of ['dynamic', 'chunks'] as const) {
      test(`${how}s once (${partition}): its codes are retried on another worker, nothing is lost`, () =>
        withCrash(how, true, () =>
          withServer('local', {}, (server) =>
            download(populous, server.baseUrl, { threads: 4, concurrency: 2, partition, strategy: threadsWith(crashingWorker) }, async (report, dest) => {
              assertComplete(report, populous);
              assert.equal(report.ok, 20, JSON.stringify(report.results.filter((result) => result.status !== 'ok')));
              await assertFilesMatch(report, dest);
            }),
          ),
        ));
    }
  }

  test('every time: that code ends in error after its retry, the others are downloaded', () =>
    withCrash('exit', false, () =>
      withServer('local', {}, (server) =>
        download(populous, server.baseUrl, { threads: 4, strategy: threadsWith(crashingWorker) }, async (report, dest) => {
          assertComplete(report, populous);
          const failed = report.results.filter((result) => result.status === 'error');
          assert.deepEqual(
            failed.map((result) => result.cc),
            ['br'],
          );
          assert.match(failed[0]!.error!, /worker failed/);
          assert.equal(report.ok, 19);
          await assertFilesMatch(report, dest);
        }),
      ),
    ));

  test('a worker that posts a message the protocol does not have: its thread is ended, that code fails after its retry, the others are downloaded', async () => {
    process.env.FLAGS_TEST_ROGUE_CODE = 'br';
    try {
      await withServer('local', {}, (server) =>
        download(populous, server.baseUrl, { threads: 4, strategy: threadsWith(new URL('./fixtures/rogue-worker.js', import.meta.url).href) }, async (report, dest) => {
          assertComplete(report, populous);
          const failed = report.results.filter((result) => result.status === 'error');
          assert.deepEqual(
            failed.map((result) => [result.cc, result.attempts, result.error]),
            [['br', 2, 'worker failed: protocol violation: the worker sent a message of unknown type "gossip"']],
          );
          assert.equal(report.ok, 19);
          await assertFilesMatch(report, dest);
        }),
      );
    } finally {
      delete process.env.FLAGS_TEST_ROGUE_CODE;
    }
  });

  test('a worker file that cannot load: every code is an error that says why, and the run ends', () =>
    withServer('local', {}, (server) =>
      download(populous, server.baseUrl, { threads: 2, strategy: threadsWith(new URL('./fixtures/missing-worker.js', import.meta.url).href) }, async (report) => {
        assertComplete(report, populous);
        assert.equal(report.error, 20);
        assert.match(report.results[0]!.error!, /worker failed/);
      }),
    ));
});

describe('faults end in exactly one state and leave no file behind', () => {
  // A stalled answer ends only by the client's timeout: a short one keeps these runs short.
  const timeoutMs = 500;

  test('error profile: some flags fail, each code once, only whole flags on disk', () =>
    withServer('error', { latencyMs: 0, jitterMs: 0, errorRate: 0.4, seed: 3 }, (server) =>
      download(all, server.baseUrl, { threads: 8, concurrency: 2, timeoutMs }, async (report, dest) => {
        assertComplete(report, all);
        assert.ok(report.error > 0 && report.ok > 0, `${report.ok} ok, ${report.error} errors`);
        await assertFilesMatch(report, dest);
      }),
    ));

  test('every request faulted: statuses, dropped connections, cut and stalled bodies are all errors, no file at all', () =>
    withServer('error', { latencyMs: 0, jitterMs: 0, errorRate: 1 }, (server) =>
      download(all, server.baseUrl, { threads: 4, timeoutMs }, async (report, dest) => {
        assertComplete(report, all);
        assert.equal(report.error, all.length);
        const reasons = report.results.map((result) => result.error!);
        assert.ok(
          reasons.some((reason) => /^HTTP 50[03]/.test(reason)),
          'a 5xx status',
        );
        assert.ok(
          reasons.some((reason) => /^HTTP 429/.test(reason)),
          'too many requests',
        );
        assert.ok(reasons.includes(`timed out after ${timeoutMs} ms without data`), 'a stalled body');
        assert.ok(
          reasons.some((reason) => /body cut short \(\d+ of \d+ bytes/.test(reason)),
          'a body cut short',
        );
        assert.ok(
          reasons.some((reason) => /socket hang up|ECONNRESET/.test(reason) && !reason.startsWith('body')),
          'a dropped connection',
        );
        assert.deepEqual(await filesIn(dest), []);
      }),
    ));

  test('a slow answer times out', () =>
    withServer('delay', { latencyMs: 2000, jitterMs: 0 }, (server) =>
      download(['br', 'fr'], server.baseUrl, { mode: 'async', concurrency: 2, timeoutMs: 100 }, async (report, dest) => {
        assert.deepEqual(
          report.results.map((result) => result.error),
          ['timed out after 100 ms without data', 'timed out after 100 ms without data'],
        );
        assert.deepEqual(await filesIn(dest), []);
      }),
    ));

  test('the size cap holds for a declared length and for a streamed body without one', async () => {
    await withServer('local', {}, (server) =>
      download(['br', 'us'], server.baseUrl, { mode: 'sequential', maxBytes: 1000 }, async (report, dest) => {
        assert.match(report.results[0]!.error!, /exceeds the 1000-byte cap/);
        assert.equal(report.results[1]!.status, 'ok');
        assert.deepEqual(await filesIn(dest), ['us.svg']);
      }),
    );
    // A server that streams an endless chunked body, as a misconfigured real server might.
    const endless = createServer((_request, response) => {
      const timer = setInterval(() => response.write(Buffer.alloc(4096, 'x')), 1);
      response.on('close', () => clearInterval(timer));
    });
    endless.listen(0, '127.0.0.1');
    await once(endless, 'listening');
    try {
      const { port } = endless.address() as { port: number };
      await download(['br'], `http://127.0.0.1:${port}`, { mode: 'sequential', maxBytes: 50_000 }, async (report, dest) => {
        assert.equal(report.results[0]!.error, 'response exceeds the 50000-byte cap');
        assert.deepEqual(await filesIn(dest), []);
      });
    } finally {
      endless.closeAllConnections();
      endless.close();
    }
  });

  test('nothing listening: a connection error names the reason', () =>
    download(['br'], 'http://127.0.0.1:1/flags', { mode: 'sequential' }, async (report) => {
      assert.match(report.results[0]!.error!, /ECONNREFUSED/);
    }));
});
