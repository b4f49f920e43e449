import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { splitsOf } from '../bench/configs.js';
import { fitLine } from '../bench/fit.js';
import type { BenchRow } from '../bench/rows.js';
import { ratioTarget } from '../bench/targets.js';
import { timeTable } from '../bench/time-table.js';
import { workFor } from '../bench/work.js';

const ms = (value: number) => `${value} ms`;

describe('bench targets', () => {
  it('passes at or under the limit and says how much room is left', () => {
    const target = ratioTarget('seed', 't', 1.75, { label: 'flags', value: 500 }, { label: 'wget2', value: 320 }, ms);
    assert.equal(target.measured, 'flags 500 ms vs wget2 320 ms: 1.56×');
    assert.equal(target.verdict, 'PASS (11% under the limit)');
  });

  it('misses over the limit and says by how much', () => {
    const target = ratioTarget('hundreds', 't', 1.1, { label: 'flags', value: 4770 }, { label: 'the bound', value: 3900 }, ms);
    assert.equal(target.ratio, 4770 / 3900);
    assert.equal(target.verdict, 'MISS (11% over the limit)');
  });

  it('skips a target whose figure is missing, naming it', () => {
    const target = ratioTarget('seed', 't', 1, { label: 'flags', value: 600 }, { label: 'curl', value: null }, ms);
    assert.deepEqual([target.ratio, target.verdict], [null, 'SKIP: no figure for curl']);
  });
});

describe('bench helpers', () => {
  it('fits the cost of one more worker as the slope of a least-squares line', () => {
    const { slope, intercept } = fitLine([1, 4, 16, 64].map((x) => ({ x, y: 60 + 9 * x })));
    assert.ok(Math.abs(slope - 9) < 1e-9 && Math.abs(intercept - 60) < 1e-9);
    assert.throws(() => fitLine([{ x: 2, y: 1 }]), RangeError);
  });

  it('splits 20 requests in flight every way into threads × requests', () => {
    assert.deepEqual(
      splitsOf(20).map((config) => `${config.threads}×${config.concurrency}`),
      ['1×20', '2×10', '4×5', '5×4', '10×2', '20×1'],
    );
  });

  it('knows which codes a correct client saves: those the catalogue has', () => {
    const work = workFor('http://127.0.0.1:1/flags', { args: [], every: true, limit: 30 });
    assert.equal(work.codes.length, 30);
    assert.deepEqual(work.selection, ['--every', '--limit', '30']);
    assert.ok(work.expected.has('ad') && !work.expected.has('aa'));
  });

  it('sets each row beside the reference program at the same load and work', () => {
    const row = (client: string, program: string, inFlight: number, medianMs: number): BenchRow => ({
      client,
      program,
      series: program,
      mode: null,
      threads: null,
      concurrency: null,
      inFlight,
      flags: 20,
      runs: 5,
      failed: 0,
      failures: [],
      medianMs,
      minMs: medianMs,
      maxMs: medianMs,
      samplesMs: [medianMs],
      boundMs: null,
      efficiency: null,
      peakRssBytes: null,
      cpuMs: null,
      workersStarted: null,
      workerStartupMs: null,
    });
    const table = timeTable([row('flags 20', 'flags', 20, 640), row('wget2 4', 'wget2', 4, 1500), row('wget2 20', 'wget2', 20, 320)], 'wget2');
    assert.deepEqual(
      table.cells.map((cells) => [cells[0], cells[6]]),
      [
        ['wget2 4', '1.00×'],
        ['flags 20', '2.00×'],
        ['wget2 20', '1.00×'],
      ],
    );
  });
});
