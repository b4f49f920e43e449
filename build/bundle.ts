import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions, type Metafile } from 'esbuild';
import { lazyBuiltins, lazyCrypto } from './lazy-builtins-plugin.js';
import { lazyStringWidth } from './string-width-plugin.js';
import { bundledPiscina } from './piscina-plugin.js';

/**
 * `npm run build`, after tsc: bundles tsc's output, so that the bundle runs the very modules the
 * tests import. Two builds into dist/bundle/: the CLI with the embedded server's thread, split at
 * their dynamic imports so that serve, compare, cli-progress and each strategy still load only
 * when asked for; and the pool's worker, loaded anew by every thread, split likewise so that a
 * thread loads the proxy agents (and https, tls) only for a run through a proxy.
 */
const dist = fileURLToPath(new URL('../', import.meta.url));
const outdir = join(dist, 'bundle');

const common: BuildOptions = {
  // The metafile names inputs from here: node_modules/…, dist/src/…
  absWorkingDir: join(dist, '..'),
  outdir,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  metafile: true,
  logLevel: 'warning',
  // Less to parse at every start (the names stay, for stack traces; the source maps lead back to src/).
  minifyWhitespace: true,
  minifySyntax: true,
  define: { FLAGS_BUNDLE: 'true' },
  external: [
    // The optional packages (package.json), each from node_modules as installed, where it may be missing.
    // The queue commands' (src/queue/): loaded only by them; BullMQ
    // also reads its Lua scripts and starts sandboxed processors from files beside its modules.
    'bullmq',
    'ioredis',
    // Loaded on demand by the render stage, a fresh copy for each renderer (src/render/resvg.ts).
    '@resvg/resvg-wasm',
    // fetch-blob's fallback for a Node without node:stream/web, which Node 20 has: never loaded.
    'web-streams-polyfill',
    'web-streams-polyfill/*',
  ],
  // The CommonJS packages (cli-progress, fetch-blob, yargs' parser) require() Node's modules.
  banner: { js: "import { createRequire as flagsCreateRequire } from 'node:module'; const require = flagsCreateRequire(import.meta.url);" },
};

const cli = await build({
  ...common,
  entryPoints: { cli: join(dist, 'src/cli/main.js'), 'server-thread': join(dist, 'src/server/server-thread.js') },
  splitting: true,
  plugins: [lazyStringWidth, lazyBuiltins, lazyCrypto, bundledPiscina],
});
const worker = await build({
  ...common,
  entryPoints: { 'download-worker': join(dist, 'workers/download-worker.js') },
  // The worker needs none of Piscina: its thread harness, which loads this file, is Piscina's own.
  external: [...common.external!, 'piscina'],
  splitting: true,
  plugins: [lazyBuiltins, lazyCrypto],
});

// What each output holds and imports, for the tests that check what loads when.
const metafile: Metafile = {
  inputs: { ...cli.metafile!.inputs, ...worker.metafile!.inputs },
  outputs: { ...cli.metafile!.outputs, ...worker.metafile!.outputs },
};
await writeFile(join(dist, 'bundle-meta.json'), JSON.stringify(metafile));
