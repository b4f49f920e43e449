import { mkdir, mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildRun } from '../../src/compare/child-run.js';
import { cell, mebibytes, seconds } from '../../src/compare/format.js';
import { type RunFigures, runFigures } from '../../src/compare/run-figures.js';
import type { Client } from '../clients.js';
import { asyncConfig, threadsConfig } from '../configs.js';
import { serveFolder, serveFolderCapped } from '../folder-server.js';
import { type ListWork, listFlagsClient, listPeerClient } from '../list-clients.js';
import { measureClients } from '../measure.js';
import type { Peer } from '../peers.js';
import type { ScenarioContext, ScenarioResult } from '../scenario.js';
import { ceilingTarget, ratioTarget, speedupTarget } from '../targets.js';
import { wallCells } from '../time-table.js';

const MIB = 2 ** 20;
/** Ranges of the one file at once: aria2c's `-s8 -x8`, the issue's `--split 8`. */
const RANGES = 8;
const RSS_CEILING = 150 * MIB;

interface SplitRow extends RunFigures {
  work: string;
  client: string;
  program: string;
  /** Streams of the file at once (1: one). */
  streams: number;
}

/** A mirror's cap on each connection, for the second work: one stream at 64 MiB/s. */
const CAPPED_RATE = 64 * MIB;

/**
 * One big file (sparse: zeros from the page cache) from nginx, as one stream and as 8 ranges at
 * once: flags in async and threads mode with `--split 1` and `--split 8`, curl and wget2 as one
 * stream, aria2c with `-s8 -x8` and wget2 with `--chunk-size` as 8 ranges. Twice: from nginx as
 * fast as loopback goes (the 1 GiB), then from nginx capping each connection at 64 MiB/s,
 * as many a mirror does, where one stream is held to the cap.
 */
