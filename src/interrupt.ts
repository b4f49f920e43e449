/**
 * Ctrl-C for a command that stops cleanly: the first one aborts `signal` and says what happens now,
 * so that the command can finish what is safe and report; a second one quits at once (exit 130).
 */
export function onInterrupt(whatHappens: string): { signal: AbortSignal; dispose(): void } {
  const cancel = new AbortController();
  const interrupt = () => {
    if (cancel.signal.aborted) process.exit(130);
    // Aborting first lets a progress bar clear its line before the message is written below it.
    cancel.abort();
    process.stderr.write(`\nInterrupted: ${whatHappens} (Ctrl-C again to quit at once)\n`);
  };
  process.on('SIGINT', interrupt);
  return { signal: cancel.signal, dispose: () => process.off('SIGINT', interrupt) };
}
