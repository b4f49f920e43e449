import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { cliPath } from '../paths.js';
import type { RunReport } from '../types.js';
import { plural } from '../report/plural.js';
import { timeProcess } from './process-timer.js';
import type { SignalRelay } from './signal-relay.js';

/** One whole-process run of the CLI. */
export interface ChildRun {
  /** From spawn to exit: Node's start, imports, the workers, the downloads and the way out. */
  wallMs: number;
  report?: RunReport;
  /** Peak resident set of the child, from GNU time where installed, else from its own report. */
  peakRssBytes?: number;
  /** CPU time of the child, user plus system, from GNU time where installed. */
  cpuMs?: number;
  /** Why the run does not count: a non-zero exit, a missing report, a flag that ended in error. */
  failure?: string;
}

/**
 * Runs `flags <args> --json --dest <fresh folder>` to its end and removes the folder after it,
 * so that no run finds files of an earlier one and nothing is left behind. `relay`: the signals
 * we receive go to the run. `cli`: another build's bin (the bench's --baseline).
 */
export async function runFlagsChild(args: readonly string[], tempRoot: string, relay?: SignalRelay, cli = cliPath): Promise<ChildRun> {
  const dest = await mkdtemp(join(tempRoot, 'run-'));
  try {
    const timing = await timeProcess(process.execPath, [cli, ...args, '--json', '--dest', dest], { relay });
    const report = parseReport(timing.stdout);
    const peakRssBytes = timing.peakRssKb !== undefined ? timing.peakRssKb * 1024 : report?.peakRssBytes;
    const failure = judge(timing.exitCode, report, timing.stderr);
    return {
      wallMs: Math.round(timing.wallMs),
      report,
      peakRssBytes,
      ...(timing.cpuMs === undefined ? {} : { cpuMs: timing.cpuMs }),
      ...(failure === undefined ? {} : { failure }),
    };
  } finally {
    await rm(dest, { recursive: true, force: true });
  }
}

function parseReport(stdout: string): RunReport | undefined {
  try {
    return JSON.parse(stdout) as RunReport;
  } catch {
    return undefined;
  }
}

/** A run is only timed when every flag ended as it should: a faster run that failed would flatter. */
function judge(exitCode: number, report: RunReport | undefined, stderr: string): string | undefined {
  if (report === undefined) return `exit code ${exitCode}, no report${lastLine(stderr)}`;
  if (report.error > 0) {
    const first = report.results.find((result) => result.status === 'error');
    return `${report.error} of ${plural(report.requested, 'flag')} failed (first: ${first?.cc ?? first?.file} ${first?.error})`;
  }
  if (report.ok + report.notFound !== report.requested) {
    return `${plural(report.ok + report.notFound, 'result')} for ${plural(report.requested, 'flag')}`;
  }
  if (exitCode !== 0) return `exit code ${exitCode}${lastLine(stderr)}`;
  return undefined;
}

function lastLine(stderr: string): string {
  const line = stderr.trim().split('\n').at(-1);
  return line ? `: ${line}` : '';
}
