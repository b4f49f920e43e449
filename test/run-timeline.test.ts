import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { runTimeline } from '../src/report/run-timeline.js';
import type { RunReport } from '../src/types.js';
import { filesIn, inTemp, parseReport, runCli, withServer } from './helpers/fixtures.js';
import { assertWellFormedXml } from './helpers/xml.js';

const count = (svg: string, pattern: RegExp) => svg.match(pattern)?.length ?? 0;

describe("a run's timeline data", () => {
  test('each result starts on one clock with the process, each worker from its start to its first request', () =>
    withServer('local', {}, (server) =>
      inTemp(async (folder) => {
        const run = await runCli(['--limit', '12', '--server', server.baseUrl, '--threads', '3', '--concurrency', '2', '--dest', folder, '--json']);
        assert.equal(run.code, 0, run.stderr);
        const report = parseReport(run);
        const end = report.processStart + 60_000;
        for (const result of report.results) assert.ok(result.startedAt > report.processStart && result.startedAt < end, JSON.stringify(result));
        assert.equal(report.workers.length, report.workersStarted);
        for (const worker of report.workers) {
          assert.ok(worker.startedAt > report.processStart, JSON.stringify(worker));
          const starts = report.results.filter((result) => result.thread === worker.thread).map((result) => result.startedAt);
          // A worker that came up after the codes ran out made no request.
          if (starts.length === 0) assert.equal(worker.firstRequestAt, null);
          else assert.ok(worker.firstRequestAt === Math.min(...starts) && worker.startedAt < worker.firstRequestAt, JSON.stringify(worker));
        }
        assert.deepEqual([report.png, report.renderMs], [null, 0]);
      }),
    ));

  test('runTimeline: a bar per flag on its unrounded times ending with its render, a start-up per worker that got work, lanes named by worker number', () => {
    const report = {
      requested: 3,
      mode: 'threads',
      threads: 2,
      concurrency: 1,
      png: 64,
      elapsedMs: 900,
      processStart: 1000,
      workers: [
        { thread: 5, worker: 1, startedAt: 1100, firstRequestAt: 1200.25 },
        { thread: 4, worker: 2, startedAt: 1110, firstRequestAt: null },
      ],
      results: [
        { cc: 'br', status: 'ok', bytes: 1, startedAt: 1200.25, ms: 50, endedAt: 1250.375, renderMs: 7.5, renderStartedAt: 1242.8, thread: 5, worker: 1, attempts: 1 },
        { cc: 'zz', status: 'not_found', bytes: 0, startedAt: 1250.5, ms: 10, endedAt: 1260.125, thread: 5, worker: 1, attempts: 1 },
        { cc: 'in', status: 'error', bytes: 0, startedAt: 1400, ms: 0, endedAt: 1400, thread: 0, attempts: 2, error: 'worker failed: x' },
      ],
    } as unknown as RunReport;
    const timeline = runTimeline(report);
    assert.equal(timeline.origin, 1000);
    assert.equal(timeline.title, '3 flags, threads 2 × 1, PNG 64 px: 0.90 s');
    assert.deepEqual(
      timeline.lanes.map((lane) => [lane.thread, lane.worker, lane.startup, lane.flags.map((flag) => [flag.cc, flag.start, flag.end, flag.render])]),
      [
        [0, undefined, undefined, [['in', 1400, 1400, undefined]]],
        [
          5,
          1,
          { start: 1100, end: 1200.25 },
          [
            ['br', 1200.25, 1250.375, { start: 1242.8, end: 1250.375 }],
            ['zz', 1250.5, 1260.125, undefined],
          ],
        ],
      ],
    );
  });
});

describe('--timeline', () => {
  for (const [mode, extra] of [
    ['threads', ['--threads', '3', '--concurrency', '2']],
    ['async', ['--concurrency', '4']],
  ] as const) {
    test(`${mode}: a well-formed SVG, a lane per thread of the report, a bar per flag, a render part per PNG`, () =>
      withServer('local', {}, (server) =>
        inTemp(async (folder) => {
          const file = join(folder, 'timeline.svg');
          const dest = join(folder, 'dest');
          const run = await runCli([
            'BR',
            'IN',
            'US',
            'JP',
            'DE',
            'FR',
            'ZZ',
            '--server',
            server.baseUrl,
            '--mode',
            mode,
            ...extra,
            '--png',
            '64',
            '--timeline',
            file,
            '--dest',
            dest,
            '--json',
          ]);
          assert.equal(run.code, 0, run.stderr);
          assert.match(run.stderr, new RegExp(`Timeline written to ${file}\\n`));
          const report = parseReport(run);
          const svg = await readFile(file, 'utf8');
          assertWellFormedXml(svg);
          // The main thread first, then the workers by their number in the pool.
          const number = new Map(report.workers.map((worker) => [worker.thread, worker.worker]));
          const threads = [...new Set(report.results.map((result) => result.thread))].sort((a, b) => (number.get(a) ?? 0) - (number.get(b) ?? 0));
          const lanes = [...svg.matchAll(/<g class="lane" data-thread="(\d+)"/g)].map(([, thread]) => Number(thread));
          assert.deepEqual(lanes, threads);
          if (mode === 'async') assert.deepEqual(lanes, [0]);
          assert.equal(count(svg, /class="flag"/g), report.results.length);
          assert.equal(count(svg, /class="render"/g), report.ok);
          assert.equal(count(svg, /class="startup"/g), report.workers.filter((worker) => worker.firstRequestAt !== null).length);
          assert.equal(count(svg, /class="startup"/g) > 0, mode === 'threads');
          assert.deepEqual(await filesIn(folder), ['dest', 'timeline.svg'], 'no temporary file beside it');
        }),
      ));
  }

  test('a file that cannot be written: exit 2 before anything is downloaded', () =>
    inTemp(async (folder) => {
      const dest = join(folder, 'dest');
      await mkdir(join(folder, 'a-folder'));
      const cases: [string, RegExp][] = [
        ['/nonexistent/dir/t.svg', /--timeline \/nonexistent\/dir\/t\.svg: cannot write to the folder \/nonexistent\/dir: ENOENT/],
        [join(folder, 'a-folder'), /--timeline .*a-folder: is a folder, not a file name/],
      ];
      for (const [path, message] of cases) {
        const run = await runCli(['BR', '--server', 'local', '--dest', dest, '--timeline', path]);
        assert.equal(run.code, 2, run.stderr);
        assert.match(run.stderr, message);
        assert.equal(run.stdout, '');
      }
      assert.deepEqual(await filesIn(folder), ['a-folder'], 'no destination was created');
    }));
});

