import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { catalogue } from '../../src/input/catalogue.js';
import type { ChildRun } from '../../src/compare/child-run.js';
import { timeProcess } from '../../src/compare/process-timer.js';
import { median } from '../../src/compare/stats.js';
import type { Client } from '../clients.js';
import { fixedLatencyServer, withServer } from '../embedded.js';
import { flagFolder } from '../flag-folder.js';
import type { LoadResult } from '../load-client.js';
import { measureClients } from '../measure.js';
import { startNginx } from '../nginx.js';
import type { ScenarioContext, ScenarioResult } from '../scenario.js';
import { ratioTarget, skippedTarget } from '../targets.js';
import { detectWrk, type WrkResult } from '../wrk.js';

const loadClient = fileURLToPath(new URL('../load-client.js', import.meta.url));
const CONNECTIONS = 20;
const LATENCY_MS = 300;
/** Throughput is shown as the time these many requests take, so that "3 × nginx's time" reads directly. */
const REQUESTS = 100_000;
const TARGET = "the embedded server takes at most 3 × nginx's time for the same requests";

/**
 * The embedded server's throughput against nginx's for the same requests from the same load
 * generator, and how closely it keeps a configured latency: it must never be what a run waits for.
 */
export async function serverScenario({ quick, repeat, log }: ScenarioContext): Promise<ScenarioResult> {
  const seconds = quick ? 2 : 5;
  const latencyRequests = quick ? 100 : 400;
  const scratch = await mkdtemp(join(tmpdir(), 'flags-bench-server-'));
  const notes: string[] = [];
  const wrk = detectWrk(scratch);
  const loads = new Map<string, WrkResult[]>();
  try {
    const codes = catalogue().map((country) => country.code);
    if (wrk.available) {
      await withServer(0, async (local) => {
        const www = await flagFolder();
        const nginx = await startNginx(www);
        try {
          // wrk sends the listed paths as they are, so they carry the base URL's own path (the embedded server's /flags).
          const loadFor = async (name: string, baseUrl: string): Promise<Client> => {
            const paths = join(scratch, `${name}-paths.txt`);
            const prefix = new URL(baseUrl).pathname.replace(/\/$/, '');
            await writeFile(paths, codes.map((cc) => `${prefix}/${cc}/${cc}.svg`).join('\n'));
            return {
              name,
              program: name,
              series: name,
              inFlight: CONNECTIONS,
              flags: codes.length,
              async run(): Promise<ChildRun> {
                const result = await wrk.run(baseUrl, paths, CONNECTIONS, seconds);
                loads.set(name, [...(loads.get(name) ?? []), result]);
                const wallMs = Math.round((REQUESTS / result.requestsPerSecond) * 1000);
                return { wallMs, ...(result.errors > 0 ? { failure: `${result.errors} of ${result.requests} requests failed` } : {}) };
              },
            };
          };
          const clients = [await loadFor('embedded', local.baseUrl)];
          if (nginx) clients.push(await loadFor('nginx', nginx.baseUrl));
          else notes.push('nginx is not installed (apt-get install -y nginx): the throughput target is skipped.');
          await measureClients('server', clients, repeat, log);
        } finally {
          await nginx?.stop();
          await rm(www, { recursive: true, force: true });
        }
      });
    } else {
      notes.push(
        `wrk is not installed (${wrk.install}): no throughput figures. A load generator written in Node tops out near the server's own speed on two cores, so none stands in for it.`,
      );
    }
    const accuracy = await measureLatency(scratch, codes, latencyRequests);
    log(`  [server] held ${LATENCY_MS} ms: p50 ${accuracy.latencyMs.p50} ms, p99 ${accuracy.latencyMs.p99} ms`);
    notes.push(
      `Latency accuracy: answers held for ${LATENCY_MS} ms; ${latencyRequests} requests at ${CONNECTIONS} in flight from a node:http client took p50 ${accuracy.latencyMs.p50} ms, p90 ${accuracy.latencyMs.p90} ms, p99 ${accuracy.latencyMs.p99} ms, max ${accuracy.latencyMs.max} ms: ${(accuracy.latencyMs.p50 - LATENCY_MS).toFixed(1)} ms over the configured latency at the median.`,
    );
    return result(loads, notes, { seconds, accuracy, latencyRequests, wrk: wrk.version ?? null });
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

async function measureLatency(scratch: string, codes: string[], requests: number): Promise<LoadResult> {
  const delayed = await fixedLatencyServer(LATENCY_MS);
  try {
    const urls = join(scratch, 'delayed-urls.txt');
    await writeFile(urls, codes.map((cc) => `${delayed.baseUrl}/${cc}/${cc}.svg`).join('\n'));
    const timing = await timeProcess(process.execPath, [loadClient, urls, String(requests), String(CONNECTIONS)]);
    if (timing.exitCode !== 0) throw new Error(`load client failed: ${timing.stderr.trim()}`);
    return JSON.parse(timing.stdout) as LoadResult;
  } finally {
    await delayed.close();
  }
}

function result(loads: Map<string, WrkResult[]>, notes: string[], data: { seconds: number; accuracy: LoadResult; latencyRequests: number; wrk: string | null }): ScenarioResult {
  // The first run of each server is measureClients' untimed warm-up.
  const rows = [...loads].map(([name, [, ...runs]]) => {
    const rates = runs.map((run) => run.requestsPerSecond);
    return {
      name,
      runs: runs.length,
      requestsPerSecond: { median: median(rates), min: Math.min(...rates), max: Math.max(...rates) },
      msPerRequests: (REQUESTS / median(rates)) * 1000,
      p50: median(runs.map((run) => run.latencyMs.p50)),
      p99: median(runs.map((run) => run.latencyMs.p99)),
    };
  });
  const embedded = rows.find((row) => row.name === 'embedded');
  const nginx = rows.find((row) => row.name === 'nginx');
  const target = nginx
    ? ratioTarget(
        'server',
        TARGET,
        3,
        { label: 'embedded', value: embedded?.msPerRequests ?? null },
        { label: 'nginx', value: nginx.msPerRequests },
        (ms) => `${(ms / 1000).toFixed(2)} s per ${REQUESTS / 1000}k requests`,
      )
    : skippedTarget('server', TARGET, 3, loads.size === 0 ? 'wrk is not installed' : 'nginx is not installed');
  return {
    name: 'server',
    title: `server: flag requests over loopback, ${CONNECTIONS} keep-alive connections`,
    method: `wrk (one thread, ${CONNECTIONS} connections, ${data.seconds} s per run, every flag in turn) against the embedded server without latency and against nginx (one process) serving the same files; each run's rate gives the time for ${REQUESTS.toLocaleString('en')} requests.`,
    table: {
      columns: [
        { header: 'server', align: 'left' },
        { header: 'runs', align: 'right' },
        { header: 'requests/s median (min-max)', align: 'right' },
        { header: `time for ${REQUESTS / 1000}k requests`, align: 'right' },
        { header: 'latency p50', align: 'right' },
        { header: 'latency p99', align: 'right' },
      ],
      cells: rows.map((row) => [
        row.name,
        String(row.runs),
        `${Math.round(row.requestsPerSecond.median)} (${Math.round(row.requestsPerSecond.min)}-${Math.round(row.requestsPerSecond.max)})`,
        `${(row.msPerRequests / 1000).toFixed(2)} s`,
        `${row.p50.toFixed(2)} ms`,
        `${row.p99.toFixed(2)} ms`,
      ]),
    },
    charts: [],
    targets: [target],
    notes,
    data: { ...data, throughput: rows },
  };
}
