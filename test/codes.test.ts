import assert from 'node:assert/strict';
import { test } from 'node:test';
import { catalogue } from '../src/input/catalogue.js';
import { expandCodes, POPULOUS_20 } from '../src/input/codes.js';
import { OptionError } from '../src/errors.js';

test('no codes: the 20 most populous countries, in the book order, lower case', () => {
  assert.deepEqual(
    expandCodes({ args: [] }),
    POPULOUS_20.map((cc) => cc.toLowerCase()),
  );
  assert.equal(new Set(expandCodes({ args: [] })).size, 20);
});

test('codes are case-insensitive, de-duplicated and sorted; one letter stands for 26 codes', () => {
  assert.deepEqual(expandCodes({ args: ['US', 'br', 'Br'] }), ['br', 'us']);
  const b = expandCodes({ args: ['B'] });
  assert.equal(b.length, 26);
  assert.equal(b[0], 'ba');
  assert.equal(b[25], 'bz');
  assert.deepEqual(expandCodes({ args: ['b', 'BR'] }), b);
});

test('--every is AA..ZZ, --all the catalogue, --limit cuts', () => {
  const every = expandCodes({ args: [], every: true });
  assert.equal(every.length, 676);
  assert.equal(new Set(every).size, 676);
  assert.deepEqual([every[0], every.at(-1)], ['aa', 'zz']);
  assert.deepEqual(
    expandCodes({ args: [], all: true }),
    catalogue().map((country) => country.code),
  );
  assert.equal(catalogue().length, 257);
  assert.deepEqual(expandCodes({ args: [], every: true, limit: 3 }), ['aa', 'ab', 'ac']);
});

test('anything else is a usage error that names it', () => {
  for (const bad of ['abc', 'b1', '12', '../x', '', 'é', 'b r']) {
    assert.throws(
      () => expandCodes({ args: [bad] }),
      (error: Error) => error instanceof OptionError && error.option === 'codes' && error.message.includes(JSON.stringify(bad)),
      bad,
    );
  }
  assert.throws(() => expandCodes({ args: [], all: true, every: true }), { code: 'ERR_FLAGS_OPTION_CONFLICT', message: 'all and every exclude each other: choose one' });
  assert.throws(() => expandCodes({ args: ['br'], all: true }), { option: 'codes', message: 'codes (br) cannot be combined with all' });
});
