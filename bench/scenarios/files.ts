import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildRun } from '../../src/compare/child-run.js';
import { cell, mebibytes, seconds } from '../../src/compare/format.js';
import { type RunFigures, runFigures } from '../../src/compare/run-figures.js';
import { listTreeUrls } from '../../src/server/tree.js';
import type { Client } from '../clients.js';
import { asyncConfig, threadsConfig } from '../configs.js';
import { type FileSet, seededTree, type TreeSizes } from '../file-tree.js';
import { serveFolder } from '../folder-server.js';
import { type FloorClient, floorProgram, type ListWork, listFloorClient, listFlagsClient, listPeerClient } from '../list-clients.js';
import { measureClients } from '../measure.js';
import { wallCells } from '../time-table.js';
import type { ScenarioContext, ScenarioResult } from '../scenario.js';
import { ceilingTarget, ratioTarget, speedupTarget } from '../targets.js';

const IN_FLIGHT = 20;
const SEED = 1;
const MIB = 2 ** 20;
/** The issue's ceiling for flags' peak memory while it downloads the big file, in every mode. */
const BIG_RSS_CEILING = 150 * MIB;
/** The Node floor (bench/node-floor.ts), bare node:http first: the reference of the per-file target. */
const FLOORS: readonly FloorClient[] = ['node:http', 'node-fetch'];
const NODE_HTTP_FLOOR = floorProgram('node:http');
const floorPrograms = new Set(FLOORS.map(floorProgram));

/** The issue's sizes: what the full run measures. */
export const FULL_SIZES: TreeSizes = { files: 1000, smallestBytes: 1024, largestBytes: 4 * MIB, bigBytes: 1024 * MIB };
/** --quick: a quarter of the files, with the same spread of sizes, and a big file still past the memory ceiling. */
export const QUICK_SIZES: TreeSizes = { ...FULL_SIZES, files: 250, bigBytes: 256 * MIB };

/** One client's runs on one work: a row of the table. */
interface FilesRow extends RunFigures {
  work: string;
  client: string;
  program: string;
  inFlight: number;
  files: number;
  bytes: number;
  /** MiB per second at the median wall time. */
  mibPerSecond: number | null;
}

/** What a row's program is: flags (this build), another build of flags, the Node floor, or a peer. */
const isFlags = (row: FilesRow) => row.program === 'flags';
const isPeer = (row: FilesRow) => !row.program.startsWith('flags') && !floorPrograms.has(row.program);

/**
 * Any list of files, not flags: a seeded tree of many files of log-uniform sizes, then one big
 * file, each fetched from a URL list into one folder by flags (`--input`) and by the peers, 20 in
 * flight, against nginx (else the embedded server). `sizes` defaults to the issue's (1,000 files,
 * 1 GiB) and to smaller ones with --quick.
 */
