import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expandCodes } from '../src/input/codes.js';
import { chunks, WorkQueue, queuesFor, roundRobin } from '../src/schedule/partition.js';

const lists = [0, 1, 5, 20, 257, 676].map((n) => expandCodes({ args: [], every: true }).slice(0, n));

for (const [name, split] of [
  ['chunks', chunks],
  ['round-robin', roundRobin],
] as const) {
  test(`${name}: every code lands in exactly one part, and the sizes differ by at most one`, () => {
    for (const codes of lists) {
      for (const parts of [1, 2, 3, 7, 8, 20, 64]) {
        const split_ = split(codes, parts);
        assert.equal(split_.length, parts);
        assert.deepEqual(split_.flat().sort(), [...codes].sort(), `${codes.length} codes in ${parts}`);
        const sizes = split_.map((part) => part.length);
        assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `sizes ${sizes.join(',')}`);
      }
    }
  });
}

test('chunks are contiguous; round-robin deals in turn', () => {
  assert.deepEqual(chunks(['a', 'b', 'c', 'd', 'e'], 2), [
    ['a', 'b', 'c'],
    ['d', 'e'],
  ]);
  assert.deepEqual(roundRobin(['a', 'b', 'c', 'd', 'e'], 2), [
    ['a', 'c', 'e'],
    ['b', 'd'],
  ]);
});

test('dynamic: one queue shared by every task, so whoever asks first gets the next code', () => {
  const queues = queuesFor(['a', 'b', 'c'], 3, 'dynamic');
  assert.equal(new Set(queues).size, 1);
  assert.deepEqual([queues[2]!.take(), queues[0]!.take(), queues[1]!.take(), queues[0]!.take()], ['a', 'b', 'c', undefined]);
  const fixed = queuesFor(['a', 'b', 'c', 'd'], 2, 'round-robin');
  assert.deepEqual(
    fixed.map((queue) => queue.drain()),
    [
      ['a', 'c'],
      ['b', 'd'],
    ],
  );
});

test('a queue gives codes in order, and codes put back come first', () => {
  const queue = new WorkQueue(['a', 'b', 'c']);
  assert.equal(queue.take(), 'a');
  queue.putBack(['x', 'y']);
  assert.equal(queue.size, 4);
  assert.deepEqual(queue.drain(), ['x', 'y', 'b', 'c']);
  assert.equal(queue.take(), undefined);
});

test('takeFirst takes the first item that fits, out of turn, and leaves the rest in order', () => {
  const queue = new WorkQueue(['a1', 'a2', 'b1', 'a3', 'b2']);
  assert.equal(
    queue.takeFirst((work) => work.startsWith('b')),
    'b1',
  );
  assert.equal(
    queue.takeFirst((work) => work.startsWith('c')),
    undefined,
  );
  assert.deepEqual(queue.drain(), ['a1', 'a2', 'a3', 'b2']);
});
