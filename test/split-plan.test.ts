import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MIN_PIECE_BYTES, planPieces } from '../src/fetch/split-download.js';
import type { Span } from '../src/types.js';

const MiB = 1024 * 1024;

/** Every byte of the holes once, in order, and nothing else. */
function assertCovers(pieces: Span[], gaps: Span[]) {
  const bytes = (spans: Span[]) => spans.reduce((sum, [start, end]) => sum + end - start, 0);
  assert.equal(bytes(pieces), bytes(gaps));
  for (const [index, [start, end]] of pieces.entries()) {
    assert.ok(start < end, `empty range ${start}-${end}`);
    if (index > 0) assert.ok(start >= pieces[index - 1]![1], `ranges out of order at ${start}`);
    assert.ok(
      gaps.some(([from, to]) => start >= from && end <= to),
      `range ${start}-${end} outside the holes`,
    );
  }
}

describe('planPieces: a split cut into ranges', () => {
  it('cuts a file into `split` equal ranges', () => {
    assert.deepEqual(planPieces([[0, 8 * MiB]], 4), [
      [0, 2 * MiB],
      [2 * MiB, 4 * MiB],
      [4 * MiB, 6 * MiB],
      [6 * MiB, 8 * MiB],
    ]);
  });

  it('makes no range under 1 MiB, nor a tail of a few bytes as a request of its own', () => {
    const gaps: Span[] = [[0, 4 * MiB + 1]];
    const pieces = planPieces(gaps, 8);
    assert.equal(pieces.length, 4);
    assertCovers(pieces, gaps);
    assert.ok(
      pieces.every(([start, end]) => end - start >= MIN_PIECE_BYTES),
      JSON.stringify(pieces),
    );
    assert.deepEqual(planPieces([[0, 2 * MiB - 1]], 8), [[0, 2 * MiB - 1]]);
  });

  it('cuts the holes of a resumed split into whole ranges, with no small tail to each', () => {
    const gaps: Span[] = [
      [300 * 1024, 16 * MiB],
      [16 * MiB + 300 * 1024, 32 * MiB],
      [40 * MiB, 40 * MiB + 4096],
    ];
    const pieces = planPieces(gaps, 8);
    assertCovers(pieces, gaps);
    assert.ok(pieces.length <= 8 + 1, `${pieces.length} ranges`);
    const size = Math.ceil((gaps[0]![1] - gaps[0]![0] + gaps[1]![1] - gaps[1]![0] + 4096) / 8);
    for (const [start, end] of pieces.filter(([start]) => start < 40 * MiB)) assert.ok(end - start >= size, `${end - start} bytes from ${start}, under ${size}`);
    // A hole smaller than a range is one range.
    assert.deepEqual(pieces.at(-1), [40 * MiB, 40 * MiB + 4096]);
  });
});
