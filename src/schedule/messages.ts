import type { MessagePort } from 'node:worker_threads';
import type { FetchOptions, Item, ItemResult, Piece, PieceOutcome, RetryNotice } from '../types.js';

/**
 * The port protocol between the main thread and a pool worker. A worker's first task opens with
 * `started`, which says when its thread started, for the timeline. The worker asks for one item per
 * free slot (`want`), the main thread answers each ask in order (`work`, `item: null` when there is
 * nothing left), and the worker posts one `result` per item the moment it is done, with the body
 * bytes received since its last post (and a `retry` each time a slot is about to wait before trying
 * an item again, and `bytes` received, gathered, a few times a second while bodies stream). The worker
 * closes its end when its slots are idle; the main thread counts the task complete only on the
 * port's `close`, which comes after every message posted before it.
 *
 * With limits (`limited`), an ask for work may wait, and an item comes with the permit of its first
 * request; before each request, the first and every retry, the worker asks for leave (`want-permit`,
 * answered by `permit`), says when the request is on the wire (`sent`: the rate's window counts from
 * then), and gives the permit back as the request ends (`permit-back`, before the item's `result`).
 *
 * With `--split`, an ask for work may also be answered with a range of a file that another slot
 * splits (`piece`, reported with `piece-done`), and wait while items are in flight that may yet
 * be split. The slot that splits a file shares its other ranges (`share`, answered with `shared`
 * once every one has ended), and takes back, one at a time, those no slot has taken yet
 * (`take-back`, answered with `taken-back`, `piece: null` when none is left). Whoever fetches a
 * range says now and then how many of its bytes are on disk (`piece-written`), which the main
 * thread passes to the owner (`written`), for the split's record (`--continue`).
 *
 * Each end switches over every type it may receive, and nothing else: a type it does not know is a
 * `ProtocolViolation`, and the task ends as one whose worker crashed (its items go to another).
 */
export type WorkerMessage =
  | { type: 'started'; thread: number; startedAt: number }
  | { type: 'want' }
  | { type: 'result'; result: ItemResult; bytes: number }
  | { type: 'retry'; notice: RetryNotice }
  | { type: 'bytes'; bytes: number }
  | { type: 'want-permit'; url: string }
  | { type: 'sent'; url: string }
  | { type: 'permit-back'; url: string }
  | { type: 'share'; split: string; pieces: Piece[] }
  | { type: 'take-back'; split: string }
  | { type: 'piece-written'; piece: Piece; bytes: number }
  | { type: 'piece-done'; piece: Piece; outcome: PieceOutcome };

export type MainMessage =
  | { type: 'work'; item: Item | null }
  | { type: 'piece'; piece: Piece }
  | { type: 'permit'; url: string }
  | { type: 'cancel' }
  | { type: 'shared'; split: string; outcomes: PieceOutcome[] }
  | { type: 'taken-back'; split: string; piece: Piece | null }
  | { type: 'written'; split: string; start: number; bytes: number };

/** What the pool hands a worker for one task. */
export interface WorkerTask {
  port: MessagePort;
  fetch: FetchOptions;
  concurrency: number;
  /** `--per-host` or `--rate` is on: each request waits for leave from the main thread. */
  limited: boolean;
}
