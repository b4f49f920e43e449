import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scriptArgs, usageError } from './args.js';
import { soak, soakText } from './soak.js';

/**
 * `npm run soak [-- --runs N]`: 40 runs of all 257 flags (10,280 downloads) through the error
 * profile at 30% faults, alternating a pool of 4 threads × 5 and the event loop with 20 in flight.
 */
const USAGE = 'npm run soak -- [--runs <N>]';
const { values } = scriptArgs(USAGE, { options: { runs: { type: 'string', default: '40' } } });
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) usageError(`--runs must be a whole number >= 1, got ${values.runs}`, USAGE);

const options = {
  runs,
  errorRate: 0.3,
  seed: 1,
  // 0.3^11: about one flag in 600,000 uses up every attempt, so a loss would be a defect, not bad luck.
  retries: 10,
  retryDelayMs: 50,
  timeoutMs: 2000,
  configs: [
    ['--threads', '4', '--concurrency', '5'],
    ['--mode', 'async', '--concurrency', '20'],
  ],
  tempRoot: await mkdtemp(join(tmpdir(), 'flags-soak-')),
  log: (line: string) => process.stderr.write(`${line}\n`),
};
try {
  const figures = await soak(options);
  process.stdout.write(`${soakText(figures, options)}\n`);
  process.exitCode = figures.lost + figures.doubled + figures.partial + figures.failedRuns === 0 ? 0 : 1;
} finally {
  await rm(options.tempRoot, { recursive: true, force: true });
}
