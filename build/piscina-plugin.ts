import { readFile } from 'node:fs/promises';
import type { Plugin } from 'esbuild';

/** Where Piscina's pool finds the harness its threads run: next to its own module, which the bundle leaves. */
const HARNESS = "(0, node_path_1.resolve)(__dirname, 'worker.js')";

/**
 * Piscina's pool is some 15 CommonJS files: loaded from node_modules, they cost the main thread
 * about 11 ms of every threads run, bundled about 6. Its threads still run its harness from
 * node_modules (dist/worker.js, beside its main module, found through the bundle's `require`, as
 * the package's exports name no other file). Should a new Piscina find it another way, the build
 * fails rather than the first run.
 */
export const bundledPiscina: Plugin = {
  name: 'bundled-piscina',
  setup(build) {
    build.onLoad({ filter: /[\\/]node_modules[\\/]piscina[\\/]dist[\\/]index\.js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      if (!source.includes(HARNESS)) return { errors: [{ text: `piscina: ${args.path} no longer finds its worker harness as ${HARNESS}` }] };
      return { contents: source.replace(HARNESS, "require('node:path').join(require('node:path').dirname(require.resolve('piscina')), 'worker.js')"), loader: 'js' };
    });
  },
};
