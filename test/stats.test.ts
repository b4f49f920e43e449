import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { defaultLadder, efficiency, interleave, lowerBoundMs, median, medianOfPresent, summarize } from '../src/compare/stats.js';
import { countList } from '../src/options/checks.js';

describe('median', () => {
  it('takes the middle sample of an odd count, whatever the order', () => {
    assert.equal(median([9, 1, 5]), 5);
  });

  it('averages the two middle samples of an even count', () => {
    assert.equal(median([40, 10, 30, 20]), 25);
  });

  it('sorts numerically, not as text', () => {
    assert.equal(median([100, 9, 20]), 20);
  });

  it('leaves the caller’s array as it was', () => {
    const samples = [3, 1, 2];
    median(samples);
    assert.deepEqual(samples, [3, 1, 2]);
  });

  it('refuses no samples', () => {
    assert.throws(() => median([]), RangeError);
  });
});

describe('summarize', () => {
  it('gives median, extremes and count', () => {
    assert.deepEqual(summarize([120, 100, 300, 110]), { median: 115, min: 100, max: 300, n: 4 });
  });

  it('refuses no samples', () => {
    assert.throws(() => summarize([]), /no samples/);
  });
});

describe('lowerBoundMs', () => {
  it('counts full rounds of requests, the last one partly filled', () => {
    assert.equal(lowerBoundMs(20, 8, 100), 300);
    assert.equal(lowerBoundMs(20, 20, 100), 100);
    assert.equal(lowerBoundMs(20, 64, 100), 100);
    assert.equal(lowerBoundMs(20, 1, 50), 1000);
  });

  it('refuses fewer than one request in flight', () => {
    assert.throws(() => lowerBoundMs(20, 0, 100), /inFlight/);
  });
});

describe('efficiency', () => {
  it('is the bound over the measured time', () => {
    assert.equal(efficiency(300, 300), 1);
    assert.equal(efficiency(300, 600), 0.5);
  });

  it('refuses a measured time of zero', () => {
    assert.throws(() => efficiency(300, 0), RangeError);
  });
});

describe('thread counts (countList)', () => {
  const parseThreadList = (text: string) => countList(text, 'threads');

  it('reads comma-separated counts in the order given', () => {
    assert.deepEqual(parseThreadList('8,1,4'), [8, 1, 4]);
  });

  it('drops repeats, keeping the first', () => {
    assert.deepEqual(parseThreadList('1,2,1,4,2'), [1, 2, 4]);
  });

  it('allows spaces around items', () => {
    assert.deepEqual(parseThreadList(' 1, 2 ,16'), [1, 2, 16]);
  });

  for (const [text, bad] of [
    ['1,abc,4', 'abc'],
    ['1,0', '0'],
    ['-2', '-2'],
    ['1.5', '1.5'],
    ['1,,2', ''],
    ['', ''],
    ['1e3', '1e3'],
  ] as const) {
    it(`names the bad item in ${JSON.stringify(text)}`, () => {
      assert.throws(() => parseThreadList(text), {
        option: 'threads',
        message: `threads: ${JSON.stringify(bad)} is not a positive whole number`,
      });
    });
  }
});

describe('a thread list given as an array (the library)', () => {
  it('quotes a bad number as the number it is, and text as text', () => {
    assert.throws(() => countList([1, 0], 'threads'), { option: 'threads', message: 'threads: 0 is not a positive whole number' });
    assert.throws(() => countList([1.5], 'threads'), { message: 'threads: 1.5 is not a positive whole number' });
    assert.throws(() => countList(['2', 'x'], 'threads'), { message: 'threads: "x" is not a positive whole number' });
  });
});

describe('defaultLadder', () => {
  it('is just 1 for one flag', () => {
    assert.deepEqual(defaultLadder(1), [1]);
  });

  it('doubles and ends on the flag count when that is no power of two', () => {
    assert.deepEqual(defaultLadder(20), [1, 2, 4, 8, 16, 20]);
  });

  it('stops at the cap', () => {
    assert.deepEqual(defaultLadder(100), [1, 2, 4, 8, 16, 32, 64]);
    assert.deepEqual(defaultLadder(100, 48), [1, 2, 4, 8, 16, 32, 48]);
  });

  it('does not repeat a top that is a power of two', () => {
    assert.deepEqual(defaultLadder(16), [1, 2, 4, 8, 16]);
  });

  it('refuses no flags', () => {
    assert.throws(() => defaultLadder(0), RangeError);
  });
});

describe('interleave', () => {
  const configs = ['a', 'b', 'c', 'd', 'e'];
  const passes = (order: string[]) => Array.from({ length: order.length / configs.length }, (_, pass) => order.slice(pass * configs.length, (pass + 1) * configs.length));

  it('runs every config once per pass', () => {
    const order = interleave(configs, 5);
    assert.equal(order.length, 25);
    for (const pass of passes(order)) assert.deepEqual([...pass].sort(), configs);
  });

  it('orders each pass its own way, so that no config always comes first or follows the same one', () => {
    const order = passes(interleave(configs, 5));
    assert.ok(new Set(order.map((pass) => pass.join(''))).size > 1, `every pass in one order: ${order[0]}`);
    assert.ok(new Set(order.map((pass) => pass[0])).size > 1, `always first: ${order[0]![0]}`);
  });

  it('gives the same order on every call', () => {
    assert.deepEqual(interleave(configs, 5), interleave(configs, 5));
  });

  it('keeps configs that are arrays whole', () => {
    assert.deepEqual(
      interleave([[1, 2], [3]], 2)
        .map((config) => config.join())
        .sort(),
      ['1,2', '1,2', '3', '3'],
    );
  });

  it('gives nothing for no passes', () => {
    assert.deepEqual(interleave(['a'], 0), []);
  });

  it('refuses a fractional count', () => {
    assert.throws(() => interleave(['a'], 1.5), RangeError);
  });
});

describe('medianOfPresent', () => {
  it('takes the median of the figures there, skipping missing ones', () => {
    assert.equal(medianOfPresent([30, null, 10, undefined, 20]), 20);
  });

  it('is null when no figure is there', () => {
    assert.equal(medianOfPresent([null, undefined]), null);
    assert.equal(medianOfPresent([]), null);
  });
});
