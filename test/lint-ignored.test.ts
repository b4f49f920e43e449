import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { copyFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { inTemp, runCli } from './helpers/fixtures.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** `npm run lint` in `folder`: the project's Biome with the config copied there. */
async function lint(folder: string): Promise<{ code: number | null; output: string }> {
  const child = spawn(join(root, 'node_modules', '.bin', 'biome'), ['check', '.'], { cwd: folder, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk));
  // 'close', not 'exit': the output may still be on its way when the process ends.
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, output };
}

test('lint passes after a run of `flags` (as npm start runs it) fills downloaded/, and fails on the same flag outside it', async () => {
  await inTemp(async (folder) => {
    await copyFile(join(root, 'biome.json'), join(folder, 'biome.json'));
    await copyFile(join(root, '.gitignore'), join(folder, '.gitignore'));
    const run = await runCli(['--server', 'local'], { cwd: folder });
    assert.equal(run.code, 0, run.stderr);
    const flags = await readdir(join(folder, 'downloaded'));
    assert.equal(flags.length, 20);

    const clean = await lint(folder);
    assert.equal(clean.code, 0, clean.output);

    // Biome lints SVG: only the ignore file keeps the downloaded flags out of the check.
    await copyFile(join(folder, 'downloaded', flags[0]!), join(folder, flags[0]!));
    const dirty = await lint(folder);
    assert.equal(dirty.code, 1, dirty.output);
    assert.match(dirty.output, new RegExp(`${flags[0]!.replace('.', '\\.')}`));
  });
});
