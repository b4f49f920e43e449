import { constants } from 'node:os';
import { fitLines, terminalWidth } from '../report/terminal-width.js';

/** Ctrl-C, kill's default signal and a closed terminal: each stops a command cleanly. */
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
export type StopSignal = (typeof STOP_SIGNALS)[number];

export interface Interrupt {
  /** Aborted by the first signal. */
  readonly signal: AbortSignal;
  /** The signal that stopped the command, once one came. */
  readonly stoppedBy: StopSignal | undefined;
  /** Stops listening; the three signals get their default disposition back. */
  dispose(): void;
}

/**
 * SIGINT, SIGTERM and SIGHUP for a command that stops cleanly: the first of them aborts `signal`
 * and says what happens now, so that the command can finish what is safe and report. Our
 * listeners then go, which gives all three their default disposition back: a second signal ends
 * the process through the kernel at once, even while a thread or the main thread is inside native
 * code, where no listener could run and where process.exit would wait for the thread.
 *
 * `relay`: a command that only waits on a child process keeps listening instead and hands each
 * signal, the first included, to `relay`; the child stops cleanly on the first and at once on the
 * second, and the command, never blocked itself, follows it.
 */
export function onInterrupt(whatHappens: string, relay?: (signal: StopSignal) => void): Interrupt {
  const cancel = new AbortController();
  let stoppedBy: StopSignal | undefined;
  const dispose = () => {
    for (const name of STOP_SIGNALS) process.off(name, stop);
  };
  function stop(signal: StopSignal) {
    relay?.(signal);
    if (stoppedBy !== undefined) return;
    stoppedBy = signal;
    if (relay === undefined) dispose();
    // Aborting first lets a progress bar clear its line before the message is written below it.
    cancel.abort();
    const again = signal === 'SIGINT' ? 'Ctrl-C again to quit at once' : 'a second signal quits at once';
    const message = `Interrupted${signal === 'SIGINT' ? '' : ` by ${signal}`}: ${whatHappens} (${again})`;
    process.stderr.write(`\n${fitLines(message, terminalWidth(process.stderr))}\n`);
  }
  for (const name of STOP_SIGNALS) process.on(name, stop);
  return {
    signal: cancel.signal,
    get stoppedBy() {
      return stoppedBy;
    },
    dispose,
  };
}

/** The exit code of a command that `signal` stopped, as a shell gives it for a process the signal killed: 130, 143, 129. */
export const exitCodeOnSignal = (signal: StopSignal): number => 128 + constants.signals[signal];
