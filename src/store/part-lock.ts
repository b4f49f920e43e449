import { readFile, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { PART_SUFFIXES } from './reserved-names.js';

/** The lock of a `.part`, beside it: `{file}.part.lock`. */
export const lockPath = (target: string) => `${target}${PART_SUFFIXES[2]}`;

/** Why a `.part` cannot be used now: another run is writing it. Not transient: a retry would meet the same run. */
export class PartLocked extends Error {}

/**
 * `--continue`: takes the `.part` of `target` for this process until `release` is called. Two
 * runs appending to one `.part` would make a file of both their bytes, and one that renames it
 * into place while the other still writes would see it grow after it said it was whole. The lock
 * is a file created exclusively that holds its process's id and host: one left by a process that
 * is gone (killed, say) is taken over; one of a process still running here, or on another host
 * (a shared folder), is a `PartLocked` error naming it.
 */
export async function lockPart(target: string): Promise<() => Promise<void>> {
  const path = lockPath(target);
  const owner = `${process.pid} ${hostname()}`;
  for (let tries = 1; ; tries++) {
    try {
      await writeFile(path, owner, { flag: 'wx' });
      return () => rm(path, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || tries === 2) throw error;
    }
    const holder = await readFile(path, 'utf8').catch(() => '');
    const [pid, host] = holder.split(' ');
    if (host !== hostname() || alive(Number(pid))) {
      const who = host === hostname() ? `process ${pid}` : host ? `process ${pid} on ${host}` : 'another run';
      throw new PartLocked(`${path}: ${who} is downloading this file into the same folder; if none is, remove the lock`);
    }
    // Its process is gone: the lock is stale.
    await rm(path, { force: true });
  }
}

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
