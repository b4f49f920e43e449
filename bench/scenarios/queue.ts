import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildRun } from '../../src/compare/child-run.js';
import { cell, mebibytes, medianWithRange, seconds } from '../../src/compare/format.js';
import { type ProcessTiming, timeProcess } from '../../src/compare/process-timer.js';
import { type RunFigures, runFigures } from '../../src/compare/run-figures.js';
import { summarize } from '../../src/compare/stats.js';
import { cliPath } from '../../src/paths.js';
import { listTreeUrls } from '../../src/server/tree.js';
import type { Client } from '../clients.js';
import { threadsConfig } from '../configs.js';
import { seededTree, type TreeSizes } from '../file-tree.js';
import { serveFolder } from '../folder-server.js';
import { checkFolders, type ListWork, listFlagsClient } from '../list-clients.js';
import { measureClients } from '../measure.js';
import { type BenchRedis, redisMissing, startRedis } from '../redis.js';
import { wallCells } from '../time-table.js';
import type { ScenarioContext, ScenarioResult } from '../scenario.js';
import { ceilingTarget, skippedTarget, type TargetResult } from '../targets.js';

const SEED = 2;
/** The target: what the queue may add to a local run's wall time, per item, at 20 in flight. */
const CEILING_MS_PER_ITEM = 1;
const TARGET = `the queue adds under ${CEILING_MS_PER_ITEM} ms of wall time per item at 20 in flight`;

/** Small files, so that the queue's round trips per item and not the bytes set the pace. */
export const FULL_SIZES: TreeSizes = { files: 2000, smallestBytes: 1024, largestBytes: 16 * 1024, bigBytes: 0 };
/** --quick: a quarter of the items. */
export const QUICK_SIZES: TreeSizes = { ...FULL_SIZES, files: 500 };

/** The worker processes of one queue client, each with its split; 20 in flight in all. */
const QUEUE_SETUPS = [
  { name: 'queue, one worker threads 2×10', workers: [threadsConfig(2, 10)] },
  { name: 'queue, two workers threads 1×10 each', workers: [threadsConfig(1, 10), threadsConfig(1, 10)] },
];

/** A queue client's run: the workers' wall time as any run's, and the enqueue before it, timed apart. */
interface QueueRun extends ChildRun {
  enqueueMs?: number;
}

interface QueueRow extends RunFigures {
  work: string;
  client: string;
  inFlight: number;
  items: number;
  /** Medians over the counted runs; null for the local run. */
  enqueueMs: number | null;
  enqueueMinMs: number | null;
  enqueueMaxMs: number | null;
  /** This row's median − the local run's on the same work; null for the local run. */
  addedMs: number | null;
  addedMsPerItem: number | null;
}

/**
 * The queue's cost (issue 16): one list of small files, fetched by a local `flags --input` run
 * (threads 2 × 10), by one `flags worker` (2 × 10) and by two (1 × 10 each) on a Redis of our own,
 * 20 in flight in every case, against nginx (else the embedded server) without latency. The
 * workers' wall time, spawn to the last exit, is compared with the local run's; the enqueue before
 * each queue run is timed apart. The first file alone, locally and by one worker, gives the
 * queue's fixed cost (a worker's start, connection and drain check), so that the rest is per item.
 */
