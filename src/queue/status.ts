import type { Job } from 'bullmq';
import type { ItemNoun } from '../input/items.js';
import type { RunReport } from '../types.js';
import { parseQueueAddress } from './address.js';
import { loadBullmq, openRedis } from './connection.js';
import { loadRun } from './run-settings.js';
import type { JobData, QueueResult } from './work.js';

/** Jobs in each state, as `flags status` shows them. */
export interface QueueStatus {
  queue: string;
  waiting: number;
  active: number;
  delayed: number;
  completed: number;
  failed: number;
  total: number;
}

/** A local run's report, each result with its host, and what the items are. */
export interface QueueReport extends RunReport {
  items: ItemNoun;
  results: QueueResult[];
  /** Jobs not done yet: waiting, delayed or in a worker's hands. Nothing interrupts a queue: `interrupted` is false. */
  pending: number;
}

/** Jobs read from Redis in one request, for the report. */
const PAGE = 1000;

/** The queue's counts by state. */
export async function queueStatus(options: { queue?: string } = {}): Promise<QueueStatus> {
  return withQueue(options.queue, async (queue, label) => {
    const counts = await queue.getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'completed', 'failed');
    const waiting = (counts.waiting ?? 0) + (counts.prioritized ?? 0);
    const { active = 0, delayed = 0, completed = 0, failed = 0 } = counts;
    return { queue: label, waiting, active, delayed, completed, failed, total: waiting + active + delayed + completed + failed };
  });
}

/**
 * The report of a local run, over the queue's completed and failed jobs: each result is its job's
 * (with the host that did it); the time is from the first job's start to the last one's end. Jobs
 * not yet done are counted as `pending`.
 */
export async function queueReport(options: { queue?: string } = {}): Promise<QueueReport> {
  const address = parseQueueAddress(options.queue);
  const redis = await openRedis(address);
  const run = await loadRun(redis, address.name, address.label).finally(() => redis.disconnect());
  return withQueue(options.queue, async (queue) => {
    const total = Object.values(await queue.getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'completed', 'failed')).reduce((a, b) => a + b, 0);
    const results: QueueResult[] = [];
    let first = Number.POSITIVE_INFINITY;
    let last = Number.NEGATIVE_INFINITY;
    for (const state of ['completed', 'failed'] as const) {
      for (let start = 0; ; start += PAGE) {
        const jobs = (await queue.getJobs(state, start, start + PAGE - 1, true)) as Job<JobData, QueueResult>[];
        for (const job of jobs) {
          const result = state === 'completed' ? job.returnvalue : (job.data.result ?? lostResult(job));
          results.push(result);
          first = Math.min(first, job.processedOn ?? first);
          last = Math.max(last, job.finishedOn ?? last);
        }
        if (jobs.length < PAGE) break;
      }
    }
    results.sort((a, b) => a.startedAt - b.startedAt);
    const threads = new Map<string, QueueResult[]>();
    for (const result of results) {
      const key = `${result.host} ${result.pid} ${result.thread}`;
      const done = threads.get(key);
      if (done === undefined) threads.set(key, [result]);
      else done.push(result);
    }
    const count = (status: QueueResult['status']) => results.filter((result) => result.status === status).length;
    return {
      server: run.server,
      items: run.items,
      mode: 'threads',
      threads: threads.size,
      // Each worker's own setting is not stored: what its threads did is.
      concurrency: Math.max(1, ...[...threads.values()].map(mostAtOnce)),
      partition: 'dynamic',
      requested: total,
      ok: count('ok'),
      notFound: count('not_found'),
      notModified: count('not_modified'),
      skipped: count('skipped'),
      error: count('error'),
      bytes: results.reduce((sum, result) => sum + result.bytes, 0),
      elapsedMs: results.length === 0 ? 0 : Math.max(0, last - first),
      workersStarted: threads.size,
      workerStartupMs: null,
      png: run.fetch.png ?? null,
      renderMs: results.reduce((sum, result) => sum + (result.renderMs ?? 0), 0),
      processStart: Number.isFinite(first) ? first : 0,
      workers: [],
      peakRssBytes: 0,
      interrupted: false,
      results,
      pending: total - results.length,
    };
  });
}

/** The most of `results` under way at one moment: one that ends as another starts is not counted with it. */
function mostAtOnce(results: readonly QueueResult[]): number {
  const ends = results.map((result) => result.endedAt).sort((a, b) => a - b);
  let most = 0;
  let ended = 0;
  // `results` is in order of start: each start counts against the ends before it.
  results.forEach((result, started) => {
    while (ended < ends.length && ends[ended]! <= result.startedAt) ended++;
    most = Math.max(most, started + 1 - ended);
  });
  return most;
}

/** A job failed without a result of ours (a worker died with it more often than BullMQ allows): BullMQ's reason stands. */
function lostResult(job: Job<JobData>): QueueResult {
  const { url, file, cc, line } = job.data;
  return {
    url,
    file,
    ...(cc === undefined ? {} : { cc }),
    ...(line === undefined ? {} : { line }),
    status: 'error',
    bytes: 0,
    startedAt: job.processedOn ?? job.timestamp,
    ms: 0,
    endedAt: job.processedOn ?? job.timestamp,
    thread: 0,
    attempts: job.attemptsMade,
    error: job.failedReason,
    host: '',
    pid: 0,
  };
}

async function withQueue<T>(given: string | undefined, use: (queue: import('bullmq').Queue, label: string) => Promise<T>): Promise<T> {
  const address = parseQueueAddress(given);
  const redis = await openRedis(address);
  const { Queue } = await loadBullmq();
  const queue = new Queue(address.name, { connection: redis });
  try {
    return await use(queue, address.label);
  } finally {
    await queue.close();
    redis.disconnect();
  }
}
