import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { renderChart } from '../src/compare/chart.js';
import { markdownTable, textTable } from '../src/compare/text-table.js';
import { type Machine, machineLine } from './machine.js';
import type { ScenarioResult } from './scenario.js';
import type { TargetResult } from './targets.js';

const targetColumns = [
  { header: 'scenario', align: 'left' },
  { header: 'target', align: 'left' },
  { header: 'measured', align: 'left' },
  { header: 'verdict', align: 'left' },
] as const;

const targetCells = (targets: readonly TargetResult[]) => targets.map((target) => [target.scenario, target.target, target.measured, target.verdict]);

/** Every target with its figure, PASS or MISS and by how much: what the bench prints last. */
export function targetsText(targets: readonly TargetResult[]): string {
  return textTable([...targetColumns], targetCells(targets));
}

/** One scenario for the terminal: its table and notes. */
export function scenarioText(result: ScenarioResult): string {
  return [`== ${result.title}`, textTable(result.table.columns, result.table.cells), ...result.notes].join('\n');
}

/**
 * `results.json` (everything measured), `results.md` (the tables, the targets and the charts as
 * images) and one SVG per chart, in `folder`.
 */
export async function writeResults(folder: string, machine: Machine, mode: string, results: readonly ScenarioResult[], targets: readonly TargetResult[]): Promise<string[]> {
  await mkdir(folder, { recursive: true });
  const written: string[] = [];
  const write = async (name: string, content: string) => {
    await writeFile(join(folder, name), content);
    written.push(join(folder, name));
  };
  for (const result of results) for (const chart of result.charts) await write(`${chart.name}.svg`, renderChart(chart.spec));
  await write('results.json', `${JSON.stringify({ machine, mode, targets, scenarios: results }, null, 2)}\n`);
  const sections = results.map((result) =>
    [
      `## ${result.title}`,
      '',
      result.method,
      '',
      markdownTable(result.table.columns, result.table.cells),
      ...(result.notes.length > 0 ? ['', ...result.notes.map((note) => `- ${note}`)] : []),
      ...result.charts.map((chart) => `\n![${chart.spec.title}](${chart.name}.svg)`),
    ].join('\n'),
  );
  const markdown = [
    `# flags benchmark (${mode})`,
    '',
    `Measured ${machine.date.slice(0, 16).replace('T', ' ')} UTC on ${machineLine(machine)}.`,
    '',
    "Method: one untimed warm-up per program, then every client once per pass, each pass in a shuffled order of its own, passes repeated, runs one at a time; times are whole processes from spawn to exit (the server scenario: the client's request loop), medians with min-max.",
    '',
    '## Targets',
    '',
    markdownTable([...targetColumns], targetCells(targets)),
    '',
    ...sections.flatMap((section) => [section, '']),
  ].join('\n');
  await write('results.md', markdown);
  return written;
}
