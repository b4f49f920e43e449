import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, test } from 'node:test';
import { OptionError } from '../src/errors.js';
import { MAX_LINE_CHARS } from '../src/input/text-lines.js';
import { type ListOptions, readUrlList } from '../src/input/url-list.js';
import { inTemp } from './helpers/fixtures.js';

/** The items of `text` read as a list file from a real temp folder. */
async function fromFile(text: string | Buffer, options: ListOptions = { layout: 'flat' }) {
  return inTemp(async (folder) => {
    const list = join(folder, 'urls.txt');
    await writeFile(list, text);
    return readUrlList(list, options);
  });
}

/** The message of the OptionError that reading `text` ends in. */
async function refusal(text: string | Buffer, options: ListOptions = { layout: 'flat' }): Promise<string> {
  const error = await fromFile(text, options).then(
    (items) => assert.fail(`accepted: ${JSON.stringify(items)}`),
    (error: unknown) => error,
  );
  assert.ok(error instanceof OptionError, String(error));
  return error.message;
}

const MIXED_LIST = [
  '\uFEFF# photos of the trip',
  '',
  '   # an indented comment',
  'http://127.0.0.1:8080/photos/beach.jpg',
  '\t',
  'http://127.0.0.1:8080/photos/my%20dog.jpg   the dog, in full.jpg  ',
  'https://example.com/d%C3%A9j%C3%A0/vu.png?w=100&h=50#top',
  'http://example.com/été/naïve.txt\tnotes/naïve copy.txt',
  'http://example.com/data?id=7',
].join('\r\n');

const MIXED_ITEMS = [
  { url: 'http://127.0.0.1:8080/photos/beach.jpg', file: 'beach.jpg', line: 4 },
  { url: 'http://127.0.0.1:8080/photos/my%20dog.jpg', file: 'the dog, in full.jpg', line: 6 },
  { url: 'https://example.com/d%C3%A9j%C3%A0/vu.png?w=100&h=50', file: 'vu.png', line: 7 },
  { url: 'http://example.com/%C3%A9t%C3%A9/na%C3%AFve.txt', file: 'notes/naïve copy.txt', line: 8 },
  { url: 'http://example.com/data?id=7', file: 'data', line: 9 },
];

