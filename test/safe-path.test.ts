import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, realpath, stat, symlink, writeFile } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { describe, test } from 'node:test';
import { fileNameFor, givenNameProblem } from '../src/input/file-names.js';
import { preparePathInside } from '../src/store/safe-path.js';
import { inTemp } from './helpers/fixtures.js';

/** A real-pathed `dest` and, beside it, an `outside` folder that nothing may touch. */
async function inDestAndOutside(use: (dest: string, outside: string) => Promise<void>): Promise<void> {
  await inTemp(async (folder) => {
    const root = await realpath(folder);
    const dest = join(root, 'dest');
    const outside = join(root, 'outside');
    await mkdir(dest);
    await mkdir(outside);
    await use(dest, outside);
    assert.deepEqual(await readdir(outside), [], 'something was made outside dest');
  });
}

const refused = (promise: Promise<unknown>, reason: RegExp) => assert.rejects(promise, (error: Error) => reason.test(error.message));

describe('preparing a path inside dest', () => {
  test('creates the missing folders and returns the absolute path', async () => {
    await inDestAndOutside(async (dest) => {
      const path = await preparePathInside(dest, 'h+8080/a b/€/c.jpg');
      assert.equal(path, join(dest, 'h+8080', 'a b', '€', 'c.jpg'));
      assert.ok((await stat(join(dest, 'h+8080', 'a b', '€'))).isDirectory());
      await writeFile(path, 'x');
      assert.equal(await preparePathInside(dest, 'h+8080/a b/€/c.jpg'), path, 'a second time, over an existing file');
      assert.equal(await preparePathInside(dest, 'top.jpg'), join(dest, 'top.jpg'));
    });
  });

  test('many downloads making the same folders at once', async () => {
    await inDestAndOutside(async (dest) => {
      const paths = await Promise.all(Array.from({ length: 20 }, (_, index) => preparePathInside(dest, `a/b/c/${index}.txt`)));
      assert.equal(new Set(paths).size, 20);
    });
  });

  test('refuses names that are not plain relative paths', async () => {
    await inDestAndOutside(async (dest, outside) => {
      for (const file of ['../outside/x', 'a/../../outside/x', '/etc/passwd', `${outside}/x`, 'a//b', './a', 'a/', '', 'a\\..\\..\\x', 'a\0b']) {
        await refused(preparePathInside(dest, file), /not a plain relative path inside the destination/);
      }
      assert.deepEqual(await readdir(dest), []);
    });
  });

  test('a symlinked folder inside dest that points out is refused, at any depth', async () => {
    await inDestAndOutside(async (dest, outside) => {
      await symlink(outside, join(dest, 'out'));
      await refused(preparePathInside(dest, 'out/x.jpg'), /out is a symlink that leads outside the destination/);
      await mkdir(join(dest, 'a'));
      await symlink('../../outside', join(dest, 'a', 'up'));
      await refused(preparePathInside(dest, 'a/up/b/x.jpg'), /a\/up is a symlink that leads outside the destination/);
    });
  });

  test('a symlink at the file name itself that points out is refused', async () => {
    await inDestAndOutside(async (dest, outside) => {
      await symlink(join(outside, 'victim'), join(dest, 'x.jpg'));
      await refused(preparePathInside(dest, 'x.jpg'), /x\.jpg is a symlink that leads outside/);
    });
  });

  test('a dangling symlink is refused: nothing proves where it leads', async () => {
    await inDestAndOutside(async (dest) => {
      await symlink(join(dest, 'not-yet'), join(dest, 'later'));
      await refused(preparePathInside(dest, 'later/x.jpg'), /later is a symlink that leads outside/);
    });
  });

  test('a symlink to a folder inside dest is followed', async () => {
    await inDestAndOutside(async (dest) => {
      await mkdir(join(dest, 'real'));
      await symlink('real', join(dest, 'alias'));
      const path = await preparePathInside(dest, 'alias/sub/x.jpg');
      await writeFile(path, 'through the alias');
      assert.equal(await readFile(join(dest, 'real', 'sub', 'x.jpg'), 'utf8'), 'through the alias');
    });
  });

  test('a file where a folder is needed, and a folder where the file goes, are refused', async () => {
    await inDestAndOutside(async (dest) => {
      await writeFile(join(dest, 'a'), 'a file');
      await refused(preparePathInside(dest, 'a/b.jpg'), /a exists and is not a folder/);
      await mkdir(join(dest, 'folder'));
      await refused(preparePathInside(dest, 'folder'), /folder is a folder/);
    });
  });

  test('no derived or accepted given name leads outside dest', async () => {
    await inDestAndOutside(async (dest) => {
      const urls = [
        'http://h/%2e%2e%2f%2e%2e%2foutside%2fx',
        'http://h/..%2F..%2Foutside/x',
        'http://h/a/%2e%2e/%2e%2e/%2e%2e/outside/x',
        'http://h/%2Fetc%2Fpasswd',
        'http://h/..%5c..%5coutside%5cx',
        'http://h/%2e%2e',
        'http://h:8080/../../x',
      ];
      const given = ['%2e%2e%2f%2e%2e%2foutside%2fx', '..x/y..', '...', 'a b/.hidden'];
      const files = [...urls.flatMap((url) => [fileNameFor(new URL(url), 'flat'), fileNameFor(new URL(url), 'tree')]), ...given.filter((name) => !givenNameProblem(name))];
      assert.equal(files.length, urls.length * 2 + given.length);
      for (const file of files) {
        const path = await preparePathInside(dest, file);
        assert.ok(path.startsWith(dest + sep), `${file} → ${path}`);
        await writeFile(path, file);
      }
    });
  });
});
