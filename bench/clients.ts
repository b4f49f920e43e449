import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { type ChildRun, runFlagsChild } from '../src/compare/child-run.js';
import { configArgs, configLabel, inFlight, type RunConfig } from '../src/compare/plan.js';
import { timeProcess } from '../src/compare/process-timer.js';
import type { Peer } from './peers.js';

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

export function flagsClient(work: Work, config: RunConfig, series: string = config.mode): Client {
  return {
    name: `flags ${configLabel(config, config.partition !== 'dynamic')}`,
    program: 'flags',
    series: `flags ${series}`,
    inFlight: inFlight(config),
    flags: work.codes.length,
    config,
    run: (tempRoot) => runFlagsChild([...work.selection, '--server', work.baseUrl, ...configArgs(config)], tempRoot),
  };
}

/** A peer downloading the same URLs at the same requests in flight, checked file by file afterwards. */
function peerClient(work: Work, peer: Peer, requests: number): Client {
  const urls = work.codes.map((cc) => `${work.baseUrl}/${cc}/${cc}.svg`);
  return {
    name: `${peer.name} ${requests}`,
    program: peer.name,
    series: peer.name,
    inFlight: requests,
    flags: work.codes.length,
    async run(tempRoot) {
      const dest = await mkdtemp(join(tempRoot, 'peer-'));
      try {
        const { file, args } = peer.command(urls, requests, dest);
        const timing = await timeProcess(file, args);
        const failure = await checkFiles(dest, work, timing.exitCode, timing.stderr);
        return {
          wallMs: Math.round(timing.wallMs),
          ...(timing.peakRssKb === undefined ? {} : { peakRssBytes: timing.peakRssKb * 1024 }),
          ...(failure === undefined ? {} : { failure }),
        };
      } finally {
        await rm(dest, { recursive: true, force: true });
      }
    },
  };
}

/**
 * The peers report failures differently (and a 404 is one to all of them), so the files decide:
 * exactly the expected ones, none empty. A non-zero exit only counts when no 404 was due.
 */
async function checkFiles(dest: string, work: Work, exitCode: number, stderr: string): Promise<string | undefined> {
  const names = new Set(await readdir(dest));
  const missing = [...work.expected].filter((cc) => !names.has(`${cc}.svg`));
  const extra = [...names].filter((name) => !work.expected.has(name.replace(/\.svg$/, '')) || !name.endsWith('.svg'));
  if (missing.length > 0) return `${missing.length} flags missing (first: ${missing[0]})${lastLine(stderr)}`;
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
