import type { CompareOptions, CompareSummary } from '../compare/comparison.js';

/**
 * Times the same download at several thread counts (and modes) as `flags compare` does, each run
 * the real CLI in a child process against one server, and resolves to the summary that
 * `flags compare --json` prints. Bad options reject with an OptionError before any run. A chart
 * that cannot be written is said through `onLog`; the summary still resolves.
 */
export async function compare(options: CompareOptions = {}): Promise<CompareSummary> {
  // Its modules load only when it runs: a program that only downloads should not pay for them.
  const { runComparison } = await import('../compare/comparison.js');
  return (await runComparison(options)).summary;
}