describe('reading a list', () => {
  test('comments, blank lines, CRLF, a BOM, names with spaces, %20, unicode and a query', async () => {
    assert.deepEqual(await fromFile(MIXED_LIST), MIXED_ITEMS);
  });

  test('standard input, in chunks cut inside a BOM, a character and a CRLF', async () => {
    const bytes = Buffer.from(MIXED_LIST);
    const cuts = [1, 2, 40, bytes.indexOf('\r') + 1, bytes.indexOf('ï') + 1, bytes.length - 3].sort((a, b) => a - b);
    const chunks = [0, ...cuts].map((start, index) => bytes.subarray(start, [...cuts, bytes.length][index]));
    assert.deepEqual(Buffer.concat(chunks), bytes);
    const items = await readUrlList('-', { layout: 'flat', stdin: Readable.from(chunks) });
    assert.deepEqual(items, MIXED_ITEMS);
  });

  test('a URL listed twice is one item, the first line; --limit counts after that', async () => {
    const list = ['http://h/a.jpg', 'http://H:80/a.jpg#again', 'http://h/b.jpg', 'http://h/a.jpg a.jpg', 'http://h/c.jpg'].join('\n');
    assert.deepEqual(
      (await fromFile(list)).map((item) => item.line),
      [1, 3, 5],
    );
    assert.deepEqual(
      (await fromFile(list, { layout: 'flat', limit: 2 })).map((item) => item.file),
      ['a.jpg', 'b.jpg'],
    );
  });

  test('a URL listed twice under two names is an error naming both lines', async () => {
    const message = await refusal('http://h/a.jpg\nhttp://h/b.jpg\nhttp://h/a.jpg other.jpg\n');
    assert.match(message, /line 1 and line 3 list http:\/\/h\/a\.jpg as two files: a\.jpg and other\.jpg/);
  });

  test('every bad line is reported with its number and reason', async () => {
    const lines = [
      'http://h/ok.jpg',
      'ftp://h/file.txt',
      'www.example.com/a.jpg',
      '/relative/path.jpg',
      'http://',
      'https://exa[mple.com/x',
      'http:/h/one-slash.jpg',
      'http://h/a.jpg /etc/passwd',
      'http://h/b.jpg ../outside.jpg',
      'http://h/c.jpg dir//c.jpg',
      'http://h/d.jpg dir\\d.jpg',
      `http://h/e.jpg ${'x'.repeat(256)}`,
      'http://h/f\u0001.jpg',
      'http://h/g.jpg g\u0007.jpg',
    ];
    const message = await refusal(lines.join('\n'));
    const reasons = [
      /line 2: "ftp:\/\/h\/file\.txt": the scheme ftp: is not http or https/,
      /line 3: "www\.example\.com\/a\.jpg" is not an absolute http:\/\/ or https:\/\/ URL/,
      /line 4: "\/relative\/path\.jpg" is not an absolute/,
      /line 5: "http:\/\/" is not a valid URL/,
      /line 6: "https:\/\/exa\[mple\.com\/x" is not a valid URL/,
      /line 7: "http:\/h\/one-slash\.jpg" is not an absolute/,
      /line 8: the name "\/etc\/passwd" is absolute/,
      /line 9: the name "\.\.\/outside\.jpg" has an empty, '\.' or '\.\.' segment/,
      /line 10: the name "dir\/\/c\.jpg" has an empty/,
      /line 11: the name "dir\\\\d\.jpg" holds a control character or '\\'/,
    ];
    for (const reason of reasons) assert.match(message, reason);
    assert.match(message, /^input .*urls\.txt: 13 problems, nothing downloaded:\n/);
    assert.match(message, /\n {2}and 3 more$/);
    assert.doesNotMatch(message, /line 1:|line 12:/);
  });

  test('the last three bad lines of that list, when they come first', async () => {
    const message = await refusal([`http://h/e.jpg ${'x'.repeat(256)}`, 'http://h/f\u0001.jpg', 'http://h/g.jpg g\u0007.jpg', 'http://h/ok.jpg'].join('\n'));
    assert.match(message, /line 1: the name "x{100}…" has a segment over 255 bytes/);
    assert.match(message, /line 2: a control character in the URL/);
    assert.match(message, /line 3: the name "g\\u0007\.jpg" holds a control character/);
    assert.match(message, /3 problems/);
    assert.doesNotMatch(message, /more/);
  });

  test('two URLs that would write one file: an error in flat layout, two folders in tree', async () => {
    const list = 'http://one.example/x.jpg\n#\nhttp://two.example/x.jpg\nhttp://two.example/y.jpg\n';
    assert.match(await refusal(list), /line 1 and line 3 both write x\.jpg \(give one a name, or use --layout tree\)/);
    assert.deepEqual(
      (await fromFile(list, { layout: 'tree' })).map((item) => item.file),
      ['one.example/x.jpg', 'two.example/x.jpg', 'two.example/y.jpg'],
    );
  });

  test('tree layout still refuses two URLs that differ only in the query, and a given name on another', async () => {
    assert.match(await refusal('http://h/x.jpg?v=1\nhttp://h/x.jpg?v=2\n', { layout: 'tree' }), /line 1 and line 2 both write h\/x\.jpg \(give one a name\)/);
    assert.match(await refusal('http://h/a.jpg b.jpg\nhttp://h/b.jpg\n'), /line 1 and line 2 both write b\.jpg/);
  });

  test('a file where another line needs a folder, in either order', async () => {
    assert.match(await refusal('http://h/a x\nhttp://h/b x/b.jpg\n'), /line 1 writes a file x, so line 2 cannot write x\/b\.jpg/);
    assert.match(await refusal('http://h/dir/\nhttp://h/dir\n', { layout: 'tree' }), /line 1 writes h\/dir\/index\.html, so line 2 cannot write a file h\/dir/);
  });

  test("with --sha256, no file may be its manifest; with --continue, none may be another's .part, .part.json or .part.lock", async () => {
    assert.match(
      await refusal('http://h/ubuntu.iso\nhttp://h/SHA256SUMS\n', { layout: 'flat', sums: true }),
      /line 2 writes SHA256SUMS, where --sha256 writes its manifest \(give it another name\)/,
    );
    assert.equal((await fromFile('http://h/SHA256SUMS\n', { layout: 'flat' })).length, 1);
    // A folder's SHA256SUMS is a file like any other: the manifest is dest's own.
    assert.equal((await fromFile('http://h/rel/SHA256SUMS\n', { layout: 'tree', sums: true })).length, 1);
    for (const suffix of ['.part', '.part.json', '.part.lock']) {
      const escaped = suffix.replaceAll('.', '\\.');
      assert.match(
        await refusal(`http://h/x\nhttp://h/a.txt x${suffix}\n`, { layout: 'flat', parts: true }),
        new RegExp(`line 1 writes x, whose ${escaped} --continue keeps beside it, so line 2 cannot write x${escaped}`),
      );
      assert.match(
        await refusal(`http://h/a.txt x${suffix}\nhttp://h/x\n`, { layout: 'flat', parts: true }),
        new RegExp(`line 1 writes x${escaped}, the ${escaped} that --continue keeps for line 2's x`),
      );
      assert.equal((await fromFile(`http://h/x\nhttp://h/a.txt x${suffix}\n`, { layout: 'flat' })).length, 2);
    }
  });

  test('lines ended by CR alone: the problem named, not a name made of the next URL', async () => {
    assert.match(await refusal('http://h/a.txt\rhttp://h/sub/a.txt b.txt\r'), /line 1: a carriage return inside the line: lines ended by CR alone\? End them with LF or CRLF/);
  });

  test('a line that is not UTF-8', async () => {
    const latin1 = Buffer.concat([Buffer.from('http://h/ok.jpg\nhttp://h/caf'), Buffer.from([0xe9]), Buffer.from('.jpg\n')]);
    assert.match(await refusal(latin1), /line 2: not UTF-8 text/);
  });

  test('a list that cannot be read, has no URL, or holds a line too long for a URL', async () => {
    await inTemp(async (folder) => {
      await assert.rejects(
        readUrlList(join(folder, 'missing.txt'), { layout: 'flat' }),
        (error) => error instanceof OptionError && /missing\.txt: cannot read it \(ENOENT\)/.test(error.message),
      );
      await mkdir(join(folder, 'dir'));
      await assert.rejects(readUrlList(join(folder, 'dir'), { layout: 'flat' }), (error) => error instanceof OptionError && /cannot read it \(EISDIR\)/.test(error.message));
    });
    assert.match(await refusal('# only a comment\n\n'), /: no URL in it$/);
    assert.match(await refusal(`http://h/a.jpg\n${'x'.repeat(MAX_LINE_CHARS * 3)}`), /cannot read it \(line 2 is longer than 65536 characters\)/);
  });
});
