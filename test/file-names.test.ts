import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fileNameFor, givenNameProblem, type Layout, MAX_NAME_BYTES } from '../src/input/file-names.js';

const name = (url: string, layout: Layout = 'flat') => fileNameFor(new URL(url), layout);
const bytes = (text: string) => Buffer.byteLength(text);
/** True when the text has no lone surrogate, so it survives UTF-8 unchanged. */
const wholeCharacters = (text: string) => Buffer.from(text).toString() === text;

describe('flat names', () => {
  test('the last segment of the path, percent-decoded, without query or fragment', () => {
    assert.equal(name('http://h/a/b/photo.jpg?size=big#top'), 'photo.jpg');
    assert.equal(name('http://h/my%20file.txt'), 'my file.txt');
    assert.equal(name('http://h/été/naïve.png'), 'naïve.png');
    assert.equal(name('http://h/%E2%82%AC.csv'), '€.csv');
  });

  test('an empty name, `.` or `..` becomes index.html', () => {
    for (const url of ['http://h', 'http://h/', 'http://h/dir/', 'http://h/a/%2e%2e', 'http://h/a/.', 'http://h/?q=1']) {
      assert.equal(name(url), 'index.html', url);
    }
  });

  test('separators, NUL, controls and the characters Windows refuses become _', () => {
    assert.equal(name('http://h/a%2Fb%5Cc'), 'a_b_c');
    assert.equal(name('http://h/%2e%2e%2f%2e%2e%2fetc%2fpasswd'), '.._.._etc_passwd');
    assert.equal(name('http://h/nul%00and%01bell%07del%7F'), 'nul_and_bell_del_');
    assert.equal(name('http://h/a:b%3C%3E%22%7C%3F*.txt'), 'a_b______.txt');
  });

  test('a malformed escape stays as typed, around the ones that decode', () => {
    assert.equal(name('http://h/100%25.txt'), '100%.txt');
    assert.equal(name('http://h/bad%zz.txt'), 'bad%zz.txt');
    assert.equal(name('http://h/cut%E2%82.txt'), 'cut%E2%82.txt');
    assert.equal(name('http://h/%E2%82%AC%FF%C3%A9'), '€%FFé');
  });

  test('at most 255 bytes, cut between characters, the extension kept', () => {
    for (const character of ['a', 'é', '€', '😀']) {
      const cut = name(`http://h/${encodeURIComponent(character.repeat(300))}.jpg`);
      assert.ok(bytes(cut) <= MAX_NAME_BYTES && bytes(cut) > MAX_NAME_BYTES - bytes(character), `${character}: ${bytes(cut)} bytes`);
      assert.ok(cut.endsWith('.jpg'), cut);
      assert.ok(wholeCharacters(cut), `${character}: a character was split`);
    }
    const exact = `${'é'.repeat(125)}.jpg${'a'}`;
    assert.equal(bytes(exact), 255);
    assert.equal(name(`http://h/${encodeURIComponent(exact)}`), exact);
    const noExtension = name(`http://h/${'😀'.repeat(100)}`);
    assert.equal(bytes(noExtension), 252);
    assert.ok(wholeCharacters(noExtension));
  });
});

describe('tree names', () => {
  test('{host}/{path}, each segment decoded and made safe', () => {
    assert.equal(name('http://Example.COM/a/b/c.jpg?x=1', 'tree'), 'example.com/a/b/c.jpg');
    assert.equal(name('http://h/dir%20one/a%2Fb/%E2%82%AC.txt', 'tree'), 'h/dir one/a_b/€.txt');
    assert.equal(name('http://h/a/..%2f..%2fx', 'tree'), 'h/a/.._.._x');
    assert.equal(name('http://h/a//b', 'tree'), 'h/a/b');
  });

  test('a trailing slash or no path gives index.html', () => {
    assert.equal(name('http://h/dir/', 'tree'), 'h/dir/index.html');
    assert.equal(name('https://h', 'tree'), 'h/index.html');
  });

  test('a port other than the default follows the host after +', () => {
    assert.equal(name('http://h:8080/x', 'tree'), 'h+8080/x');
    assert.equal(name('https://h:443/x', 'tree'), 'h/x');
    assert.equal(name('http://h:443/x', 'tree'), 'h+443/x');
    assert.equal(name('http://[::1]:8080/x', 'tree'), '[__1]+8080/x');
  });
});

describe('given names', () => {
  test('relative paths are taken as typed', () => {
    for (const given of ['a.jpg', 'dir/a b.jpg', 'été/😀.png', '%2e%2e%2fx', '...', 'a'.repeat(255)]) {
      assert.equal(givenNameProblem(given), undefined, given);
    }
  });

  test('a name that would leave dest, or that no file system takes, is refused', () => {
    const cases: Array<[string, RegExp]> = [
      ['/etc/passwd', /absolute/],
      ['C:/x', /absolute/],
      ['../x', /'\.\.'/],
      ['a/../../b', /'\.\.'/],
      ['./a', /'\.'/],
      ['a//b', /empty/],
      ['a/', /empty/],
      ['a\\..\\..\\b', /'\\'/],
      ['a\u0000b', /control/],
      ['a\u001bb', /control/],
      [`${'é'.repeat(128)}`, /over 255 bytes/],
    ];
    for (const [given, reason] of cases) assert.match(givenNameProblem(given) ?? 'accepted', reason, JSON.stringify(given));
  });
});
