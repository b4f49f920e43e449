import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { ChildRun } from '../src/compare/child-run.js';
import { compareTable } from '../src/compare/compare-table.js';
import { comparisonText } from '../src/compare/comparison-text.js';
import { configArgs, configFileName, inFlight, planConfigs, type RunConfig } from '../src/compare/plan.js';
import { readRows } from '../src/compare/reading.js';
import { baselineOf, buildRows, type CompareRow } from '../src/compare/rows.js';
import { markdownTable, textTable } from '../src/compare/text-table.js';
import { choiceList, countList } from '../src/options/checks.js';
import type { RunReport } from '../src/types.js';

const run = (wallMs: number, extra: Partial<ChildRun> = {}): ChildRun => ({ wallMs, peakRssBytes: 100 * 2 ** 20, ...extra });
const threads = (count: number, concurrency = 1): RunConfig => ({ mode: 'threads', threads: count, concurrency, partition: 'dynamic' });

describe('thread and choice lists', () => {
  it('reads thread counts as a comma list, or as an array', () => {
    assert.deepEqual(countList('1,2,4', 'threads'), [1, 2, 4]);
    assert.deepEqual(countList([2, 1, 2], 'threads'), [2, 1]);
    assert.throws(() => countList(String(2 ** 53), 'threads'), { name: 'OptionError', option: 'threads' });
  });

  it('keeps chosen names once each, in order, and refuses others', () => {
    const modes = (text: string) => choiceList(['threads', 'async', 'sequential'] as const)(text, 'modes');
    assert.deepEqual(modes('sequential,threads,sequential'), ['sequential', 'threads']);
    assert.throws(() => modes('threads,fibers'), { name: 'OptionError', option: 'modes', message: 'modes: "fibers" is not one of threads, async, sequential' });
  });
});

describe('planConfigs', () => {
  const plan = planConfigs({ modes: ['threads', 'async', 'sequential'], threads: [1, 4], concurrency: 5, partitions: ['dynamic', 'chunks'] });

  it('runs sequential once, async at the requests in flight of each thread count, threads per partition', () => {
    assert.deepEqual(
      plan.map((config) => [config.mode, config.threads, config.concurrency, config.partition]),
      [
        ['sequential', 0, 1, 'dynamic'],
        ['async', 0, 5, 'dynamic'],
        ['async', 0, 20, 'dynamic'],
        ['threads', 1, 5, 'dynamic'],
        ['threads', 4, 5, 'dynamic'],
        ['threads', 1, 5, 'chunks'],
        ['threads', 4, 5, 'chunks'],
      ],
    );
    assert.deepEqual(plan.map(inFlight), [1, 5, 20, 5, 20, 5, 20]);
  });

  it('leaves out the modes not asked for', () => {
    const only = planConfigs({ modes: ['async'], threads: [2], concurrency: 1, partitions: ['dynamic'] });
    assert.deepEqual(
      only.map((config) => config.mode),
      ['async'],
    );
  });

  it('passes each config to the CLI as its own options', () => {
    assert.deepEqual(configArgs(plan[0]!), ['--mode', 'sequential']);
    assert.deepEqual(configArgs(plan[2]!), ['--mode', 'async', '--concurrency', '20']);
    assert.deepEqual(configArgs(plan[6]!), ['--mode', 'threads', '--threads', '4', '--partition', 'chunks', '--concurrency', '5']);
  });
});

