import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scriptArgs, usageError } from './args.js';
import { describeMachine, machineLine } from './machine.js';
import { detectPeers, detectRenderer } from './peers.js';
import { scenarioText, targetsText, writeResults } from './results.js';
import type { ScenarioContext, ScenarioResult } from './scenario.js';
import { burstScenario } from './scenarios/burst.js';
import { filesScenario } from './scenarios/files.js';
import { splitScenario } from './scenarios/split.js';
import { hundredsScenario } from './scenarios/hundreds.js';
import { memoryScenario } from './scenarios/memory.js';
import { queueScenario } from './scenarios/queue.js';
import { renderScenario } from './scenarios/render.js';
import { scaleScenario } from './scenarios/scale.js';
import { seedScenario } from './scenarios/seed.js';
import { serverScenario } from './scenarios/server.js';
import { startupScenario } from './scenarios/startup.js';

/**
 * `npm run bench [-- --quick] [-- --only seed,burst] [-- --save]`: every scenario of issue 3, the
 * results to bench/results/local/{full,quick}/ (ignored by git) and the targets last; `--save`
 * writes a whole run to the committed bench/results/{full,quick}/ instead. The quick run makes 3
 * timed runs per client instead of 5 and fewer points per scenario; its figures are rougher.
 * `--baseline DIR`: a built checkout (another branch, main) whose bin the files, seed and startup scenarios time too.
 */
const USAGE = 'npm run bench -- [--quick] [--only <scenario,...>] [--save] [--baseline <checkout>]';
const { values } = scriptArgs(USAGE, {
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    save: { type: 'boolean', default: false },
    baseline: { type: 'string' },
  },
});
const { quick, save } = values;
const only = values.only?.split(',');

const scenarios = {
  startup: startupScenario,
  seed: seedScenario,
  hundreds: hundredsScenario,
  burst: burstScenario,
  scale: scaleScenario,
  memory: memoryScenario,
  server: serverScenario,
  render: renderScenario,
  files: filesScenario,
  split: splitScenario,
  queue: queueScenario,
};
const unknown = only?.filter((name) => !(name in scenarios));
if (unknown && unknown.length > 0) usageError(`--only: unknown scenario ${unknown.join(', ')}; choose from ${Object.keys(scenarios).join(', ')}`, USAGE);
// The committed results are whole runs, each figure beside the others of its machine and day.
if (save && only) usageError('--save keeps whole runs: with --only, the committed results would lose every other scenario', USAGE);

// Another checkout, built: its bin runs beside this one's in the same passes (the files scenario), for a before and after on a noisy machine.
const baselineCli = values.baseline === undefined ? undefined : join(resolve(values.baseline), 'dist', 'bundle', 'cli.js');
if (baselineCli !== undefined && !existsSync(baselineCli)) usageError(`--baseline: no ${baselineCli}: build that checkout first (npm run build)`, USAGE);
if (baselineCli !== undefined && save) usageError('--baseline: the committed results are of one build', USAGE);

const peers = detectPeers();
const renderer = detectRenderer();
const tools = [...peers, renderer];
const machine = describeMachine(tools);
const log = (line: string) => process.stderr.write(`${line}\n`);
const mode = quick ? 'quick' : 'full';
log(`flags bench (${mode}) on ${machineLine(machine)}`);
for (const tool of tools) if (!tool.available) log(`${tool.name} is not installed: skipped (${tool.install})`);

const context: ScenarioContext = {
  quick,
  repeat: quick ? 3 : 5,
  peers,
  renderer,
  log,
  ...(baselineCli === undefined ? {} : { baseline: { cli: baselineCli, label: 'baseline' } }),
};
const results: ScenarioResult[] = [];
const started = performance.now();
for (const [name, scenario] of Object.entries(scenarios)) {
  if (only && !only.includes(name)) continue;
  log(`\n${name}...`);
  const result = await scenario(context);
  results.push(result);
  process.stdout.write(`\n${scenarioText(result)}\n`);
}
const targets = results.flatMap((result) => result.targets);
process.stdout.write(`\nTargets (${mode}${quick ? ': 3 runs per client, fewer points' : ''}):\n${targetsText(targets)}\n`);
const folder = fileURLToPath(new URL(`../../bench/results/${save ? '' : 'local/'}${mode}${only ? '-partial' : ''}/`, import.meta.url));
const written = await writeResults(folder, machine, mode, results, targets);
log(`\n${written.length} files written to ${folder} in ${Math.round((performance.now() - started) / 1000)} s`);