describe('timeline rows on exact times', () => {
  const rowsOf = (svg: string) => [...svg.matchAll(/<g class="lane" data-thread="(\d+)" data-rows="(\d+)"/g)].map(([, thread, rows]) => [Number(thread), Number(rows)]);
  const cases: [string, string[], (rows: number) => boolean, string][] = [
    ['--threads 1', ['--threads', '1'], (rows) => rows === 1, 'one row'],
    ['--mode sequential', ['--mode', 'sequential'], (rows) => rows === 1, 'one row'],
    ['--mode sequential --png 64', ['--mode', 'sequential', '--png', '64'], (rows) => rows === 1, 'one row'],
    ['--threads 2 --concurrency 3', ['--threads', '2', '--concurrency', '3'], (rows) => rows >= 1 && rows <= 3, 'at most 3 rows'],
  ];
  for (const [name, extra, fits, expected] of cases) {
    test(`${name}: each lane has ${expected}, however close a flag's start is to the last one's end`, () =>
      withServer('local', {}, (server) =>
        inTemp(async (folder) => {
          const file = join(folder, 'timeline.svg');
          // No latency: flags follow one another within microseconds, where a rounded end would pass the next start.
          const run = await runCli(['--all', '--limit', '40', '--server', server.baseUrl, ...extra, '--timeline', file, '--dest', join(folder, 'dest'), '--json']);
          assert.equal(run.code, 0, run.stderr);
          const report = parseReport(run);
          const svg = await readFile(file, 'utf8');
          assertWellFormedXml(svg);
          const lanes = rowsOf(svg);
          assert.equal(lanes.length, extra.includes('sequential') ? 1 : Number(extra[1]));
          for (const [thread, rows] of lanes) assert.ok(fits(rows!), `thread ${thread}: ${rows} rows, expected ${expected}`);
          for (const result of report.results) assert.ok(result.endedAt >= result.startedAt, JSON.stringify(result));
          if (extra.includes('--png')) {
            assert.equal(count(svg, /<g class="cpu"/g), 1, 'the main thread has a CPU track');
            assert.equal(count(svg, /class="cpu-wait"/g), 0, 'one flag at a time: none waits for another render');
          }
        }),
      ));
  }
});

describe('thread numbering', () => {
  test('the pool workers are threads 1..T in --verbose and the timeline; --json keeps the raw thread id beside that number', () =>
    inTemp(async (folder) => {
      const file = join(folder, 'timeline.svg');
      // --server local starts the embedded server on a thread of its own, so the pool's only worker is not thread 1.
      const verbose = await runCli(['--limit', '4', '--server', 'local', '--threads', '1', '--verbose', '--dest', join(folder, 'a'), '--timeline', file]);
      assert.equal(verbose.code, 0, verbose.stderr);
      const lines = verbose.stdout.split('\n').filter((line) => /^[A-Z]{2} {2}/.test(line));
      assert.equal(lines.length, 4, verbose.stdout);
      for (const line of lines) assert.match(line, / {2}thread 1$/);
      const svg = await readFile(file, 'utf8');
      assert.ok(svg.includes('>thread 1</text>'), 'the lane is thread 1');
      assert.doesNotMatch(svg, />thread [02-9]/);

      const json = await runCli(['--limit', '4', '--server', 'local', '--threads', '2', '--dest', join(folder, 'b'), '--json']);
      assert.equal(json.code, 0, json.stderr);
      const report = parseReport(json);
      assert.deepEqual(
        report.workers.map((worker) => worker.worker),
        report.workers.map((_, index) => index + 1),
      );
      const byThread = new Map(report.workers.map((worker) => [worker.thread, worker.worker]));
      assert.ok(
        report.workers.every((worker) => worker.thread > 1),
        `raw ids after the server's thread: ${JSON.stringify(report.workers)}`,
      );
      for (const result of report.results) assert.equal(result.worker, byThread.get(result.thread), JSON.stringify(result));
    }));
});
