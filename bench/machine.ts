import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, release, totalmem } from 'node:os';
import type { Tool } from './peers.js';

export interface Machine {
  date: string;
  cpu: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  peers: { name: string; version: string | null; note?: string }[];
}

/** What the results were measured on: figures from another machine or Node version do not compare. */
export function describeMachine(peers: readonly Tool[]): Machine {
  return {
    date: new Date().toISOString(),
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: availableParallelism(),
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    os: `${osName()} (kernel ${release()})`,
    node: process.version,
    peers: peers.map((peer) => ({
      name: peer.name,
      version: peer.version ?? null,
      ...(peer.available ? {} : { note: `not installed, skipped: ${peer.install}` }),
    })),
  };
}

export function machineLine(machine: Machine): string {
  const peers = machine.peers.map((peer) => `${peer.name} ${peer.version ?? '(absent)'}`).join(', ');
  return `${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.os}, Node ${machine.node}; peers: ${peers}`;
}

function osName(): string {
  try {
    return /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? process.platform;
  } catch {
    return process.platform;
  }
}
