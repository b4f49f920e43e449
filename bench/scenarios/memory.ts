import { fileURLToPath } from 'node:url';
import type { ChildRun } from '../../src/compare/child-run.js';
import { cell, mebibytes } from '../../src/compare/format.js';
import { timeProcess } from '../../src/compare/process-timer.js';
import { type Summary, summarize } from '../../src/compare/stats.js';
import { type Client, flagsClient } from '../clients.js';
import { threadsConfig } from '../configs.js';
import { withServer } from '../embedded.js';
import { fitLine } from '../fit.js';
import { measureClients } from '../measure.js';
import type { ScenarioContext, ScenarioResult } from '../scenario.js';
import { ratioTarget, skippedTarget } from '../targets.js';
import { workFor } from '../work.js';

const barePool = fileURLToPath(new URL('../bare-pool.js', import.meta.url));
const MB = 2 ** 20;

// Each thread downloads this many flags, one at a time, each held this long by the server: a
// task then outlasts the start of the last worker, so no task lands on a worker already done
// and every thread of the ladder is alive at the peak.
const FLAGS_PER_THREAD = 3;
const LATENCY_MS = 1200;

/**
 * Peak RSS of the whole process against the thread count, for flags and for a bare Piscina pool
 * with the same options, in the same interleaved runs.
 */
export async function memoryScenario({ quick, repeat, log }: ScenarioContext): Promise<ScenarioResult> {
  const ladder = quick ? [1, 4, 16] : [1, 4, 16, 64];
  const { flags, bare } = await withServer(LATENCY_MS, async (server) => {
    const flagsClients = ladder.map((threads) => {
      const work = workFor(server.baseUrl, { args: [], all: true, limit: FLAGS_PER_THREAD * threads });
      return allThreadsUsed(flagsClient(work, threadsConfig(threads, 1, 'chunks')), threads);
    });
    const bareClients = ladder.map((threads) => bareClient(threads));
    const runs = await measureClients('memory', [...flagsClients, ...bareClients], repeat, log);
    return { flags: runs.slice(0, ladder.length), bare: runs.slice(ladder.length) };
  });

  const rss = (runs: ChildRun[]) => {
    const values = runs.filter((run) => run.failure === undefined && run.peakRssBytes !== undefined).map((run) => run.peakRssBytes!);
    return values.length > 0 ? summarize(values) : undefined;
  };
  const flagsRss = flags.map(rss);
  const bareRss = bare.map(rss);
  const slope = (summaries: (Summary | undefined)[]) => {
    const points = ladder.flatMap((x, index) => (summaries[index] ? [{ x, y: summaries[index]!.median }] : []));
    return points.length >= 2 ? fitLine(points).slope : null;
  };
  const flagsPerWorker = slope(flagsRss);
  const barePerWorker = slope(bareRss);
  const range = (summary: Summary | undefined) => cell(summary, (s) => `${mebibytes(s.median)} (${Math.round(s.min / MB)}-${Math.round(s.max / MB)})`);
  const failures = [...flags, ...bare].flat().flatMap((run) => run.failure ?? []);
  const target =
    flagsPerWorker === null || barePerWorker === null
      ? skippedTarget('memory', 'each extra worker costs at most 1.1 × a bare Piscina worker', 1.1, 'not enough successful runs')
      : ratioTarget(
          'memory',
          'each extra worker costs at most 1.1 × a bare Piscina worker',
          1.1,
          { label: 'flags', value: flagsPerWorker },
          { label: 'bare Piscina', value: barePerWorker },
          (bytes) => `${(bytes / MB).toFixed(1)} MB/worker`,
        );
  return {
    name: 'memory',
    title: 'memory: peak RSS against worker threads',
    method: `flags --all --limit ${FLAGS_PER_THREAD}×T --partition chunks from a server holding each answer ${LATENCY_MS} ms (so that all T threads are alive at once), and a bare Piscina pool of T trivial workers (same pool options, atomics disabled), at T = ${ladder.join(', ')}; peak RSS of the whole process from GNU time. The cost of a worker is the slope of a least-squares line through the medians.`,
    table: {
      columns: [
        { header: 'threads', align: 'right' },
        { header: 'flags peak RSS (min-max)', align: 'right' },
        { header: 'bare Piscina peak RSS (min-max)', align: 'right' },
        { header: 'flags − bare', align: 'right' },
      ],
      cells: ladder.map((threads, index) => [
        String(threads),
        range(flagsRss[index]),
        range(bareRss[index]),
        flagsRss[index] && bareRss[index] ? mebibytes(flagsRss[index]!.median - bareRss[index]!.median) : '—',
      ]),
    },
    charts: [
      {
        name: 'memory',
        spec: {
          title: 'Peak memory by worker threads',
          xLabel: 'worker threads',
          yLabel: 'peak RSS, whole process (MB)',
          series: [
            { name: 'flags', summaries: flagsRss },
            { name: 'bare Piscina', summaries: bareRss },
          ].map(({ name, summaries }) => ({
            name,
            points: ladder.flatMap((x, index) => {
              const summary = summaries[index];
              return summary ? [{ x, y: summary.median / MB, min: summary.min / MB, max: summary.max / MB }] : [];
            }),
          })),
        },
      },
    ],
    targets: [target],
    notes: [
      `Per extra worker: flags ${cell(flagsPerWorker, (b) => `${(b / MB).toFixed(1)} MB`)}, bare Piscina ${cell(barePerWorker, (b) => `${(b / MB).toFixed(1)} MB`)}.`,
      ...failures.map((failure) => `failed run: ${failure}`),
    ],
    data: { ladder, flagsRss, bareRss, flagsPerWorkerBytes: flagsPerWorker, barePerWorkerBytes: barePerWorker },
  };
}

/**
 * A run in which fewer threads than asked did the work would undercount: it fails instead. The
 * flags' thread ids tell; the report's task count would not, as a task may reuse an idle worker.
 */
function allThreadsUsed(client: Client, threads: number): Client {
  return {
    ...client,
    async run(tempRoot) {
      const run = await client.run(tempRoot);
      const used = new Set(run.report?.results.map((result) => result.thread)).size;
      if (run.failure === undefined && used !== threads) return { ...run, failure: `${used} of ${threads} threads did the work` };
      return run;
    },
  };
}

function bareClient(threads: number): Client {
  return {
    name: `bare Piscina ${threads}`,
    program: 'bare Piscina',
    series: 'bare Piscina',
    inFlight: threads,
    flags: 0,
    async run() {
      const timing = await timeProcess(process.execPath, [barePool, String(threads)]);
      const failure = timing.exitCode === 0 ? undefined : `exit code ${timing.exitCode}: ${timing.stderr.trim().split('\n').at(-1)}`;
      return {
        wallMs: Math.round(timing.wallMs),
        ...(timing.peakRssKb === undefined ? {} : { peakRssBytes: timing.peakRssKb * 1024 }),
        ...(failure === undefined ? {} : { failure }),
      };
    },
  };
}
