import type { ChildProcess } from 'node:child_process';

/**
 * Hands the signals `flags compare` receives on to its child run in progress. The child runs in a
 * process group of its own (spawned detached), so that a Ctrl-C on the terminal reaches it once,
 * from here, rather than twice (a second signal ends a run at once); the signal goes to the whole
 * group: GNU time and the run it measures.
 */
export class SignalRelay {
  readonly #received: NodeJS.Signals[] = [];
  #group: number | undefined;

  /** Passes `signal` on to the child in progress, and to any child started later. */
  send(signal: NodeJS.Signals): void {
    this.#received.push(signal);
    if (this.#group !== undefined) signalGroup(this.#group, signal);
  }

  /** Relays to `child`'s process group (it must lead one) until its output closes, the signals received so far first. */
  follow(child: ChildProcess): void {
    const group = child.pid;
    if (group === undefined) return;
    this.#group = group;
    for (const signal of this.#received) signalGroup(group, signal);
    // Not 'exit': GNU time dies of SIGTERM at once, while the run under it is still stopping.
    child.once('close', () => {
      if (this.#group === group) this.#group = undefined;
    });
  }
}

function signalGroup(group: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-group, signal);
  } catch {
    // ESRCH: the group ended between its last output and 'close'.
  }
}
