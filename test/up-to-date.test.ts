import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { inTemp } from './helpers/fixtures.js';

/** build/up-to-date.mjs of this checkout: it runs uncompiled, before any build. */
const script = fileURLToPath(new URL('../../build/up-to-date.mjs', import.meta.url));

const upToDate = (folder: string) => spawnSync(process.execPath, [script, folder], { encoding: 'utf8' }).status;

test('npm start builds only when a source is newer than the bundle, or there is no bundle', () =>
  inTemp(async (folder) => {
    await mkdir(join(folder, 'src', 'compare'), { recursive: true });
    const source = join(folder, 'src', 'compare', 'table.ts');
    await writeFile(source, 'export {};\n');
    await writeFile(join(folder, 'package.json'), '{}\n');
    assert.equal(upToDate(folder), 1, 'no bundle: build');

    const bundle = join(folder, 'dist', 'bundle', 'cli.js');
    await mkdir(join(folder, 'dist', 'bundle'), { recursive: true });
    await writeFile(bundle, '');
    const then = new Date(Date.now() - 60_000);
    for (const path of [source, join(folder, 'src', 'compare'), join(folder, 'src'), join(folder, 'package.json')]) await utimes(path, then, then);
    assert.equal(upToDate(folder), 0, 'just built (as npm install leaves it): no second build');

    await utimes(source, new Date(), new Date(Date.now() + 1000));
    assert.equal(upToDate(folder), 1, 'a source edited since, deep in a folder: build');
  }));
