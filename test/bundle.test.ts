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
/** The modules outside the bundle that `outputs` import as they load, of those `names` matches. */
const eagerImports = (outputs: readonly string[], names: RegExp) =>
  outputs.flatMap((output) =>
    metafile.outputs[output]!.imports.filter(({ path, kind }) => kind === 'import-statement' && names.test(path)).map(({ path }) => `${output}: ${path}`),
  );

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
    assert.match(run(unbundled, ['--help'], ['--import', segmenterProbe]).stderr, /^segmenters: [1-9]/m);
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
    for (const output of withFetch) assert.deepEqual(eagerImports([output], /^(node:)?(https|tls|zlib)$/), [], output);
  });

  test('flags --version loads neither yargs nor an option schema nor a command', () => {
    const atStart = inputsOf(loadedWith('dist/bundle/cli.js'));
    for (const unwanted of ['node_modules/', 'dist/src/options/', 'dist/src/cli/commands/', 'dist/src/cli/yargs-main.js']) {
      assert.ok(!atStart.some((input) => input.startsWith(unwanted)), `${unwanted} loads with --version`);
    }
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    assert.deepEqual(run(cliPath, ['--version']), { code: 0, stdout: `${version}\n`, stderr: '' });
  });

  test('a plain download loads no proxy agent, https, tls, queue, progress bar or renderer: on the main thread nor in a worker', () => {
    const mainThread = ['dist/src/cli/commands/download-command.js', 'dist/src/schedule/strategies/threads.js', 'dist/src/schedule/strategies/async.js'].flatMap((input) =>
      loadedWith(outputHolding(input)),
    );
    const worker = loadedWith('dist/bundle/download-worker.js');
    for (const [where, outputs] of [
      ['main thread', mainThread],
      ['worker', worker],
    ] as const) {
      const inputs = inputsOf(outputs);
      for (const unwanted of [
        'node_modules/http-proxy-agent/',
        'node_modules/https-proxy-agent/',
        'node_modules/agent-base/',
        'node_modules/debug/',
        'node_modules/cli-progress/',
        'dist/src/fetch/proxy-agents.js',
        'dist/src/queue/connection.js',
        'dist/src/queue/work.js',
      ]) {
        assert.ok(!inputs.some((input) => input.startsWith(unwanted)), `${unwanted} loads on the ${where}`);
      }
      assert.deepEqual(eagerImports(outputs, /^(node:)?(https|tls|bullmq|ioredis|@resvg\/resvg-wasm)$/), [], where);
    }
    // The proxy agents are there, in a chunk of their own, for a run through a proxy.
    const proxyChunk = outputHolding('node_modules/https-proxy-agent/dist/index.js');
    assert.ok(!worker.includes(proxyChunk) && proxyChunk !== undefined);
  });

  test('a worker loads node:crypto only for a checksum or a random name, and loads node-fetch; piscina stays outside, next to its own thread harness', () => {
    const worker = loadedWith('dist/bundle/download-worker.js');
    assert.deepEqual(eagerImports(worker, /^(node:)?crypto$/), []);
    const inputs = inputsOf(worker);
    assert.ok(inputs.includes('lazy-crypto:node:crypto'));
    assert.ok(inputs.some((input) => input.startsWith('node_modules/node-fetch/')));
    assert.ok(!inputs.some((input) => input.startsWith('node_modules/piscina/')));
  });

  test("the pool's main side is in the bundle (15 files fewer to load), and none of the CLI's outputs imports piscina from node_modules", () => {
    const pool = loadedWith(outputHolding('dist/src/schedule/strategies/threads.js'));
    assert.ok(inputsOf(pool).includes('node_modules/piscina/dist/index.js'));
    const fromNodeModules = Object.entries(metafile.outputs).flatMap(([output, { imports }]) =>
      imports.filter(({ path }) => /^piscina/.test(path)).map(({ path }) => `${output}: ${path}`),
    );
    assert.deepEqual(fromNodeModules, []);
  });
});
