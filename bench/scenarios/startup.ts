import { fileURLToPath } from 'node:url';
import type { ChildRun } from '../../src/compare/child-run.js';
import { cell, mebibytes } from '../../src/compare/format.js';
import { timeProcess } from '../../src/compare/process-timer.js';
import { cliPath } from '../../src/paths.js';
import type { Client } from '../clients.js';
import { measureClients } from '../measure.js';
import { benchRows, failureNotes } from '../rows.js';
import type { ScenarioContext, ScenarioResult } from '../scenario.js';
import { ratioTarget } from '../targets.js';

/** tsc's output, module by module: what the bin was before it was bundled. */
const unbundled = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

const NODE = 'node -e 0';

/** A start-up lasts a tenth of a second: more runs than a download gets cost little and steady the medians. */
const RUNS_PER_PASS = 4;

const milliseconds = (ms: number) => `${Math.round(ms)} ms`;

/**
 * What a command costs before it does anything: `flags --version` and `--help` against Node
 * starting and doing nothing, in the same interleaved runs, with the unbundled CLI beside them.
 */
export async function startupScenario({ repeat, log, baseline }: ScenarioContext): Promise<ScenarioResult> {
  const clients = [
    processClient(NODE, ['-e', '0']),
    processClient('flags --version', [cliPath, '--version']),
    processClient('flags --help', [cliPath, '--help']),
    processClient('unbundled --version', [unbundled, '--version']),
    processClient('unbundled --help', [unbundled, '--help']),
    ...(baseline === undefined
      ? []
      : [processClient(`${baseline.label} --version`, [baseline.cli, '--version']), processClient(`${baseline.label} --help`, [baseline.cli, '--help'])]),
  ];
  const runs = await measureClients('startup', clients, repeat * RUNS_PER_PASS, log);
  const rows = benchRows(clients, runs);
  const median = (name: string) => rows.find((row) => row.client === name)?.medianMs ?? null;
  const node = median(NODE);
  const extraCa = process.env.NODE_EXTRA_CA_CERTS;
  return {
    name: 'startup',
    title: 'startup: a command that does nothing, against Node doing nothing',
    method: `\`node -e 0\`, the bin (\`dist/bundle/cli.js\`) with \`--version\` and \`--help\`, and the unbundled CLI (\`dist/src/cli/main.js\`) with the same, ${baseline === undefined ? '' : `the baseline build's bin (${baseline.cli}) with the same, `}each run to its end with its output read through a pipe; ${repeat * RUNS_PER_PASS} interleaved passes after one warm-up each.`,
    table: {
      columns: [
        { header: 'command', align: 'left' },
        { header: 'median wall (min-max)', align: 'right' },
        { header: 'runs', align: 'right' },
        { header: `÷ ${NODE}`, align: 'right' },
        { header: 'peak memory', align: 'right' },
      ],
      cells: rows.map((row) => [
        row.client,
        row.medianMs === null ? `all ${row.failed} runs failed` : `${milliseconds(row.medianMs)} (${Math.round(row.minMs!)}-${Math.round(row.maxMs!)})`,
        row.failed > 0 ? `${row.runs} (+${row.failed} failed)` : String(row.runs),
        row.medianMs !== null && node !== null ? `${(row.medianMs / node).toFixed(2)}×` : '—',
        cell(row.peakRssBytes, mebibytes),
      ]),
    },
    charts: [],
    targets: [
      ratioTarget(
        'startup',
        `flags --version at most 1.45 × ${NODE}`,
        1.45,
        { label: 'flags --version', value: median('flags --version') },
        { label: NODE, value: node },
        milliseconds,
      ),
    ],
    notes: [
      ...(extraCa ? [`NODE_EXTRA_CA_CERTS is set (${extraCa}): every Node process here, ${NODE} included, reads those certificates as it starts.`] : []),
      ...failureNotes(rows),
    ],
    data: { rows },
  };
}

/** One Node process, timed from spawn to exit; each is a program of its own, so each gets its warm-up. */
function processClient(name: string, args: string[]): Client {
  return {
    name,
    program: name,
    series: name,
    inFlight: 0,
    flags: 0,
    async run(): Promise<ChildRun> {
      const timing = await timeProcess(process.execPath, args);
      const failure = timing.exitCode === 0 ? undefined : `exit code ${timing.exitCode}: ${timing.stderr.trim().split('\n').at(-1)}`;
      return {
        wallMs: timing.wallMs,
        ...(timing.peakRssKb === undefined ? {} : { peakRssBytes: timing.peakRssKb * 1024 }),
        ...(failure === undefined ? {} : { failure }),
      };
    },
  };
}
