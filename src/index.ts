/**
 * The flags library: what the `flags` command does, as functions that print nothing, install no
 * signal handler and never exit the process.
 *
 * @example
 * ```ts
 * import { download } from 'flags';
 * const run = download({ codes: ['br', 'in'], server: 'local', dest: 'out' });
 * for await (const result of run) console.log(result.cc, result.status);
 * console.log(await run.report);
 * ```
 * @packageDocumentation
 */
export { compare } from './api/compare.js';
export { download, type DownloadRun } from './api/download.js';
export type { DownloadEvents, DownloadOptions, RunStart } from './api/download-options.js';
export { type Server, type ServeOptions, serve } from './api/serve.js';
export { type EnqueueOptions, type EnqueueSummary, enqueue } from './queue/enqueue.js';
export { type QueueResult, type WorkEvents, type WorkOptions, type WorkStart, type WorkSummary, work } from './queue/work.js';
export { type QueueReport, type QueueStatus, queueReport, queueStatus } from './queue/status.js';
export { QueueError } from './queue/queue-error.js';
export { MissingPackageError, OptionError, type OptionErrorCode } from './errors.js';
export type { CompareEvents, CompareOptions, CompareSummary } from './compare/comparison.js';
export type { CompareRow } from './compare/rows.js';
export type { RunFigures } from './compare/run-figures.js';
export type { ServedRequest } from './server/flag-server.js';
export type { ServerProfile } from './server/server-options.js';
export { ServerStartError } from './server/start-error.js';
export type { RunOutput } from './report/run-outputs.js';
export type { Existing, Item, ItemResult, Mode, Partition, RetryNotice, RunReport, Status, WorkerStart } from './types.js';
