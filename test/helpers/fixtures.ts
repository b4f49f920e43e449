import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { flagIconsSvgDir } from '../../src/input/catalogue.js';
import { cliPath } from '../../src/paths.js';
import { startFlagServer, type FlagServer } from '../../src/server/flag-server.js';
import { type ServerProfile, serverOptions } from '../../src/server/server-options.js';
import type { RunReport } from '../../src/types.js';

/** The bin, as users run it: the bundle. */
export { cliPath };

/** A fresh temporary folder, removed by the returned function. */
export async function tempFolder(): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'flags-test-'));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** `use` with a fresh temporary folder, removed afterwards whatever happens. */
export async function inTemp<T>(use: (folder: string) => Promise<T>): Promise<T> {
  const folder = await tempFolder();
  try {
    return await use(folder.path);
  } finally {
    await folder.remove();
  }
}

/** A real flag server on loopback for the length of `use`. */
export async function withServer<T>(profile: ServerProfile, overrides: Parameters<typeof serverOptions>[1], use: (server: FlagServer) => Promise<T>): Promise<T> {
  const server = await startFlagServer(serverOptions(profile, overrides));
  try {
    return await use(server);
  } finally {
    await server.close();
  }
}

export const sourceFlag = (cc: string) => readFile(join(flagIconsSvgDir, `${cc}.svg`));

/** A test CA, and a key and certificate it signed for 127.0.0.1 and localhost (test/fixtures/tls/README.md). */
export async function testTls(): Promise<{ ca: string; key: string; cert: string }> {
  // Read from the source tree: tsc copies no PEM files to dist/.
  const pem = (name: string) => readFile(new URL(`../../../test/fixtures/tls/${name}.pem`, import.meta.url), 'utf8');
  const [ca, key, cert] = await Promise.all([pem('ca'), pem('server-key'), pem('server-cert')]);
  return { ca, key, cert };
}

/** Every file of a folder, hidden ones (temporary files) included. */
export const filesIn = (folder: string) => readdir(folder).catch(() => [] as string[]);

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * The environment of a CLI run whose output a test reads line by line: a width no line reaches, so
 * that nothing wraps (piped, the CLI wraps at 80). How lines fit a width has tests of its own; a
 * test that sets COLUMNS keeps it.
 */
export const readingEnv = (env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv => ({ COLUMNS: '1000', ...env });

/** Runs the real CLI as a child process, in this process's environment unless given one; `onStdout` may signal it. */
export async function runCli(
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; onStdout?: (text: string, child: ReturnType<typeof spawn>) => void } = {},
): Promise<CliRun> {
  const child = spawn(process.execPath, [cliPath, ...args], { cwd: options.cwd, env: readingEnv(options.env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk;
    options.onStdout?.(stdout, child);
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  return { code, signal, stdout, stderr };
}

export const parseReport = (run: CliRun) => JSON.parse(run.stdout) as RunReport;