describe('buildRows', () => {
  const configs: RunConfig[] = [{ mode: 'sequential', threads: 0, concurrency: 1, partition: 'dynamic' }, threads(1), threads(4)];
  const rows = buildRows(
    configs,
    [
      [run(6000), run(6200), run(6100)],
      [run(6300), run(6400), run(6500)],
      [run(2000), run(900, { failure: '3 of 20 flags failed' }), run(1800), run(1700)],
    ],
    { flags: 20, latencyMs: 300 },
  );

  it('has at least the fields scripts rely on, with numbers', () => {
    for (const row of rows) {
      for (const key of ['mode', 'threads', 'concurrency', 'medianMs', 'minMs', 'maxMs'] as const) assert.ok(key in row, key);
      assert.equal(typeof row.medianMs, 'number');
    }
    assert.deepEqual(JSON.parse(JSON.stringify(rows)), rows, 'survives JSON as it is');
  });

  it('summarises the counted runs as median with min and max', () => {
    assert.deepEqual([rows[0]!.medianMs, rows[0]!.minMs, rows[0]!.maxMs], [6100, 6000, 6200]);
  });

  it('leaves a failed run out of the figures but counts and explains it', () => {
    const row = rows[2]!;
    assert.deepEqual([row.medianMs, row.minMs, row.maxMs, row.runs, row.failed], [1800, 1700, 2000, 3, 1]);
    assert.deepEqual(row.failures, ['run 2: 3 of 20 flags failed']);
    assert.deepEqual(row.samplesMs, [2000, 1800, 1700]);
  });

  it('gives the bound ceil(flags / in flight) × latency and efficiency = bound / median', () => {
    assert.deepEqual(
      rows.map((row) => row.boundMs),
      [6000, 6000, 1500],
    );
    assert.equal(rows[2]!.efficiency, 1500 / 1800);
  });

  it('measures speedup over sequential, and flags per second', () => {
    assert.equal(rows[0]!.speedup, 1);
    assert.equal(rows[2]!.speedup, 6100 / 1800);
    assert.equal(rows[2]!.flagsPerSecond, 20 / 1.8);
  });

  it('falls back to one thread as the baseline when sequential did not run', () => {
    const [one, four] = buildRows([threads(1), threads(4)], [[run(4000)], [run(1000)]], { flags: 20 });
    assert.equal(baselineOf([one!, four!])?.label, '1 thread');
    assert.equal(four!.speedup, 4);
  });

  it('has no bound without a fixed latency, and no figures when every run failed', () => {
    const [row] = buildRows([threads(2)], [[run(500, { failure: 'exit code 1' })]], { flags: 20 });
    assert.deepEqual([row!.medianMs, row!.boundMs, row!.efficiency, row!.speedup, row!.flagsPerSecond], [null, null, null, null, null]);
    assert.equal(row!.failed, 1);
  });

  it('takes worker figures from the reports, in threads mode only', () => {
    const report = { workersStarted: 3, workerStartupMs: 120 } as ChildRun['report'];
    const [pool, async] = buildRows(
      [threads(4), { mode: 'async', threads: 0, concurrency: 4, partition: 'dynamic' }],
      [[run(1000, { report }), run(1100, { report: { ...report!, workerStartupMs: 140 } })], [run(900, { report })]],
      { flags: 8 },
    );
    assert.deepEqual([pool!.workersStarted, pool!.workerStartupMs], [3, 130]);
    assert.deepEqual([async!.workersStarted, async!.workerStartupMs], [null, null]);
  });
});

describe('the table and its reading', () => {
  const ladder = [1, 2, 4, 8, 16, 20];
  const times = [6400, 3400, 1900, 1250, 950, 940];
  const rows = buildRows(
    ladder.map((count) => threads(count)),
    times.map((ms, index) => [
      run(ms, { peakRssBytes: (70 + 10 * ladder[index]!) * 2 ** 20, report: { workersStarted: ladder[index]!, workerStartupMs: 30 * ladder[index]! } as ChildRun['report'] }),
    ]),
    { flags: 20, latencyMs: 300 },
  );

  it('says where the gain stops and what the threads cost', () => {
    const [gain, cost] = readRows(rows, baselineOf(rows));
    assert.match(gain!, /The gain stops at 16 threads \(0\.95 s, 6\.7× faster than 1 thread\): 20 threads are only 1% faster\./);
    assert.match(cost!, /20 threads take 3\.1× the 0\.30 s that 20 requests in flight need/);
    assert.match(cost!, /starting the workers took 600 ms/);
    assert.match(cost!, /about 10\.0 MB per extra worker/);
  });

  it('compares async with the threads at the same requests in flight', () => {
    const async = buildRows([{ mode: 'async', threads: 0, concurrency: 20, partition: 'dynamic' }], [[run(470, { peakRssBytes: 60 * 2 ** 20 })]], { flags: 20 });
    const sentences = readRows([...rows, ...async], baselineOf(rows));
    assert.ok(
      sentences.some((sentence) => /async\) was 2\.0× faster than 20 threads \(0\.47 s against 0\.94 s\) in 60 MB against 270 MB/.test(sentence)),
      sentences.join('\n'),
    );
  });

  it('prints one line per row with the median and its range, and a partition column only when partitions differ', () => {
    const shape = compareTable(rows, '1 thread', true);
    const text = textTable(shape.columns, shape.cells);
    assert.equal(text.split('\n').length, 3 + rows.length, 'two header lines and a rule');
    assert.match(text, /speedup.*\n.*vs 1 thread/);
    assert.match(text.split('\n')[8]!, /^threads\s+20\s+20\s+0\.94 s \(0\.94-0\.94\)\s+6\.8×\s+21\.3\s+0\.30 s\s+32%\s+600 ms\s+270 MB$/);
    assert.ok(!shape.columns.some((column) => column.header === 'partition'));
    const chunks: CompareRow = { ...rows[5]!, partition: 'chunks' };
    assert.ok(compareTable([...rows, chunks], undefined).columns.some((column) => column.header === 'partition'));
  });

  it('marks failed runs in the time cell', () => {
    const failed = { ...rows[0]!, failed: 2 };
    assert.match(compareTable([failed], undefined).cells[0]!.join(' '), /\[2 failed\]/);
    const none = { ...rows[0]!, medianMs: null, minMs: null, maxMs: null, failed: 3 };
    assert.match(compareTable([none], undefined).cells[0]!.join(' '), /all 3 runs failed/);
  });
});

