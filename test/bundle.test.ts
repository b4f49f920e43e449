import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Metafile } from 'esbuild';
import { cliPath } from './helpers/fixtures.js';

/** tsc's output of the same CLI, module by module: what the bundle was made from. */
const unbundled = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const metafile = JSON.parse(readFileSync(new URL('../bundle-meta.json', import.meta.url), 'utf8')) as Metafile;

/** Counts the Intl.Segmenters a process creates: string-width makes one as it loads. */
const segmenterProbe = `data:text/javascript,${encodeURIComponent(`
  const Segmenter = Intl.Segmenter;
  let made = 0;
  Intl.Segmenter = class extends Segmenter { constructor(...args) { super(...args); made++; } };
  process.on('exit', () => process.stderr.write('segmenters: ' + made + '\\n'));
`)}`;

function run(cli: string, args: string[], nodeArgs: string[] = []) {
  const child = spawnSync(process.execPath, [...nodeArgs, cli, ...args], { encoding: 'utf8' });
  return { code: child.status, stdout: child.stdout, stderr: child.stderr };
}

/** The outputs a file loads before its first line runs: its static imports, followed through. */
function loadedWith(output: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const { path, kind } of metafile.outputs[file]!.imports) if (kind === 'import-statement' && path in metafile.outputs) visit(path);
  };
  visit(output);
  return [...seen];
}

const outputHolding = (input: string) => Object.keys(metafile.outputs).find((output) => metafile.outputs[output]!.inputs[input] !== undefined)!;
const inputsOf = (outputs: readonly string[]) => outputs.flatMap((output) => Object.keys(metafile.outputs[output]!.inputs));

describe('the bundle', () => {
  test('says what the unbundled CLI says: help, version, usage errors', () => {
    for (const args of [['--help'], ['serve', '--help'], ['compare', '--help'], ['--version'], ['--threads', '0'], ['--mode', 'fast'], ['B2']]) {
      assert.deepEqual(run(cliPath, args), run(unbundled, args), args.join(' '));
    }
  });

  test('--version and --help never load string-width: no Intl.Segmenter is made', () => {
    for (const args of [['--version'], ['--help'], ['compare', '--help']]) {
      assert.match(run(cliPath, args, ['--import', segmenterProbe]).stderr, /^segmenters: 0\n$/m, args.join(' '));
    }
    // The probe sees string-width where it does load.
    assert.match(run(unbundled, ['--version'], ['--import', segmenterProbe]).stderr, /^segmenters: [1-9]/m);
  });

  test('the CLI starts without node-fetch, cli-progress, the server or compare; the threads strategy adds no node-fetch', () => {
    const atStart = inputsOf(loadedWith('dist/bundle/cli.js'));
    for (const unwanted of ['node_modules/node-fetch/', 'node_modules/cli-progress/', 'dist/src/server/flag-server.js', 'dist/src/compare/comparison.js']) {
      assert.ok(!atStart.some((input) => input.startsWith(unwanted)), `${unwanted} loads at start`);
    }
    const threadsMode = inputsOf(loadedWith(outputHolding('dist/src/schedule/strategies/threads.js')));
    assert.ok(!threadsMode.some((input) => input.startsWith('node_modules/node-fetch/')), 'node-fetch loads with the threads strategy');
  });

  test('node-fetch loads https, tls and zlib only for a URL or a body that needs them', () => {
    const withFetch = Object.keys(metafile.outputs).filter((output) => inputsOf([output]).some((input) => input.startsWith('node_modules/node-fetch/')));
    assert.ok(withFetch.includes('dist/bundle/download-worker.js'));
    for (const output of withFetch) {
      const eager = metafile.outputs[output]!.imports.filter(({ path, kind }) => kind === 'import-statement' && /^node:(https|tls|zlib)$/.test(path));
      assert.deepEqual(eager, [], output);
    }
  });

  test('the worker is one file with node-fetch in it; piscina stays outside, next to its own thread harness', () => {
    const worker = 'dist/bundle/download-worker.js';
    assert.deepEqual(loadedWith(worker), [worker]);
    const inputs = inputsOf([worker]);
    assert.ok(inputs.some((input) => input.startsWith('node_modules/node-fetch/')));
    assert.ok(!inputs.some((input) => input.startsWith('node_modules/piscina/')));
  });
});
