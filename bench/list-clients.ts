import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mebibytes } from '../src/compare/format.js';
import { configArgs, configLabel, inFlight, type RunConfig } from '../src/compare/plan.js';
import { type ProcessTiming, timeProcess } from '../src/compare/process-timer.js';
import { cliPath } from '../src/paths.js';
import { type Client, type FlagsBuild, inFreshFolder } from './clients.js';
import type { Peer } from './peers.js';

/** A URL list to fetch into one folder, and what a correct download leaves there. */
export interface ListWork {
  /** e.g. `1,000 files`: the table's first column. */
  name: string;
  urls: readonly string[];
  /** The list as a file, one URL a line, for `flags --input`. */
  listFile: string;
  /** Each file's name (the URL's last segment) and size. */
  sizes: ReadonlyMap<string, number>;
  bytes: number;
}

/**
 * flags' per-request timeout (10 s by default) covers the whole body, which for the big file on a
 * busy machine can take longer: raised to what no run here needs. The peers time out only on a stall.
 */
const TIMEOUT_MS = 600_000;

/**
 * `flags --input` at one config, into a fresh folder, checked file by file afterwards like the
 * peers; `build`: another build's bin instead of this one's, a program of its own in the tables;
 * `extra`: more options (`--split 8`), named in the client's name.
 */
export function listFlagsClient(work: ListWork, config: RunConfig, build?: FlagsBuild, extra: readonly string[] = []): Client {
  const program = build === undefined ? 'flags' : `flags ${build.label}`;
  return {
    name: [program, configLabel(config, false), ...extra].join(' '),
    program,
    series: `${program} ${config.mode}`,
    inFlight: inFlight(config),
    flags: work.sizes.size,
    config,
    run: (tempRoot) =>
      inFreshFolder(
        tempRoot,
        'flags-',
        (dest) =>
          timeProcess(process.execPath, [build?.cli ?? cliPath, '--input', work.listFile, ...configArgs(config), ...extra, '--timeout', String(TIMEOUT_MS), '--dest', dest]),
        (dest, timing) => checkFolders([dest], work, [timing]),
      ),
  };
}

/** The Node floor's two clients (bench/node-floor.ts): bare node:http + fs, and node-fetch. */
export type FloorClient = 'node:http' | 'node-fetch';

/** The program name of a floor client's rows: never a peer nor flags. */
export const floorProgram = (client: FloorClient) => `${client} floor`;

const floorScript = fileURLToPath(new URL('./node-floor.js', import.meta.url));

/** The Node floor fetching the same list at `requests` in flight, on one event loop, checked like every client. */
export function listFloorClient(work: ListWork, client: FloorClient, requests: number): Client {
  return {
    name: floorProgram(client),
    program: floorProgram(client),
    series: floorProgram(client),
    inFlight: requests,
    flags: work.sizes.size,
    run: (tempRoot) =>
      inFreshFolder(
        tempRoot,
        'floor-',
        (dest) => timeProcess(process.execPath, [floorScript, '--client', client, '--input', work.listFile, '--dest', dest, '--in-flight', String(requests)]),
        (dest, timing) => checkFolders([dest], work, [timing]),
      ),
  };
}

/** A peer fetching the same list at `requests` in flight, each file saved under the URL's last segment. */
export function listPeerClient(work: ListWork, peer: Peer, requests: number): Client {
  return {
    name: peer.name,
    program: peer.name,
    series: peer.name,
    inFlight: requests,
    flags: work.sizes.size,
    run: (tempRoot) =>
      inFreshFolder(
        tempRoot,
        'peer-',
        (dest) => {
          const { file, args } = peer.command([...work.urls], requests, dest);
          return timeProcess(file, args);
        },
        (dest, timing) => checkFolders([dest], work, [timing]),
      ),
  };
}

/**
 * Every file of the list at its size, once, in one of `dests`, and nothing else (no temporary or
 * control file left), and a zero exit from every process: a run that stops early or writes short
 * files would otherwise look fast. Several folders are the queue's workers, one each.
 */
export async function checkFolders(dests: readonly string[], work: ListWork, timings: readonly ProcessTiming[]): Promise<string | undefined> {
  let [files, bytes] = [0, 0];
  const wrong: string[] = [];
  const present = new Set<string>();
  for (const dest of dests) {
    for (const name of await readdir(dest)) {
      const size = (await stat(join(dest, name))).size;
      if (present.has(name)) wrong.push(`${name} downloaded twice`);
      else if (work.sizes.get(name) === size) [files, bytes] = [files + 1, bytes + size];
      else wrong.push(work.sizes.has(name) ? `${name} has ${size} of ${work.sizes.get(name)} bytes` : `unexpected ${name}`);
      present.add(name);
    }
  }
  const missing = [...work.sizes.keys()].filter((name) => !present.has(name));
  if (missing.length > 0) wrong.push(`${missing.length} missing (first: ${missing[0]})`);
  const failed = timings.find((timing) => timing.exitCode !== 0);
  const lastLine = (failed ?? timings.at(-1))?.stderr.trim().split('\n').at(-1);
  const why = lastLine ? `: ${lastLine}` : '';
  if (wrong.length > 0) return `${files} of ${work.sizes.size} files whole, ${mebibytes(bytes)} of ${mebibytes(work.bytes)}; ${wrong[0]}${why}`;
  if (failed !== undefined) return `exit code ${failed.exitCode}${why}`;
  return undefined;
}
