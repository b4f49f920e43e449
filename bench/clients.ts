import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { type ChildRun, runFlagsChild } from '../src/compare/child-run.js';
import { configArgs, configLabel, inFlight, type RunConfig } from '../src/compare/plan.js';
import { type ProcessTiming, timeProcess } from '../src/compare/process-timer.js';
import type { RunReport } from '../src/types.js';
import type { Peer } from './peers.js';

/** Another build of flags to run beside this one: its bin, and the word its rows go by (`main`). */
export interface FlagsBuild {
  cli: string;
  label: string;
}

/** What every client of a scenario downloads, from where. */
export interface Work {
  baseUrl: string;
  /** Lower-case codes, in the order the CLI takes them. */
  codes: readonly string[];
  /** The CLI's selection options for the same codes (`--all`, `--every`, codes, `--limit`). */
  selection: readonly string[];
  /** Codes the server has: the files a correct run leaves behind. The rest must be 404s. */
  expected: ReadonlySet<string>;
}

/** One program at one setting: a row of a scenario's table. */
export interface Client {
  name: string;
  /** Warm-ups go one per program, and charts draw one line per series. */
  program: string;
  series: string;
  inFlight: number;
  /** How many codes it downloads. */
  flags: number;
  /** flags only. */
  config?: RunConfig;
  run(tempRoot: string): Promise<ChildRun>;
}

/** What a scenario adds to each of its flags runs: options, and a check of the report beyond runFlagsChild's. */
export interface FlagsExtras {
  args: readonly string[];
  /** Why the run does not count, if it does not. */
  check(report: RunReport): string | undefined;
}

/** `build`: another build's bin instead of this one's (the bench's --baseline), a program of its own in the tables. */
export function flagsClient(work: Work, config: RunConfig, series: string = config.mode, extras?: FlagsExtras, build?: FlagsBuild): Client {
  const program = build === undefined ? 'flags' : `flags ${build.label}`;
  return {
    name: `${program} ${configLabel(config, config.partition !== 'dynamic')}`,
    program,
    series: `${program} ${series}`,
    inFlight: inFlight(config),
    flags: work.codes.length,
    config,
    async run(tempRoot) {
      const run = await runFlagsChild([...work.selection, '--server', work.baseUrl, ...configArgs(config), ...(extras?.args ?? [])], tempRoot, undefined, build?.cli);
      const failure = run.failure ?? (run.report && extras?.check(run.report));
      return failure === undefined ? run : { ...run, failure };
    },
  };
}

/**
 * A peer downloading the same URLs at the same requests in flight, checked file by file afterwards.
 * `name` leaves out the load where a scenario runs the peer at one load only.
 */
export function peerClient(work: Work, peer: Peer, requests: number, name = `${peer.name} ${requests}`): Client {
  const urls = work.codes.map((cc) => `${work.baseUrl}/${cc}/${cc}.svg`);
  return {
    name,
    program: peer.name,
    series: peer.name,
    inFlight: requests,
    flags: work.codes.length,
    run: (tempRoot) =>
      inFreshFolder(
        tempRoot,
        'peer-',
        (dest) => {
          const { file, args } = peer.command(urls, requests, dest);
          return timeProcess(file, args);
        },
        (dest, timing) => checkFiles(dest, work, peer.extensions ?? ['svg'], timing.exitCode, timing.stderr),
      ),
  };
}

/**
 * A timed run of a program into a fresh folder under `tempRoot`, judged by what it left there
 * (`check` says why the run does not count, if it does not), the folder removed after.
 */
export async function inFreshFolder(
  tempRoot: string,
  prefix: string,
  run: (dest: string) => Promise<ProcessTiming>,
  check: (dest: string, timing: ProcessTiming) => Promise<string | undefined>,
): Promise<ChildRun> {
  const dest = await mkdtemp(join(tempRoot, prefix));
  try {
    const timing = await run(dest);
    const failure = await check(dest, timing);
    return {
      wallMs: Math.round(timing.wallMs),
      ...(timing.peakRssKb === undefined ? {} : { peakRssBytes: timing.peakRssKb * 1024 }),
      ...(timing.cpuMs === undefined ? {} : { cpuMs: timing.cpuMs }),
      ...(failure === undefined ? {} : { failure }),
    };
  } finally {
    await rm(dest, { recursive: true, force: true });
  }
}

/**
 * The peers report failures differently (and a 404 is one to all of them), so the files decide:
 * exactly the expected ones, one per extension, none empty. A non-zero exit only counts when no
 * 404 was due.
 */
async function checkFiles(dest: string, work: Work, extensions: readonly string[], exitCode: number, stderr: string): Promise<string | undefined> {
  const names = new Set(await readdir(dest));
  const wanted = new Set([...work.expected].flatMap((cc) => extensions.map((ext) => `${cc}.${ext}`)));
  const missing = [...wanted].filter((name) => !names.has(name));
  const extra = [...names].filter((name) => !wanted.has(name));
  if (missing.length > 0) return `${missing.length} files missing (first: ${missing[0]})${lastLine(stderr)}`;
  if (extra.length > 0) return `unexpected files: ${extra.slice(0, 3).join(', ')}`;
  for (const name of names) if ((await stat(join(dest, name))).size === 0) return `${name} is empty`;
  if (exitCode !== 0 && work.expected.size === work.codes.length) return `exit code ${exitCode}${lastLine(stderr)}`;
  return undefined;
}

function lastLine(stderr: string): string {
  const line = stderr.trim().split('\n').at(-1);
  return line ? `: ${line}` : '';
}

/** Every installed peer at each of the given loads. */
export function peerClients(work: Work, peers: readonly Peer[], loads: readonly number[]): Client[] {
  return peers.filter((peer) => peer.available).flatMap((peer) => loads.map((requests) => peerClient(work, peer, requests)));
}
