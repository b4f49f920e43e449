import type { Plugin } from 'esbuild';

/**
 * node-fetch imports https (and with it tls) and zlib as it loads, for https URLs and compressed
 * bodies. A plain-http run needs neither, yet each worker thread would pay for them: about 0.9 MB
 * and a few milliseconds of its start. In the bundle node-fetch gets, for each, a stand-in that
 * loads the module at its first use. Only a default import can be stood in for: a named one would
 * fail the build, not a run.
 */
export const lazyBuiltins: Plugin = {
  name: 'lazy-builtins',
  setup(build) {
    build.onResolve({ filter: /^node:(https|zlib)$/ }, (args) =>
      /[\\/]node_modules[\\/]node-fetch[\\/]/.test(args.importer) ? { path: args.path, namespace: 'lazy-builtin' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, (args) => ({
      contents: ['let real;', `export default new Proxy({}, { get: (_, key) => (real ??= process.getBuiltinModule(${JSON.stringify(args.path)}))[key] });`].join('\n'),
      loader: 'js',
    }));
  },
};

/** node:crypto's functions, those a named import may take from the stand-in. */
const CRYPTO_FUNCTIONS = Object.entries(await import('node:crypto'))
  .filter(([name, value]) => typeof value === 'function' && !/^[A-Z]/.test(name))
  .map(([name]) => name);

/**
 * The store (src/store/) imports node:crypto for checksums (`--sha256`, `--checksums`) and for a random
 * name when one is taken: a plain download calls neither, yet loading it costs each worker thread
 * a few milliseconds of its start. They get a stand-in whose functions load node:crypto at the
 * first call. Only a function can be stood in for: a class or a constant fails the build.
 */
export const lazyCrypto: Plugin = {
  name: 'lazy-crypto',
  setup(build) {
    build.onResolve({ filter: /^node:crypto$/ }, (args) => (/[\\/]dist[\\/]src[\\/]store[\\/]/.test(args.importer) ? { path: args.path, namespace: 'lazy-crypto' } : undefined));
    build.onLoad({ filter: /.*/, namespace: 'lazy-crypto' }, () => ({
      contents: [
        'let real;',
        "const crypto = () => (real ??= process.getBuiltinModule('node:crypto'));",
        ...CRYPTO_FUNCTIONS.map((name) => `export function ${name}(...args) { return crypto().${name}(...args); }`),
      ].join('\n'),
      loader: 'js',
    }));
  },
};
