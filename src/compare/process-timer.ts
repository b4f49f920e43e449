import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import type { SignalRelay } from './signal-relay.js';

export interface ProcessTiming {
  /** From spawn to exit, measured here (GNU time's own figure has only 10 ms steps). */
  wallMs: number;
  /** The program's exit code, or 128 + the signal number when a signal ended it, as a shell reports it. */
  exitCode: number;
  stdout: string;
  /** The program's own stderr, without GNU time's line. */
  stderr: string;
  /** Largest resident set of the program, in KiB; only where GNU time is installed. */
  peakRssKb?: number;
  /** CPU time the program used, user plus system, in ms (10 ms steps); only where GNU time is installed. */
  cpuMs?: number;
}

export interface TimeOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Hands the program the signals we receive: it then runs in a process group of its own, out of the terminal's reach. */
  relay?: SignalRelay;
}

const GNU_TIME = '/usr/bin/time';
// Node cannot read a child's rusage, so GNU time reports it: peak RSS, user and system seconds.
// Its line goes last on stderr behind a newline of its own, because the program's stderr may not end in one.
const USAGE_MARKER = '__flags_usage=';
const USAGE_LINE = new RegExp(`\\n${USAGE_MARKER}(\\d+) (\\d+(?:\\.\\d+)?) (\\d+(?:\\.\\d+)?)\\n$`);

/** Runs a whole program to its end and reports its wall time, output and peak memory. */
export async function timeProcess(file: string, args: string[], opts: TimeOptions = {}): Promise<ProcessTiming> {
  const measured = existsSync(GNU_TIME);
  // -q: no "Command exited with non-zero status" line; the exit code says it.
  const [command, commandArgs] = measured ? [GNU_TIME, ['-q', '-f', `\\n${USAGE_MARKER}%M %U %S`, file, ...args]] : [file, args];

  const started = process.hrtime.bigint();
  const child = spawn(command, commandArgs, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'], detached: opts.relay !== undefined });
  opts.relay?.follow(child);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));

  // 'exit' stops the clock; 'close' waits until the output has been read too (and rejects on a failed spawn).
  let wallMs = 0;
  child.once('exit', () => (wallMs = Number(process.hrtime.bigint() - started) / 1e6));
  const [code, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
  const exitCode = code ?? 128 + (signal ? constants.signals[signal] : 0);
  const killed = signal !== null;

  // GNU time killed by a signal (a relayed SIGTERM) has written no figure.
  if (!measured || killed) return { wallMs, exitCode, stdout, stderr };
  const match = USAGE_LINE.exec(stderr);
  if (!match) throw new Error(`timeProcess: no memory and CPU figures from ${GNU_TIME}: ${stderr.trim()}`);
  stderr = stderr.slice(0, match.index);
  // GNU time answers a missing program with exit code 127; fail as spawn does without it.
  if (exitCode === 127 && stderr.startsWith(`${GNU_TIME}: cannot run `)) throw new Error(stderr.trim());
  return { wallMs, exitCode, stdout, stderr, peakRssKb: Number(match[1]), cpuMs: Math.round((Number(match[2]) + Number(match[3])) * 1000) };
}