describe('the regime: waiting-bound or CPU-bound', () => {
  const async = (count: number): RunConfig => ({ mode: 'async', threads: 0, concurrency: count, partition: 'dynamic' });
  const rendered = (wallMs: number, renderMs: number) => run(wallMs, { report: { png: 640, renderMs } as RunReport });
  const configs = [async(1), async(2), async(4), threads(1), threads(2), threads(4)];

  it("CPU-bound: rendering takes most of a single thread's time, and the pool pays from 2 in flight on", () => {
    const wall = [3100, 2960, 2940, 3340, 1990, 2170];
    const rows = buildRows(
      configs,
      wall.map((ms) => [rendered(ms, 2200)]),
      { flags: 257 },
    );
    const sentences = readRows(rows, baselineOf(rows));
    assert.ok(
      sentences.includes(
        'The numbers show a CPU-bound run: on a single thread (the async rows), rendering took 73% of the time; as expected, threads beat async at the same requests in flight (1.49× at 2).',
      ),
      sentences.join('\n'),
    );
    assert.ok(
      sentences.includes(
        "Against async at the same requests in flight, threads start paying at 2 in flight and keep paying up to 4 (the pool's speed over async's: 0.93× at 1, 1.49× at 2, 1.35× at 4).",
      ),
      sentences.join('\n'),
    );
  });

  it('waiting-bound: the latency bound explains most of the time, and the pool never pays', () => {
    const wall = [6400, 3300, 1750, 6500, 3400, 1900];
    const rows = buildRows(
      configs,
      wall.map((ms) => [run(ms)]),
      { flags: 20, latencyMs: 300 },
    );
    const sentences = readRows(rows, baselineOf(rows));
    assert.ok(
      sentences.includes(
        'The numbers show a waiting-bound run: on a single thread (the async rows), the bound ceil(flags / in flight) × latency explains 92% of the time; as expected, threads did not beat async at the same requests in flight (at best 0.98× at 1).',
      ),
      sentences.join('\n'),
    );
    assert.ok(
      sentences.some((sentence) => sentence.startsWith("Against async at the same requests in flight, threads never paid (the pool's speed over async's: 0.98× at 1")),
      sentences.join('\n'),
    );
  });

  it('says where threads stop paying, and when neither waiting nor rendering explains the time', () => {
    const wall = [900, 900, 900, 800, 700, 950];
    const rows = buildRows(
      configs,
      wall.map((ms) => [rendered(ms, 200)]),
      { flags: 20 },
    );
    const sentences = readRows(rows, baselineOf(rows));
    assert.ok(
      sentences.includes('Neither waiting nor rendering explains most of the time on a single thread (the async rows: rendering 22%): start-up and per-request work do.'),
      sentences.join('\n'),
    );
    assert.ok(
      sentences.some((sentence) => sentence.startsWith('Against async at the same requests in flight, threads pay from 1 in flight and stop paying after 2')),
      sentences.join('\n'),
    );
  });

  it('shows the render time in its own column only when the runs rendered', () => {
    const [withPng] = buildRows([threads(2)], [[rendered(2000, 2410)]], { flags: 257 });
    const shape = compareTable([withPng!], undefined);
    const column = shape.columns.findIndex((column) => column.header === 'rendering\n(summed)');
    assert.equal(shape.cells[0]![column], '2.41 s');
    const [without] = buildRows([threads(2)], [[run(2000)]], { flags: 257 });
    assert.equal(without!.renderMs, null);
    assert.ok(!compareTable([without!], undefined).columns.some((column) => column.header.startsWith('rendering')));
  });

  it('draws the medians under the table, before the reading, when asked', () => {
    const rows = buildRows([async(2), threads(2)], [[run(3000)], [run(1500)]], { flags: 20 });
    const text = comparisonText({ rows, baseline: baselineOf(rows), chart: { width: 40, charset: 'ascii' } });
    assert.match(text, /\n\nMedian wall time:\nasync 2 {6}3\.00 s {2}#{19}\nthreads 2×1 {2}1\.50 s {2}#{10}\n\n/);
    assert.ok(!comparisonText({ rows, baseline: baselineOf(rows) }).includes('Median wall time'));
  });

  it("names each config's timeline file", () => {
    assert.deepEqual(
      [async(20), threads(4, 5), { mode: 'sequential', threads: 0, concurrency: 1, partition: 'dynamic' } as RunConfig].map((config) => configFileName(config, false)),
      ['async-20', 'threads-4x5', 'sequential'],
    );
    assert.equal(configFileName({ ...threads(2), partition: 'round-robin' }, true), 'threads-2x1-round-robin');
  });
});

describe('text tables', () => {
  const columns = [
    { header: 'name', align: 'left' },
    { header: 'ms', align: 'right' },
  ] as const;

  it('pads left and right aligned columns under a rule', () => {
    assert.equal(
      textTable(
        [...columns],
        [
          ['a', '5'],
          ['bbb', '120'],
        ],
      ),
      'name   ms\n────  ───\na       5\nbbb   120',
    );
  });

  it('writes Markdown with alignment and escaped pipes', () => {
    assert.equal(markdownTable([...columns], [['a|b', '5']]), '| name | ms |\n|:---|---:|\n| a\\|b | 5 |');
  });
});

describe('the noise of a run', () => {
  const async = (count: number): RunConfig => ({ mode: 'async', threads: 0, concurrency: count, partition: 'dynamic' });
  /** Three runs per config: the configs' min-max ranges are what the reading judges. */
  const three = (...times: number[][]) => times.map((walls) => walls.map((ms) => run(ms)));

  it('the same config measured twice reads "within the noise", calls neither faster, and suggests --repeat', () => {
    // As if one config ran with --repeat 3 against itself: three noisy runs each, ranges that overlap.
    const rows = buildRows([async(1), async(2), threads(1), threads(2)], three([1460, 2100, 2690], [1500, 1900, 2400], [1550, 2000, 2600], [1480, 2200, 2500]), {
      flags: 20,
      latencyMs: 50,
    });
    const sentences = readRows(rows, baselineOf(rows));
    const text = sentences.join('\n');
    assert.match(text, /The gain stops at 1 thread \(2\.00 s\): 2 threads are within the noise of this run\./);
    assert.match(text, /threads were within the noise of this run at every count: their min-max ranges overlap/);
    assert.match(text, /event loop alone \(async, 1\.50-2\.40 s\) and 2 threads \(1\.48-2\.50 s\) were within the noise of this run/);
    assert.match(text, /--repeat 6\) may tell the configs apart/);
    assert.doesNotMatch(text, /never paid|faster than|slower than/, text);
  });

  it('ranges apart are still read as faster or slower, and one run each says it has no range', () => {
    const rows = buildRows([async(2), threads(2)], three([3000, 3100, 3200], [1500, 1550, 1600]), { flags: 20 });
    const text = readRows(rows, baselineOf(rows)).join('\n');
    assert.match(text, /async\) was 2\.0× slower than 2 threads/);
    assert.doesNotMatch(text, /noise/);
    const once = buildRows([async(2), threads(2)], [[run(3000)], [run(1500)]], { flags: 20 });
    assert.match(readRows(once, baselineOf(once)).join('\n'), /Each config ran once, so nothing here shows how much its time varies: --repeat 3/);
  });

  it('a regime verdict names its evidence', () => {
    const rows = buildRows([async(1), async(2), threads(1), threads(2)], three([900, 910, 920], [800, 810, 820], [700, 710, 720], [400, 410, 420]), { flags: 20, latencyMs: 400 });
    const regime = readRows(rows, baselineOf(rows)).find((sentence) => sentence.startsWith('The numbers show'));
    assert.match(regime!, /explains \d+% of the time; yet threads beat async at the same requests in flight \(1\.98× at 2\)\.$/);
  });

  it('a last step up the ladder within the noise is not said to have paid', () => {
    const rows = buildRows([threads(1), threads(2), threads(4)], three([4000, 4100, 4200], [1900, 2000, 2300], [1700, 1750, 1950]), { flags: 20 });
    assert.match(
      readRows(rows, baselineOf(rows))[0]!,
      /^Every step up the ladder was faster, the last one within the noise of this run: 4 threads took 1\.75 s, 2\.3× faster than 1 thread\.$/,
    );
  });

  it('a time within 5% of the baseline is about as fast as it, not "1.0× slower"', () => {
    const sequential: RunConfig = { mode: 'sequential', threads: 0, concurrency: 1, partition: 'dynamic' };
    const rows = buildRows([sequential, threads(1), threads(2)], three([470, 470, 480], [570, 570, 580], [480, 480, 490]), { flags: 20 });
    const text = readRows(rows, baselineOf(rows)).join('\n');
    assert.match(text, /2 threads took 0\.48 s, about as fast as sequential\./, text);
    assert.doesNotMatch(text, /1\.0×/, text);
  });

  it('partitions whose ranges overlap are within the noise, not "the split decides"', () => {
    const chunks: RunConfig = { ...threads(2), partition: 'chunks' };
    const rows = buildRows([threads(2), chunks], three([1000, 1100, 1300], [1050, 1200, 1250]), { flags: 20 });
    const text = readRows(rows, baselineOf(rows)).join('\n');
    assert.match(text, /At 2 threads the partitions were within the noise of this run: dynamic 1\.10 s, chunks 1\.20 s\./);
    assert.doesNotMatch(text, /decides/);
  });

  it('a config stopped before any run finished is "not run", not a failure', () => {
    const [done, notRun] = buildRows([threads(1), threads(2)], [[run(1000)], []], { flags: 4 });
    assert.deepEqual([done!.runs, done!.notRun], [1, false]);
    assert.deepEqual([notRun!.runs, notRun!.failed, notRun!.notRun, notRun!.medianMs], [0, 0, true, null]);
    const shape = compareTable([done!, notRun!], '1 thread');
    assert.ok(shape.cells[1]!.includes('not run'), shape.cells[1]!.join(' | '));
    assert.doesNotMatch(shape.cells[1]!.join(' '), /failed/);
  });

  it('counts in the singular when there is one', () => {
    const [one] = buildRows([threads(1)], [[run(500, { failure: 'exit code 1' })]], { flags: 1 });
    assert.ok(compareTable([one!], undefined).cells[0]!.includes('its 1 run failed'));
    const text = comparisonText({ rows: [one!], baseline: undefined });
    assert.match(text, /\n1 failed run, left out of the times above:\n/);
    const [bound] = buildRows([threads(1)], [[run(500)]], { flags: 1, latencyMs: 300 });
    assert.match(readRows([bound!], undefined).join('\n'), /1 thread takes 1\.7× the 0\.30 s that 1 request in flight needs at this latency/);
  });
});

