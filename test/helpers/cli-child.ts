import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import { cliPath, readingEnv } from './fixtures.js';

export interface Started {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** The exit, or a failure (and SIGKILL) when it takes longer than `guardMs`: a hang guard, not a timing. */
  exited(guardMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** The real CLI as a child process, left running for the test to signal. */
export function startCli(args: string[], env: NodeJS.ProcessEnv = process.env): Started {
  const child = spawn(process.execPath, [cliPath, ...args], { env: readingEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk));
  const exit = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    async exited(guardMs = 120_000) {
      // Unref'd: a guard outliving the exit would keep the test process up to its end (two minutes a run).
      const late = delay(guardMs, undefined, { ref: false }).then(() => undefined);
      const ended = await Promise.race([exit, late]);
      if (ended === undefined) {
        child.kill('SIGKILL');
        assert.fail(`still running ${guardMs} ms later; stderr: ${stderr}`);
      }
      return { code: ended[0], signal: ended[1] };
    },
  };
}

/** Waits until `check` holds, polling every `pollMs`; fails naming `what` past the guard. */
export async function until(what: string, check: () => boolean | Promise<boolean>, guardMs = 30_000, pollMs = 2): Promise<void> {
  const guard = Date.now() + guardMs;
  while (!(await check())) {
    if (Date.now() > guard) assert.fail(`gave up waiting: ${what}`);
    await delay(pollMs);
  }
}
