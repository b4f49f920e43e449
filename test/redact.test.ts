import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { redact, redactAll } from '../src/report/redact.js';

describe('redact', () => {
  test('gives text with nothing to redact back as it is', () => {
    for (const text of ['http://127.0.0.1:8001/flags/br/br.svg', 'HTTP 500 Internal Server Error', 'x-user: mail', '']) assert.equal(redact(text), text);
  });

  test('hides user info and credential headers whatever their case', () => {
    assert.equal(redact('GET http://user:pw@host/a and https://token@other/b'), 'GET http://***@host/a and https://***@other/b');
    assert.equal(redact('-H AUTHORIZATION: Bearer secret'), '-H AUTHORIZATION: ***');
    assert.equal(redact('Proxy-Authorization:Basic abc'), 'Proxy-Authorization:***');
    assert.equal(redact('cookie: a=1'), 'cookie: ***');
    assert.equal(redact('mail me at someone@example.com'), 'mail me at someone@example.com');
  });

  test('redacts every string of a result, and keeps what is not a string', () => {
    const result = { url: 'http://u:p@h/x', bytes: 3, error: undefined, list: ['Cookie: c', 'plain'] };
    assert.deepEqual(redactAll(result), { url: 'http://***@h/x', bytes: 3, error: undefined, list: ['Cookie: ***', 'plain'] });
  });
});
