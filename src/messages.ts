import type { MessagePort } from 'node:worker_threads';
import type { FetchOptions, Item, ItemResult, RetryNotice } from './types.js';

/**
 * The port protocol between the main thread and a pool worker. A worker's first task opens with
 * `started`, which says when its thread started, for the timeline. The worker asks for one item per
 * free slot (`want`), the main thread answers each ask in order (`work`, `item: null` when there is
 * nothing left), and the worker posts one `result` per item the moment it is done (and a `retry`
 * each time a slot is about to wait before trying an item again, and `bytes` received, gathered,
 * a few times a second while bodies stream, and before each result). The worker
 * closes its end when its slots are idle; the main thread counts the task complete only on the
 * port's `close`, which comes after every message posted before it.
 */
export type WorkerMessage =
  | { type: 'started'; thread: number; startedAt: number }
  | { type: 'want' }
  | { type: 'result'; result: ItemResult }
  | { type: 'retry'; notice: RetryNotice }
  | { type: 'bytes'; bytes: number };

export type MainMessage = { type: 'work'; item: Item | null } | { type: 'cancel' };

/** What the pool hands a worker for one task. */
export interface WorkerTask {
  port: MessagePort;
  fetch: FetchOptions;
  concurrency: number;
}