export async function splitScenario({ quick, repeat, peers, log }: ScenarioContext): Promise<ScenarioResult> {
  const scratch = await mkdtemp(join(tmpdir(), 'flags-bench-split-'));
  try {
    const fast = await bigFile(scratch, 'fast', (quick ? 256 : 1024) * MIB);
    const capped = await bigFile(scratch, 'capped', (quick ? 64 : 256) * MIB);
    const fastName = `${mebibytes(fast.bytes)}, loopback`;
    const cappedName = `${mebibytes(capped.bytes)}, ${mebibytes(CAPPED_RATE)}/s a connection`;
    const rows: SplitRow[] = [];
    const server = await serveFolder(join(scratch, 'www'));
    try {
      rows.push(...(await measureWork(fastName, { ...fast, url: `${server.baseUrl}/fast/big.bin` }, peers, repeat, log)));
    } finally {
      await server.stop();
    }
    const cappedServer = await serveFolderCapped(join(scratch, 'www'), CAPPED_RATE);
    if (cappedServer !== undefined) {
      try {
        rows.push(...(await measureWork(cappedName, { ...capped, url: `${cappedServer.baseUrl}/capped/big.bin` }, peers, repeat, log)));
      } finally {
        await cappedServer.stop();
      }
    }
    const targets = [...workTargets(fastName, rows), ...(cappedServer === undefined ? [] : workTargets(cappedName, rows))];
    return {
      name: 'split',
      title: `split: one big file as one stream and as ${RANGES} ranges`,
      method: `${server.name === 'nginx' ? 'nginx' : 'The embedded server (nginx is not installed)'} serving a sparse file (zeros, read from the page cache) fetched from a one-line URL list into an empty folder: first ${mebibytes(fast.bytes)} as fast as loopback goes, then ${mebibytes(capped.bytes)} from nginx sending each connection at most ${mebibytes(CAPPED_RATE)}/s (limit_rate; skipped without nginx). Clients: flags --input in async ${RANGES} and threads 2 × ${RANGES / 2}, each with --split 1 (one stream) and --split ${RANGES}; curl and wget2 as one stream; aria2c -s${RANGES} -x${RANGES} --min-split-size=1M and wget2 --chunk-size (an ${RANGES}th of the file, --max-threads=${RANGES}) as ${RANGES} ranges. A run counts only when the file is there at its size, nothing else is, and the exit code is 0. CPU is the median user + system time of the whole process (GNU time).`,
      table: splitTable(rows),
      charts: [],
      targets,
      notes: [
        ...(cappedServer === undefined ? ['nginx is not installed: the capped file was not measured.'] : []),
        ...rows.flatMap((row) => row.failures.map((failure) => `${row.work}, ${row.client} failed, ${failure}`)),
      ],
      data: { server: server.name, cappedRate: CAPPED_RATE, rows },
    };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** A sparse file of `bytes` at `{scratch}/www/{folder}/big.bin`, and its one-line list's path. */
async function bigFile(scratch: string, folder: string, bytes: number): Promise<{ bytes: number; listFile: string; folder: string }> {
  const dir = join(scratch, 'www', folder);
  await mkdir(dir, { recursive: true });
  const handle = await open(join(dir, 'big.bin'), 'wx');
  await handle.truncate(bytes).finally(() => handle.close());
  return { bytes, listFile: join(scratch, `${folder}-urls.txt`), folder };
}

async function measureWork(
  name: string,
  file: { bytes: number; listFile: string; url: string; folder: string },
  peers: readonly Peer[],
  repeat: number,
  log: (line: string) => void,
): Promise<SplitRow[]> {
  const work: ListWork = { name, urls: [file.url], listFile: file.listFile, sizes: new Map([['big.bin', file.bytes]]), bytes: file.bytes };
  await writeFile(work.listFile, `${file.url}\n`);
  const split = ['--split', String(RANGES)];
  const one = ['--split', '1'];
  const available = (peer: string) => peers.find((each) => each.name === peer && each.available);
  const singlePeers = [available('curl --parallel'), available('wget2')].filter((peer) => peer !== undefined);
  const rangedPeers = [aria2cRanges(available('aria2c')), wget2Chunks(available('wget2'), file.bytes)].filter((peer) => peer !== undefined);
  const clients: Client[] = [
    listFlagsClient(work, asyncConfig(RANGES), undefined, one),
    listFlagsClient(work, threadsConfig(2, RANGES / 2), undefined, one),
    listFlagsClient(work, asyncConfig(RANGES), undefined, split),
    listFlagsClient(work, threadsConfig(2, RANGES / 2), undefined, split),
    ...singlePeers.map((peer) => listPeerClient(work, peer, 1)),
    ...rangedPeers.map((peer) => listPeerClient(work, peer, RANGES)),
  ];
  return splitRows(name, clients, await measureClients(`split-${file.folder}`, clients, repeat, log));
}

/** The three targets on one work. */
function workTargets(work: string, rows: readonly SplitRow[]) {
  const of = rows.filter((row) => row.work === work);
  const flagsRows = (streams: number) => of.filter((row) => row.program === 'flags' && row.streams === streams);
  const fastest = (candidates: SplitRow[]) =>
    candidates.filter((row) => row.medianMs !== null).reduce<SplitRow | undefined>((best, row) => (best === undefined || row.medianMs! < best.medianMs! ? row : best), undefined);
  const figure = (row: SplitRow | undefined, fallback: string) => ({ label: row?.client ?? fallback, value: row?.medianMs ?? null });
  const bestSplit = fastest(flagsRows(RANGES));
  const bestSingle = fastest(flagsRows(1));
  const curl = of.find((row) => row.program === 'curl --parallel');
  const hungriest = flagsRows(RANGES).reduce<SplitRow | undefined>((top, row) => (top === undefined || (row.peakRssBytes ?? 0) > (top.peakRssBytes ?? 0) ? row : top), undefined);
  return [
    ratioTarget('split', `${work}: best flags --split ${RANGES} within 1.0 × curl's time`, 1, figure(bestSplit, 'flags --split'), figure(curl, 'curl'), seconds),
    speedupTarget(
      'split',
      `${work}: best flags --split ${RANGES} at least 1.4 × faster than flags' own single stream`,
      1.4,
      figure(bestSplit, 'flags --split'),
      figure(bestSingle, 'flags --split 1'),
      seconds,
    ),
    ceilingTarget(
      'split',
      `${work}: flags --split ${RANGES}'s peak memory under ${mebibytes(RSS_CEILING)} in threads and async modes`,
      RSS_CEILING,
      { label: hungriest?.client ?? 'flags --split', value: hungriest?.peakRssBytes ?? null },
      mebibytes,
    ),
  ];
}

/** aria2c as it splits a file: `-s8 -x8`, ranges down to 1 MiB, no preallocation. */
function aria2cRanges(aria2c: Peer | undefined): Peer | undefined {
  if (aria2c === undefined) return undefined;
  return {
    ...aria2c,
    name: `aria2c -s${RANGES} -x${RANGES}`,
    command: (urls, _inFlight, destDir) => ({
      file: 'aria2c',
      args: [
        '--no-conf',
        '--quiet',
        `--split=${RANGES}`,
        `--max-connection-per-server=${RANGES}`,
        '--min-split-size=1M',
        '--file-allocation=none',
        '--max-tries=1',
        `--dir=${destDir}`,
        ...urls,
      ],
    }),
  };
}

/** wget2's own way to fetch one file in parallel: chunks of an 8th of it, 8 threads. */
function wget2Chunks(wget2: Peer | undefined, bytes: number): Peer | undefined {
  if (wget2 === undefined) return undefined;
  return {
    ...wget2,
    name: `wget2 --chunk-size`,
    command: (urls, _inFlight, destDir) => ({
      file: 'wget2',
      args: [
        '--no-config',
        `--max-threads=${RANGES}`,
        `--chunk-size=${Math.ceil(bytes / RANGES)}`,
        '--robots=off',
        '--tries=1',
        '--no-host-directories',
        '--quiet',
        `--directory-prefix=${destDir}`,
        ...urls,
      ],
    }),
  };
}

function splitRows(work: string, clients: readonly Client[], runs: readonly (readonly ChildRun[])[]): SplitRow[] {
  return clients.map((client, index) => {
    const figures = runFigures(runs[index] ?? [], null, false);
    const streams = /--split (\d+)/.exec(client.name)?.[1] ?? (client.inFlight > 1 ? String(client.inFlight) : '1');
    return {
      work,
      client: client.name,
      program: client.program,
      streams: Number(streams),
      ...figures,
    };
  });
}

/** Each work's rows with the time over curl's and over flags' best single stream on the same work. */
function splitTable(rows: readonly SplitRow[]): ScenarioResult['table'] {
  const single = (work: string) =>
    Math.min(...rows.filter((row) => row.work === work && row.program === 'flags' && row.streams === 1 && row.medianMs !== null).map((row) => row.medianMs!));
  const curl = (work: string) => rows.find((row) => row.work === work && row.program === 'curl --parallel')?.medianMs ?? Number.NaN;
  const over = (row: SplitRow, reference: number) => (row.medianMs !== null && Number.isFinite(reference) ? `${(row.medianMs / reference).toFixed(2)}×` : '—');
  return {
    columns: [
      { header: 'work', align: 'left' },
      { header: 'client', align: 'left' },
      { header: 'streams', align: 'right' },
      { header: 'median wall (min-max)', align: 'right' },
      { header: 'runs', align: 'right' },
      { header: 'CPU (user+sys)', align: 'right' },
      { header: '÷ curl', align: 'right' },
      { header: "÷ flags' best single stream", align: 'right' },
      { header: 'peak memory', align: 'right' },
    ],
    cells: rows.map((row) => [
      row.work,
      row.client,
      String(row.streams),
      ...wallCells(row),
      cell(row.cpuMs, seconds),
      over(row, curl(row.work)),
      over(row, single(row.work)),
      cell(row.peakRssBytes, mebibytes),
    ]),
  };
}
