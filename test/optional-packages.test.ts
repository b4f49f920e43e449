import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { RENDERER_LOADED } from '../src/render/resvg.js';
import { cliPath, inTemp } from './helpers/fixtures.js';

/** The packages a plain download must not load: package.json's optionalDependencies. */
const root = fileURLToPath(new URL('../../', import.meta.url));
const OPTIONAL = Object.keys((JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { optionalDependencies: Record<string, string> }).optionalDependencies);
const isOptional = (path: string) => OPTIONAL.some((name) => path === name || path.startsWith(`${name}/`));

/**
 * The packages `entry` (tsc's output) loads before its first line runs, and those it may load
 * later: its static imports followed through our modules, and the dynamic ones met on the way.
 */
async function packagesOf(entry: string): Promise<{ atStart: Set<string>; later: Set<string> }> {
  const { metafile } = await build({
    entryPoints: [join(root, entry)],
    absWorkingDir: root,
    bundle: true,
    write: false,
    packages: 'external',
    metafile: true,
    platform: 'node',
    format: 'esm',
    logLevel: 'silent',
  });
  const atStart = new Set<string>();
  const later = new Set<string>();
  const seen = new Set<string>();
  const visit = (input: string, eager: boolean) => {
    if (seen.has(`${eager} ${input}`)) return;
    seen.add(`${eager} ${input}`);
    for (const { path, kind, external } of (metafile as Metafile).inputs[input]!.imports) {
      const static_ = eager && kind === 'import-statement';
      if (external) (static_ ? atStart : later).add(path);
      else visit(path, static_);
    }
  };
  visit(entry, true);
  return { atStart, later };
}

/** The bundle's outputs, as build/bundle.ts records them. */
const bundleMeta = JSON.parse(readFileSync(join(root, 'dist/bundle-meta.json'), 'utf8')) as Metafile;

/** The external packages a bundle output imports before its first line runs, its static imports followed through. */
function bundleLoadsAtStart(output: string): string[] {
  const seen = new Set<string>();
  const packages: string[] = [];
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const { path, kind, external } of bundleMeta.outputs[file]!.imports) {
      if (kind !== 'import-statement') continue;
      if (external) packages.push(path);
      else visit(path);
    }
  };
  visit(output);
  return packages;
}

/**
 * A preload that records every module the main thread loads (not those it only resolves): ESM by a
 * load hook, CommonJS from the require cache at exit, and resvg, which loads in neither, by the
 * channel its loading is told on. One file per line in `log`.
 */
const HOOKS = `import { appendFileSync } from 'node:fs';
let log;
export function initialize(data) { log = data.log; }
export async function load(url, context, next) {
  appendFileSync(log, url + '\\n');
  return next(url, context);
}`;
const PRELOAD = (hooks: string) => `import { subscribe } from 'node:diagnostics_channel';
import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
register(${JSON.stringify(pathToFileURL(hooks).href)}, { data: { log: process.env.LOAD_LOG } });
const cache = createRequire(import.meta.url).cache;
subscribe(${JSON.stringify(RENDERER_LOADED)}, () => appendFileSync(process.env.LOAD_LOG, 'a renderer made from /node_modules/@resvg/resvg-wasm/\\n'));
process.on('exit', () => appendFileSync(process.env.LOAD_LOG, Object.keys(cache).join('\\n') + '\\n'));`;

/** The optional packages a run of `node ...args` loaded in its main thread, and whether it exited 0. */
async function loadedBy(folder: string, args: string[]): Promise<{ code: number | null; packages: string[]; stderr: string }> {
  const hooks = join(folder, 'hooks.mjs');
  const preload = join(folder, 'preload.mjs');
  const log = join(folder, `load-${Math.random().toString(36).slice(2)}.log`);
  await writeFile(hooks, HOOKS);
  await writeFile(preload, PRELOAD(hooks));
  await writeFile(log, '');
  const child = spawnSync(process.execPath, ['--import', pathToFileURL(preload).href, ...args], { cwd: folder, encoding: 'utf8', env: { ...process.env, LOAD_LOG: log } });
  const files = (await readFile(log, 'utf8')).split('\n');
  const packages = OPTIONAL.filter((name) => files.some((file) => file.includes(`/node_modules/${name}/`)));
  return { code: child.status, packages, stderr: child.stderr };
}

const LIBRARY_RUN = (png: boolean) => `import { download } from ${JSON.stringify(pathToFileURL(join(root, 'dist/src/index.js')).href)};
const run = download({ codes: ['br'], server: 'local', mode: 'async', dest: 'out'${png ? ', png: 64' : ''} });
if ((await run.report).ok !== 1) process.exit(1);`;

describe('optional packages (BullMQ, ioredis, resvg) load only when used', () => {
  test('package.json lists them as optionalDependencies, not dependencies', () => {
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    assert.deepEqual([...OPTIONAL].sort(), ['@resvg/resvg-wasm', 'bullmq', 'ioredis']);
    assert.deepEqual(Object.keys(manifest.dependencies).filter(isOptional), []);
  });

  test("neither the library, the unbundled CLI nor the pool's worker imports one as it loads; the queue imports BullMQ and ioredis when used", async () => {
    for (const entry of ['dist/src/index.js', 'dist/src/cli/main.js', 'dist/workers/download-worker.js']) {
      const { atStart } = await packagesOf(entry);
      assert.deepEqual([...atStart].filter(isOptional), [], `${entry} loads them at start`);
    }
    // The walk sees them where they are imported: it would see them eager too.
    const { later } = await packagesOf('dist/src/index.js');
    assert.deepEqual(
      ['bullmq', 'ioredis'].filter((name) => later.has(name)),
      ['bullmq', 'ioredis'],
    );
  });

  test("the bundle's CLI and worker import none as they load", () => {
    for (const output of ['dist/bundle/cli.js', 'dist/bundle/download-worker.js']) {
      assert.deepEqual(bundleLoadsAtStart(output).filter(isOptional), [], output);
    }
  });

  test('a plain download loads none of them, from the bundle, the unbundled CLI or the library; --png loads resvg, a queue command ioredis', { timeout: 60_000 }, () =>
    inTemp(async (folder) => {
      const plain = ['BR', '--server', 'local', '--mode', 'async', '--dest', 'out'];
      for (const cli of [cliPath, join(root, 'dist/src/cli/main.js')]) {
        const run = await loadedBy(folder, [cli, ...plain]);
        assert.deepEqual(run, { ...run, code: 0, packages: [] }, cli);
      }
      await writeFile(join(folder, 'plain.mjs'), LIBRARY_RUN(false));
      assert.deepEqual((await loadedBy(folder, ['plain.mjs'])).packages, []);
      // The probe sees them when they do load.
      const png = await loadedBy(folder, [cliPath, ...plain, '--png', '64']);
      assert.deepEqual(png, { ...png, code: 0, packages: ['@resvg/resvg-wasm'] });
      await writeFile(join(folder, 'png.mjs'), LIBRARY_RUN(true));
      assert.deepEqual((await loadedBy(folder, ['png.mjs'])).packages, ['@resvg/resvg-wasm']);
      const status = await loadedBy(folder, [cliPath, 'status', '--queue', 'redis://127.0.0.1:1/q']);
      assert.deepEqual(status, { ...status, code: 1, packages: ['ioredis'] });
    }),
  );
});
