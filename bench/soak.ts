import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { flagIconsSvgDir } from '../src/input/catalogue.js';
import { timeProcess } from '../src/compare/process-timer.js';
import { cliPath } from '../src/paths.js';
import { startFlagServer } from '../src/server/flag-server.js';
import { serverOptions } from '../src/server/server-options.js';
import type { RunReport } from '../src/types.js';

export interface SoakOptions {
  /** Runs of `flags --all`, alternating between the configurations. */
  runs: number;
  /** Share of requests that get a fault. */
  errorRate: number;
  seed: number;
  retries: number;
  retryDelayMs: number;
  /** Per attempt: what ends a stalled body. */
  timeoutMs: number;
  /** The schedules to alternate, as CLI arguments. */
  configs: string[][];
  /** Where the runs' folders go; removed afterwards. */
  tempRoot: string;
  log?: (line: string) => void;
}

export interface SoakFigures {
  runs: number;
  /** Flags asked for, over all runs. */
  downloads: number;
  requests: number;
  faultsInjected: number;
  faultsByKind: Record<string, number>;
  retries: number;
  ok: number;
  /** A flag that did not end whole in its file: no result, or an error after every retry. */
  lost: number;
  /** A flag reported more than once in a run. */
  doubled: number;
  /** A file that is not the server's bytes, an ok flag without its file, or a file nobody asked for (a temporary one). */
  partial: number;
  /** Runs whose exit code was not 0. */
  failedRuns: number;
  wallMs: number;
}

/**
 * Downloads every flag again and again through the embedded server's error profile, each run the
 * real CLI in a fresh folder, and counts what a user could lose: every flag must end once, whole.
 */
export async function soak(options: SoakOptions): Promise<SoakFigures> {
  const server = await startFlagServer(serverOptions('error', { latencyMs: 0, jitterMs: 0, errorRate: options.errorRate, seed: options.seed }));
  const figures: SoakFigures = {
    runs: 0,
    downloads: 0,
    requests: 0,
    faultsInjected: 0,
    faultsByKind: {},
    retries: 0,
    ok: 0,
    lost: 0,
    doubled: 0,
    partial: 0,
    failedRuns: 0,
    wallMs: 0,
  };
  const started = performance.now();
  try {
    for (let run = 0; run < options.runs; run++) {
      const config = options.configs[run % options.configs.length]!;
      const dest = await mkdtemp(join(options.tempRoot, 'soak-'));
      try {
        const args = [
          '--all',
          '--server',
          server.baseUrl,
          '--retries',
          String(options.retries),
          '--retry-delay',
          String(options.retryDelayMs),
          '--timeout',
          String(options.timeoutMs),
          '--json',
          '--dest',
          dest,
          ...config,
        ];
        const timing = await timeProcess(process.execPath, [cliPath, ...args]);
        const report = JSON.parse(timing.stdout) as RunReport;
        const check = await checkRun(report, dest);
        figures.runs++;
        figures.downloads += report.requested;
        figures.retries += report.results.reduce((sum, result) => sum + Math.max(0, result.attempts - 1), 0);
        figures.ok += report.ok;
        figures.lost += check.lost;
        figures.doubled += check.doubled;
        figures.partial += check.partial;
        if (timing.exitCode !== 0) figures.failedRuns++;
        options.log?.(
          `run ${run + 1}/${options.runs} (${config.join(' ')}): ${report.ok} ok, ${check.lost} lost, ${check.doubled} doubled, ${check.partial} partial, exit ${timing.exitCode}, ${(timing.wallMs / 1000).toFixed(2)} s`,
        );
      } finally {
        await rm(dest, { recursive: true, force: true });
      }
    }
  } finally {
    await server.close();
  }
  const flagRequests = server.requests.filter((request) => request.path.endsWith('.svg'));
  figures.requests = flagRequests.length;
  for (const { fault } of flagRequests) {
    if (fault === null) continue;
    figures.faultsInjected++;
    figures.faultsByKind[fault] = (figures.faultsByKind[fault] ?? 0) + 1;
  }
  figures.wallMs = Math.round(performance.now() - started);
  return figures;
}

/** What one run lost, doubled or left half-written: each counted per flag or file. */
async function checkRun(report: RunReport, dest: string): Promise<{ lost: number; doubled: number; partial: number }> {
  const seen = new Map<string, number>();
  for (const { url } of report.results) seen.set(url, (seen.get(url) ?? 0) + 1);
  const doubled = [...seen.values()].reduce((sum, count) => sum + count - 1, 0);
  const okCodes = new Set(report.results.filter((result) => result.status === 'ok').map((result) => result.cc!));
  const lost = report.requested - okCodes.size;
  let partial = 0;
  const files = await readdir(dest);
  for (const name of files) {
    const cc = /^([a-z]{2})\.svg$/.exec(name)?.[1];
    if (cc === undefined || !okCodes.has(cc)) partial++;
    else if (!(await readFile(join(dest, name))).equals(await readFile(join(flagIconsSvgDir, name)))) partial++;
  }
  partial += [...okCodes].filter((cc) => !files.includes(`${cc}.svg`)).length;
  return { lost, doubled, partial };
}

/** The figures as the README quotes them. */
export function soakText(figures: SoakFigures, options: Pick<SoakOptions, 'errorRate' | 'retries' | 'timeoutMs'>): string {
  const kinds = Object.entries(figures.faultsByKind)
    .sort((a, b) => b[1] - a[1])
    .map(([kind, count]) => `${count} ${kind}`)
    .join(', ');
  return [
    `${figures.runs} runs, ${figures.downloads} downloads at a ${options.errorRate * 100}% fault rate (--retries ${options.retries}, --timeout ${options.timeoutMs}) in ${(figures.wallMs / 1000).toFixed(1)} s`,
    `${figures.requests} requests, ${figures.faultsInjected} faults injected (${kinds}), ${figures.retries} retries`,
    `${figures.ok} ok; lost ${figures.lost}, doubled ${figures.doubled}, partial ${figures.partial}; ${figures.failedRuns} runs exited non-zero`,
  ].join('\n');
}
