import { fileURLToPath } from 'node:url';

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
