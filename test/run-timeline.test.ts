import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { runTimeline } from '../src/timeline/run-timeline.js';
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

  test('runTimeline: a bar per flag ending with its render, a start-up per worker that got work', () => {
    const report = {
      requested: 3,
      mode: 'threads',
      threads: 2,
      concurrency: 1,
      png: 64,
      elapsedMs: 900,
      processStart: 1000,
      workers: [
        { thread: 1, startedAt: 1100, firstRequestAt: 1200 },
        { thread: 2, startedAt: 1110, firstRequestAt: null },
      ],
      results: [
        { cc: 'br', status: 'ok', bytes: 1, startedAt: 1200, ms: 50, renderMs: 7.5, thread: 1, attempts: 1 },
        { cc: 'zz', status: 'not_found', bytes: 0, startedAt: 1250, ms: 10, thread: 1, attempts: 1 },
        { cc: 'in', status: 'error', bytes: 0, startedAt: 1400, ms: 0, thread: 0, attempts: 2, error: 'worker failed: x' },
      ],
    } as unknown as RunReport;
    const timeline = runTimeline(report);
    assert.equal(timeline.origin, 1000);
    assert.equal(timeline.title, '3 flags, threads 2 × 1, PNG 64 px: 0.90 s');
    assert.deepEqual(
      timeline.lanes.map((lane) => [lane.thread, lane.startup, lane.flags.map((flag) => [flag.cc, flag.start, flag.end, flag.render])]),
      [
        [0, undefined, [['in', 1400, 1400, undefined]]],
        [
          1,
          { start: 1100, end: 1200 },
          [
            ['br', 1200, 1250, { start: 1242.5, end: 1250 }],
            ['zz', 1250, 1260, undefined],
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
          const threads = [...new Set(report.results.map((result) => result.thread))].sort((a, b) => a - b);
          const lanes = [...svg.matchAll(/<g class="lane" data-thread="(\d+)">/g)].map(([, thread]) => Number(thread));
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
