import { fileURLToPath } from 'node:url';
import { MissingPackageError } from './errors.js';

// Defined as true by the bundle (build/bundle.ts); tsc's build never defines it.
declare const FLAGS_BUNDLE: boolean | undefined;

/**
 * The program's own files, from whichever build is running. tsc's keeps the source tree's shape
 * under dist/ (this module is dist/src/paths.js); the bundle puts every file side by side in
 * dist/bundle/ (this module is inlined in one of them), so one relative path cannot serve both.
 */
const bundled = typeof FLAGS_BUNDLE !== 'undefined' && FLAGS_BUNDLE;
const own = (fromTsc: string, fromBundle: string) => new URL(bundled ? fromBundle : fromTsc, import.meta.url);

/** The pool's worker: what Piscina loads in every thread. */
export const downloadWorker = own('../workers/download-worker.js', './download-worker.js').href;

/** The embedded server's thread. */
export const serverThread = own('./server/server-thread.js', './server-thread.js');

/** Ours, not the working folder's: both builds lie two levels below the package. */
export const packageJson = own('../../package.json', '../../package.json');

/**
 * The bin, as a user runs it, for the runs `flags compare`, the bench and the tests time: the
 * bundle, from either build, so that its start-up is what gets measured.
 */
export const cliPath = fileURLToPath(own('../bundle/cli.js', './cli.js'));

/** The optionalDependencies of package.json: loaded only by the features that need them, which a plain download does not. */
export type OptionalPackage = 'bullmq' | 'ioredis' | '@resvg/resvg-wasm';

/**
 * Throws MissingPackageError, naming each of `names` that does not resolve from this build as its
 * import will: checked before the work that needs them starts, so that a missing one is one clear
 * error, not a stack trace or a failure per item.
 */
export function checkInstalled(names: readonly OptionalPackage[], neededBy: string): void {
  const missing = names.filter((name) => {
    try {
      import.meta.resolve(name);
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length > 0) throw new MissingPackageError(missing, neededBy);
}