export async function filesScenario({ quick, repeat, peers, log, baseline }: ScenarioContext, sizes: TreeSizes = quick ? QUICK_SIZES : FULL_SIZES): Promise<ScenarioResult> {
  const scratch = await mkdtemp(join(tmpdir(), 'flags-bench-files-'));
  try {
    const started = performance.now();
    const tree = await seededTree(join(scratch, 'www'), sizes, SEED);
    log(`  wrote ${tree.many.sizes.size} files (${mebibytes(tree.many.bytes)}) and a sparse ${sizeLabel(sizes.bigBytes)} file in ${seconds(performance.now() - started)}`);
    const manyName = `${tree.many.sizes.size.toLocaleString('en')} files`;
    const bigName = `${sizeLabel(sizes.bigBytes)} file`;
    // burst (no latency, as here) found 2 × 10 the best split, one thread per core; hundreds (300 ms) found 4 × 5.
    const splits = quick ? [threadsConfig(2, 10)] : [threadsConfig(2, 10), threadsConfig(4, 5)];
    const server = await serveFolder(join(scratch, 'www'));
    const peersHere = peers.filter((peer) => peer.available);
    let rows: FilesRow[];
    try {
      const many = await listWork(manyName, tree.many, server.baseUrl, scratch);
      const big = await listWork(bigName, tree.big, server.baseUrl, scratch);
      const manyClients: Client[] = [
        ...splits.map((config) => listFlagsClient(many, config)),
        listFlagsClient(many, asyncConfig(IN_FLIGHT)),
        ...(baseline === undefined ? [] : [...splits.map((config) => listFlagsClient(many, config, baseline)), listFlagsClient(many, asyncConfig(IN_FLIGHT), baseline)]),
        ...FLOORS.map((floor) => listFloorClient(many, floor, IN_FLIGHT)),
        ...peersHere.map((peer) => listPeerClient(many, peer, IN_FLIGHT)),
      ];
      // One file keeps one thread busy whatever the split: one split is enough.
      const bigClients: Client[] = [
        listFlagsClient(big, threadsConfig(2, 10)),
        listFlagsClient(big, asyncConfig(IN_FLIGHT)),
        ...(baseline === undefined ? [] : [listFlagsClient(big, threadsConfig(2, 10), baseline), listFlagsClient(big, asyncConfig(IN_FLIGHT), baseline)]),
        ...FLOORS.map((floor) => listFloorClient(big, floor, IN_FLIGHT)),
        ...peersHere.map((peer) => listPeerClient(big, peer, IN_FLIGHT)),
      ];
      rows = [
        ...filesRows(many, manyClients, await measureClients('files', manyClients, repeat, log)),
        ...filesRows(big, bigClients, await measureClients('files big', bigClients, repeat, log)),
      ];
    } finally {
      await server.stop();
    }

    const of = (work: string) => rows.filter((row) => row.work === work);
    const fastest = (candidates: FilesRow[]) =>
      candidates.filter((row) => row.medianMs !== null).reduce<FilesRow | undefined>((best, row) => (best === undefined || row.medianMs! < best.medianMs! ? row : best), undefined);
    const figure = (row: FilesRow | undefined, fallback: string) => ({ label: row?.client ?? fallback, value: row?.medianMs ?? null });
    const bestFlags = (work: string) => fastest(of(work).filter(isFlags));
    const fastestPeer = (work: string) => fastest(of(work).filter(isPeer));
    const nodeHttpFloor = (work: string) => of(work).find((row) => row.program === NODE_HTTP_FLOOR);
    const bigFlags = of(bigName).filter(isFlags);
    const hungriest = bigFlags.every((row) => row.peakRssBytes !== null)
      ? bigFlags.reduce<FilesRow | undefined>((top, row) => (top === undefined || row.peakRssBytes! > top.peakRssBytes! ? row : top), undefined)
      : undefined;
    const targets = [
      ratioTarget(
        'files',
        `${manyName}: best flags within 1.1 × the node:http floor`,
        1.1,
        figure(bestFlags(manyName), 'flags'),
        figure(nodeHttpFloor(manyName), NODE_HTTP_FLOOR),
        seconds,
      ),
      ratioTarget(
        'files',
        `${manyName}: best flags within 1.3 × the fastest peer`,
        1.3,
        figure(bestFlags(manyName), 'flags'),
        figure(fastestPeer(manyName), 'fastest peer'),
        seconds,
      ),
      speedupTarget(
        'files',
        `${bigName}: best flags at least 0.7 × curl --parallel's throughput`,
        0.7,
        figure(bestFlags(bigName), 'flags'),
        figure(
          of(bigName).find((row) => row.client === 'curl --parallel'),
          'curl --parallel',
        ),
        seconds,
      ),
      ceilingTarget(
        'files',
        `${bigName}: flags' peak memory under ${mebibytes(BIG_RSS_CEILING)} in every mode`,
        BIG_RSS_CEILING,
        { label: hungriest?.client ?? 'every flags mode', value: hungriest?.peakRssBytes ?? null },
        mebibytes,
      ),
    ];
    const failures = rows.flatMap((row) => row.failures.map((failure) => `${row.work}, ${row.client} failed, ${failure}`));
    const skipped = peers.filter((peer) => !peer.available).map((peer) => `${peer.name} is not installed (${peer.install}): not measured.`);
    return {
      name: 'files',
      title: `files: ${manyName} of ${mebibytes(tree.many.bytes)} and one ${bigName}, from a URL list`,
      method: `${server.name === 'nginx' ? 'nginx' : 'The embedded server (nginx is not installed)'} serving a tree made from seed ${SEED}: ${manyName} in 10 folders, sizes log-uniform from ${sizes.smallestBytes} bytes to ${mebibytes(sizes.largestBytes)}, ${mebibytes(tree.many.bytes)} in all, then one sparse file of ${sizeLabel(sizes.bigBytes)} (zeros, read from the page cache). Each client fetches the URL list into one empty folder at ${IN_FLIGHT} in flight: flags --input in threads (${splits.map((config) => `${config.threads} × ${config.concurrency}`).join(' and ')}; 2 × 10 only for the big file) and async ${IN_FLIGHT}${baseline === undefined ? '' : ` (and the same of the baseline build, ${baseline.cli})`}, the Node floor (bench/node-floor.ts, one event loop: node:http with a keep-alive Agent of ${IN_FLIGHT} sockets and fs.createWriteStream with a 1 MiB buffer to a temporary name, then a rename; the same over node-fetch, compress off), and the peers. A run counts only when every file is there at its size, nothing else is, and the exit code is 0. MB/s is MiB per second at the median; CPU is the median user + system time of the whole process (GNU time).`,
      table: filesTable(rows),
      charts: [],
      targets,
      notes: [...skipped, ...failures],
      data: { server: server.name, seed: SEED, sizes, rows },
    };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** `set`'s URLs under `baseUrl`, listed as `flags serve --dir` lists them, and written to a file for flags. */
async function listWork(name: string, set: FileSet, baseUrl: string, scratch: string): Promise<ListWork> {
  const urls = await listTreeUrls(set.dir, `${baseUrl}/${set.urlPath}`);
  const listFile = join(scratch, `${set.urlPath}-urls.txt`);
  await writeFile(listFile, `${urls.join('\n')}\n`);
  return { name, urls, listFile, sizes: set.sizes, bytes: set.bytes };
}

function filesRows(work: ListWork, clients: readonly Client[], runs: readonly (readonly ChildRun[])[]): FilesRow[] {
  return clients.map((client, index) => {
    const figures = runFigures(runs[index] ?? [], null, false);
    return {
      work: work.name,
      client: client.name,
      program: client.program,
      inFlight: client.inFlight,
      files: work.sizes.size,
      bytes: work.bytes,
      mibPerSecond: figures.medianMs === null ? null : work.bytes / MIB / (figures.medianMs / 1000),
      ...figures,
    };
  });
}

/** Each work's rows with the time over the node:http floor's and over the fastest peer's on the same work. */
function filesTable(rows: readonly FilesRow[]): ScenarioResult['table'] {
  const fastestPeer = (work: string) => Math.min(...rows.filter((row) => row.work === work && isPeer(row) && row.medianMs !== null).map((row) => row.medianMs!));
  const floor = (work: string) => rows.find((row) => row.work === work && row.program === NODE_HTTP_FLOOR)?.medianMs ?? Number.NaN;
  const over = (row: FilesRow, reference: number) => (row.medianMs !== null && Number.isFinite(reference) ? `${(row.medianMs / reference).toFixed(2)}×` : '—');
  return {
    columns: [
      { header: 'work', align: 'left' },
      { header: 'client', align: 'left' },
      { header: 'in flight', align: 'right' },
      { header: 'median wall (min-max)', align: 'right' },
      { header: 'runs', align: 'right' },
      { header: 'MB/s', align: 'right' },
      { header: 'CPU (user+sys)', align: 'right' },
      { header: '÷ node:http floor', align: 'right' },
      { header: '÷ fastest peer', align: 'right' },
      { header: 'peak memory', align: 'right' },
    ],
    cells: rows.map((row) => [
      row.work,
      row.client,
      String(row.inFlight),
      ...wallCells(row),
      cell(row.mibPerSecond, (rate) => rate.toFixed(0)),
      cell(row.cpuMs, seconds),
      over(row, floor(row.work)),
      over(row, fastestPeer(row.work)),
      cell(row.peakRssBytes, mebibytes),
    ]),
  };
}

/** `1 GiB` for whole gibibytes, else `256 MB` (MiB, as mebibytes shows them). */
function sizeLabel(bytes: number): string {
  return bytes % 2 ** 30 === 0 ? `${bytes / 2 ** 30} GiB` : mebibytes(bytes);
}
