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
