import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { grouped, plural } from '../src/report/plural.js';

describe('plural', () => {
  test('groups digits as toLocaleString("en-US") does', () => {
    for (const count of [0, 1, 12, 999, 1000, 12_345, 123_456, 1_234_567, -1000, -999_999, Number.MAX_SAFE_INTEGER, 1.5, 1234.5]) {
      assert.equal(grouped(count), count.toLocaleString('en-US'), String(count));
    }
  });

  test('says one without an s, any other count with it', () => {
    assert.equal(plural(1, 'run'), '1 run');
    assert.equal(plural(0, 'run'), '0 runs');
    assert.equal(plural(100_000, 'job'), '100,000 jobs');
  });
});