export async function queueScenario({ quick, repeat, log }: ScenarioContext, sizes: TreeSizes = quick ? QUICK_SIZES : FULL_SIZES): Promise<ScenarioResult> {
  const title = `queue: ${sizes.files.toLocaleString('en')} small files, locally and through a Redis queue`;
  if (redisMissing) {
    return {
      name: 'queue',
      title,
      method: 'Not run.',
      table: { columns: [{ header: 'client', align: 'left' }], cells: [] },
      charts: [],
      targets: [skippedTarget('queue', TARGET, CEILING_MS_PER_ITEM, redisMissing)],
      notes: [`${redisMissing}: not measured.`],
      data: null,
    };
  }
  const scratch = await mkdtemp(join(tmpdir(), 'flags-bench-queue-'));
  const loadBefore = loadavg();
  try {
    const tree = await seededTree(join(scratch, 'www'), sizes, SEED);
    const server = await serveFolder(join(scratch, 'www'));
    let redis: BenchRedis | undefined;
    let rows: QueueRow[];
    let redisVersion: string;
    let many: ListWork;
    try {
      redis = await startRedis();
      redisVersion = redis.version;
      const urls = await listTreeUrls(tree.many.dir, `${server.baseUrl}/${tree.many.urlPath}`);
      many = await listWork(urls, tree.many.sizes, scratch);
      const one = await listWork(urls.slice(0, 1), tree.many.sizes, scratch);
      log(`  ${many.name} (${mebibytes(many.bytes)}) from ${server.name}, Redis ${redis.version} at ${redis.url}`);
      const redisUrl = redis.url;
      const local = (work: ListWork) => {
        const client = listFlagsClient(work, threadsConfig(2, 10));
        return { ...client, name: `local ${client.name}` };
      };
      const works = [many, many, many, one, one];
      const clients: Client[] = [
        local(many),
        ...QUEUE_SETUPS.map((setup, index) => queueClient(setup.name, many, setup.workers, redisUrl, index)),
        local(one),
        queueClient(QUEUE_SETUPS[0]!.name, one, QUEUE_SETUPS[0]!.workers, redisUrl, QUEUE_SETUPS.length),
      ];
      // Each client is its own program: every one gets its warm-up (BullMQ's modules, Redis' first queue).
      const programs = clients.map((client, index) => ({ ...client, program: `${client.name}, ${works[index]!.name}` }));
      const runs = await measureClients('queue', programs, repeat, log);
      rows = queueRows(works, clients, runs);
    } finally {
      await redis?.stop();
      await server.stop();
    }
    const loadAfter = loadavg();
    const local = rows[0]!;
    const targets: TargetResult[] = rows
      .filter((row) => row.work === many.name && row.addedMsPerItem !== null)
      .map((row) =>
        ceilingTarget(
          'queue',
          `${TARGET}: ${row.client}`,
          CEILING_MS_PER_ITEM,
          { label: `(${cell(row.medianMs, seconds)} − local ${cell(local.medianMs, seconds)}) / ${row.items.toLocaleString('en')} items`, value: row.addedMsPerItem },
          perItem,
        ),
      );
    const fixed = rows.find((row) => row.work !== many.name && row.addedMs !== null)?.addedMs ?? null;
    const oneWorker = rows[1]!;
    const perItemBeyond = fixed === null || oneWorker.addedMs === null ? null : (oneWorker.addedMs - fixed) / (many.sizes.size - 1);
    const load = (figures: number[]) => figures.map((figure) => figure.toFixed(1)).join(', ');
    const failures = rows.flatMap((row) => row.failures.map((failure) => `${row.work}, ${row.client} failed, ${failure}`));
    const split =
      fixed === null || perItemBeyond === null
        ? []
        : [`One worker's fixed cost (its added time on 1 file) ${seconds(fixed)}; the rest of its added time on ${many.name}, per item: ${perItem(perItemBeyond)}.`];
    return {
      name: 'queue',
      title,
      method: `${server.name === 'nginx' ? 'nginx' : 'The embedded server (nginx is not installed)'} without latency, serving ${many.name} made from seed ${SEED}, sizes log-uniform from ${kibibytes(sizes.smallestBytes)} to ${kibibytes(sizes.largestBytes)} (${mebibytes(many.bytes)} in all); redis-server ${redisVersion} of its own on 127.0.0.1 (no persistence). Every client fetches the same URL list at 20 in flight: a local \`flags --input\` run, threads 2 × 10; \`flags enqueue\` into a fresh queue, then one \`flags worker --exit-when-drained\`, threads 2 × 10; the same with two workers, threads 1 × 10 each, started together, each into its own folder. Then the list's first file alone, locally and by one worker: the queue's fixed cost. Wall is the local run's process, or the workers' from spawn to the last exit; the enqueue is timed apart. A run counts only when every file is there once at its size, nothing else is, and every exit code is 0. The queue's cost per item is (its median − the local median) / the items. Load average (1, 5, 15 min) ${load(loadBefore)} before the scenario, ${load(loadAfter)} after.`,
      table: queueTable(rows),
      charts: [],
      targets,
      notes: [...split, ...failures],
      data: { server: server.name, redis: redisVersion, seed: SEED, sizes, loadBefore, loadAfter, fixedMs: fixed, perItemBeyondMs: perItemBeyond, rows },
    };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** `urls` as a list file for flags, and the files a correct download of them leaves. */
async function listWork(urls: readonly string[], allSizes: ReadonlyMap<string, number>, scratch: string): Promise<ListWork> {
  const name = urls.length === 1 ? '1 file' : `${urls.length.toLocaleString('en')} files`;
  const listFile = join(scratch, `urls-${urls.length}.txt`);
  await writeFile(listFile, `${urls.join('\n')}\n`);
  const sizes = new Map(urls.map((url) => url.slice(url.lastIndexOf('/') + 1)).map((file) => [file, allSizes.get(file)!]));
  return { name, urls, listFile, sizes, bytes: [...sizes.values()].reduce((sum, size) => sum + size, 0) };
}

/**
 * `flags enqueue` of the list into a fresh queue (`index` and a counter name it), then every
 * worker at once, each into its own folder under `tempRoot`, until the queue is drained.
 */
function queueClient(name: string, work: ListWork, workers: readonly ReturnType<typeof threadsConfig>[], redisUrl: string, index: number): Client {
  let runs = 0;
  return {
    name,
    program: name,
    series: name,
    inFlight: workers.reduce((sum, config) => sum + config.threads * config.concurrency, 0),
    flags: work.sizes.size,
    async run(tempRoot): Promise<QueueRun> {
      const queue = `${redisUrl}/bench-${index}-${++runs}`;
      const enqueue = await timeProcess(process.execPath, [cliPath, 'enqueue', '--input', work.listFile, '--queue', queue]);
      if (enqueue.exitCode !== 0) return { wallMs: 0, failure: `enqueue exit code ${enqueue.exitCode}: ${enqueue.stderr.trim().split('\n').at(-1)}` };
      const dests = await Promise.all(workers.map(() => mkdtemp(join(tempRoot, 'worker-'))));
      try {
        const started = performance.now();
        const timings: ProcessTiming[] = await Promise.all(
          workers.map((config, worker) =>
            timeProcess(process.execPath, [
              cliPath,
              'worker',
              '--queue',
              queue,
              '--dest',
              dests[worker]!,
              '--threads',
              String(config.threads),
              '--concurrency',
              String(config.concurrency),
              '--exit-when-drained',
            ]),
          ),
        );
        const wallMs = Math.round(performance.now() - started);
        const failure = await checkFolders(dests, work, timings);
        const rss = timings.map((timing) => timing.peakRssKb);
        return {
          wallMs,
          enqueueMs: Math.round(enqueue.wallMs),
          ...(rss.every((kb) => kb !== undefined) ? { peakRssBytes: Math.max(...(rss as number[])) * 1024 } : {}),
          ...(failure === undefined ? {} : { failure }),
        };
      } finally {
        await Promise.all(dests.map((dest) => rm(dest, { recursive: true, force: true })));
      }
    },
  };
}

function queueRows(works: readonly ListWork[], clients: readonly Client[], runs: readonly (readonly QueueRun[])[]): QueueRow[] {
  const rows = clients.map((client, index) => {
    const clientRuns = runs[index] ?? [];
    const figures = runFigures(clientRuns, null, false);
    const enqueues = clientRuns.filter((run) => run.failure === undefined && run.enqueueMs !== undefined).map((run) => run.enqueueMs!);
    const enqueue = enqueues.length > 0 ? summarize(enqueues) : undefined;
    return {
      work: works[index]!.name,
      client: client.name,
      inFlight: client.inFlight,
      items: works[index]!.sizes.size,
      enqueueMs: enqueue?.median ?? null,
      enqueueMinMs: enqueue?.min ?? null,
      enqueueMaxMs: enqueue?.max ?? null,
      addedMs: null as number | null,
      addedMsPerItem: null as number | null,
      ...figures,
    };
  });
  // The local run comes first on each work; the queue's rows after it are measured against it.
  for (const row of rows) {
    const local = rows.find((other) => other.work === row.work)!;
    if (row === local || row.medianMs === null || local.medianMs === null) continue;
    row.addedMs = row.medianMs - local.medianMs;
    row.addedMsPerItem = row.addedMs / row.items;
  }
  return rows;
}

function queueTable(rows: readonly QueueRow[]): ScenarioResult['table'] {
  return {
    columns: [
      { header: 'work', align: 'left' },
      { header: 'client', align: 'left' },
      { header: 'in flight', align: 'right' },
      { header: 'median wall (min-max)', align: 'right' },
      { header: 'runs', align: 'right' },
      { header: 'enqueue (min-max)', align: 'right' },
      { header: 'added wall', align: 'right' },
      { header: 'added per item', align: 'right' },
      { header: 'peak memory', align: 'right' },
    ],
    cells: rows.map((row) => [
      row.work,
      row.client,
      String(row.inFlight),
      ...wallCells(row),
      row.enqueueMs === null ? '—' : medianWithRange(row.enqueueMs, row.enqueueMinMs!, row.enqueueMaxMs!),
      cell(row.addedMs, seconds),
      cell(row.addedMsPerItem, perItem),
      cell(row.peakRssBytes, mebibytes),
    ]),
  };
}

function kibibytes(bytes: number): string {
  return `${(bytes / 1024).toFixed(0)} KiB`;
}

/** A cost per item: `0.42 ms`; below zero when the queue was the faster. */
function perItem(ms: number): string {
  return `${ms.toFixed(2)} ms`;
}
