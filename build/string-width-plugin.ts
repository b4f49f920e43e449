import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'esbuild';

const oneColumn = fileURLToPath(new URL('./one-column.js', import.meta.url));

/** Marks the plugin's own look-up of the real module, which it must not answer again. */
const REAL = Symbol('the real string-width');

/**
 * string-width (yargs and its cliui bring two versions, cli-progress a third) creates an
 * Intl.Segmenter and compiles Unicode-property regexes as it loads: some 25 ms on the start of
 * every command, `--version` included, before any width is asked for. In the bundle each copy is
 * stood in for by a module that measures one-column text itself (all of our help) and runs the
 * real one, the first time it is needed, for anything else.
 */
export const lazyStringWidth: Plugin = {
  name: 'lazy-string-width',
  setup(build) {
    build.onResolve({ filter: /^string-width$/ }, async (args) => {
      if (args.pluginData === REAL) return undefined;
      const real = await build.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: REAL });
      if (real.errors.length > 0) return { errors: real.errors };
      return { path: real.path, namespace: 'lazy-string-width' };
    });
    build.onLoad({ filter: /.*/, namespace: 'lazy-string-width' }, (args) => ({
      // CommonJS, so that cli-progress's require() and yargs' import both get the function. The real
      // module is required, not imported: esbuild then runs its top level at the first call, not
      // when the bundle loads.
      contents: [
        `const { oneColumnWidth } = require(${JSON.stringify(oneColumn)});`,
        'let real;',
        'function stringWidth(text, options) {',
        `  return oneColumnWidth(text, options) ?? (real ??= require(${JSON.stringify(args.path)}).default)(text, options);`,
        '}',
        'module.exports = stringWidth;',
        'module.exports.default = stringWidth;',
      ].join('\n'),
      resolveDir: dirname(args.path),
      loader: 'js',
    }));
  },
};
