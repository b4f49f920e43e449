import { setTimeout as sleep } from 'node:timers/promises';

/**
 * The least a Piscina worker can be: a task that returns once every worker of the pool is up,
 * so that all of them are alive at once when the process's memory peaks. It waits on its event
 * loop, as a flags worker does, rather than blocking: a blocked thread never gets to collect its
 * start-up garbage, which would count as the cost of a worker.
 */
export default async function waitForAll({ started, total }: { started: Int32Array; total: number }): Promise<void> {
  Atomics.add(started, 0, 1);
  while (Atomics.load(started, 0) < total) await sleep(5);
}
