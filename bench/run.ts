import { fileURLToPath } from 'node:url';
import { describeMachine, machineLine } from './machine.js';
import { detectPeers, detectRenderer } from './peers.js';
import { scenarioText, targetsText, writeResults } from './results.js';
import type { ScenarioContext, ScenarioResult } from './scenario.js';
import { burstScenario } from './scenarios/burst.js';
import { filesScenario } from './scenarios/files.js';
import { hundredsScenario } from './scenarios/hundreds.js';
import { memoryScenario } from './scenarios/memory.js';
import { renderScenario } from './scenarios/render.js';
import { scaleScenario } from './scenarios/scale.js';
import { seedScenario } from './scenarios/seed.js';
import { serverScenario } from './scenarios/server.js';
import { startupScenario } from './scenarios/startup.js';

/**
 * `npm run bench [-- --quick] [-- --only seed,burst]`: every scenario of issue 3, the results
 * to bench/results/{full,quick}/ and the targets last. The quick run makes 3 timed runs per
 * client instead of 5 and fewer points per scenario; its figures are rougher.
 */
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const onlyAt = args.indexOf('--only');
const only = onlyAt < 0 ? undefined : (args[onlyAt + 1] ?? '').split(',');

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
};
const unknown = only?.filter((name) => !(name in scenarios));
if (unknown && unknown.length > 0) throw new Error(`--only: unknown scenario ${unknown.join(', ')}; choose from ${Object.keys(scenarios).join(', ')}`);

const peers = detectPeers();
const renderer = detectRenderer();
const tools = [...peers, renderer];
const machine = describeMachine(tools);
const log = (line: string) => process.stderr.write(`${line}\n`);
const mode = quick ? 'quick' : 'full';
log(`flags bench (${mode}) on ${machineLine(machine)}`);
for (const tool of tools) if (!tool.available) log(`${tool.name} is not installed: skipped (${tool.install})`);

const context: ScenarioContext = { quick, repeat: quick ? 3 : 5, peers, renderer, log };
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
const folder = fileURLToPath(new URL(`../../bench/results/${mode}${only ? '-partial' : ''}/`, import.meta.url));
const written = await writeResults(folder, machine, mode, results, targets);
log(`\n${written.length} files written to ${folder} in ${Math.round((performance.now() - started) / 1000)} s`);