describe('text tables in blocks', () => {
  const columns = [
    { header: 'config', align: 'left' },
    { header: 'median wall\n(min-max)', align: 'right' },
    { header: 'flags/s', align: 'right' },
    { header: 'peak\nmemory', align: 'right' },
  ] as const;
  const rows = [
    ['threads 4', '1.23 s (1.20-1.30)', '16.3', '120 MB'],
    ['async 20', '0.95 s (0.90-1.00)', '21.1', '60 MB'],
  ];

  it('goes on in blocks under the width, each led by the key columns, no cell broken', () => {
    const text = textTable([...columns], rows, { width: 32, key: 1 });
    assert.equal(
      text,
      [
        '                  median wall',
        'config              (min-max)',
        '─────────  ──────────────────',
        'threads 4  1.23 s (1.20-1.30)',
        'async 20   0.95 s (0.90-1.00)',
        '',
        '                      peak',
        'config     flags/s  memory',
        '─────────  ───────  ──────',
        'threads 4     16.3  120 MB',
        'async 20      21.1   60 MB',
      ].join('\n'),
    );
    assert.equal(textTable([...columns], rows).split('\n').length, 5, 'one block when no width is given');
    assert.match(markdownTable([...columns], rows), /^\| config \| median wall \(min-max\) \| flags\/s \| peak memory \|/);
  });
});
