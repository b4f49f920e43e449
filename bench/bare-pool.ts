import { availableParallelism } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { Piscina } from 'piscina';
import { scriptArgs, usageError } from './args.js';

/**
 * `node bare-pool.js T`: a Piscina pool with the options flags uses, T workers of nothing, all
 * alive at once, then gone. Its peak memory against T is what a worker costs before any code of
 * ours runs in it. The pool grows as flags' does, a few workers at a time, each new task once an
 * earlier worker is up: workers all starting together would overlap their start-up garbage and
 * count it as the cost of a worker.
 */
const USAGE = 'node bare-pool.js <threads>';
const { positionals } = scriptArgs(USAGE, { allowPositionals: true });
const total = Number(positionals[0]);
if (positionals.length !== 1 || !Number.isInteger(total) || total < 1) usageError(`expected one whole number of threads >= 1, got ${positionals.join(' ')}`, USAGE);

const atOnce = Math.min(total, availableParallelism());
const pool = new Piscina({
  filename: new URL('./bare-worker.js', import.meta.url).href,
  minThreads: atOnce,
  maxThreads: total,
  idleTimeout: Number.POSITIVE_INFINITY,
  atomics: 'disabled',
});
const started = new Int32Array(new SharedArrayBuffer(4));
const tasks: Promise<void>[] = [];
while (tasks.length < total) {
  if (tasks.length < atOnce + Atomics.load(started, 0)) tasks.push(pool.run({ started, total }));
  else await sleep(1);
}
await Promise.all(tasks);
await pool.destroy();
