import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { MissingPackageError } from '../errors.js';
import { downloadSchema } from '../options/download-schema.js';
import { listOptions } from './option-table.js';
import { asUsageError, givenMoreThanOnce, UsageError } from './usage-error.js';
import { outliveReaders } from './reader-gone.js';
import { ownVersion } from './version.js';
import { terminalWidth, writeFitted } from '../report/terminal-width.js';
import { compareCommand } from './commands/compare-command.js';
import { downloadCommand } from './commands/download-command.js';
import { serveCommand } from './commands/serve-command.js';
import { enqueueCommand } from './commands/enqueue-command.js';
import { workerCommand } from './commands/worker-command.js';
import { statusCommand } from './commands/status-command.js';
import { reportCommand } from './commands/report-command.js';

/**
 * The CLI on yargs: every command but a bare `--version` (main.ts), loaded only for them.
 */

/** The options that take a list: the codes, and `--header` given once per header. */
const LISTS = [...listOptions(downloadSchema), '_'];

/** yargs turns a repeated option into a list, which no other option here means: say so rather than guess. */
function optionsGivenOnce(argv: Record<string, unknown>): true | string {
  const repeated = Object.entries(argv).find(([key, value]) => !LISTS.includes(key) && !/[A-Z]/.test(key) && Array.isArray(value));
  return repeated ? givenMoreThanOnce(repeated[0], repeated[1] as unknown[]) : true;
}

/** The commands whose positional arguments are codes: the download (no command name), compare and enqueue. */
const WITH_CODES = new Set([undefined, 'compare', 'enqueue']);

/**
 * What follows `--` is taken as typed, never as an option: codes, for a command that takes them
 * (`flags -- -x` is a code that is no code, exit 2), and for any other a usage error, not ignored.
 */
function argumentsAfterDashes(argv: Record<string, unknown>): void {
  const rest = ((argv['--'] as unknown[] | undefined) ?? []).map(String);
  delete argv['--'];
  if (rest.length === 0) return;
  const command = (argv._ as unknown[])[0] as string | undefined;
  if (!WITH_CODES.has(command)) throw new UsageError(`flags ${command} takes no arguments, got ${rest.map((arg) => JSON.stringify(arg)).join(' ')} after --`);
  argv.codes = [...((argv.codes as string[] | undefined) ?? []), ...rest];
}

/** The help that covers what was typed: a command's own, else the download's (the default command). */
function helpCommand(args: readonly string[]): string {
  const command = args.find((arg) => !arg.startsWith('-'));
  return command !== undefined && COMMANDS.has(command) ? `flags ${command} --help` : 'flags --help';
}

/** The commands with a help of their own: every one but the download. */
const COMMANDS = new Set(['serve', 'compare', 'enqueue', 'worker', 'status', 'report']);

outliveReaders();
try {
  await yargs(hideBin(process.argv))
    .scriptName('flags')
    .command(downloadCommand)
    .command(serveCommand)
    .command(compareCommand)
    .command(enqueueCommand)
    .command(workerCommand)
    .command(statusCommand)
    .command(reportCommand)
    .strict()
    // Numbers arrive as typed, for the options' own checks: yargs would read `0x10` and `1e3` as numbers.
    .parserConfiguration({ 'parse-numbers': false, 'populate--': true })
    .middleware(argumentsAfterDashes, true)
    .check(optionsGivenOnce, true)
    // Wider lines are harder to read; a pipe gets 80 columns, not the 110 this once gave any width.
    .wrap(Math.min(110, terminalWidth()))
    // Validation failures, including a coerce that threw (yargs wraps it in a YError), are usage
    // errors; anything else is a bug and keeps its stack.
    .fail((message, error) => {
      const usage = asUsageError(error);
      if (usage) throw usage;
      if (error instanceof Error && error.name !== 'YError') throw error;
      throw new UsageError(error instanceof Error ? error.message : (message ?? String(error)));
    })
    .help()
    .version(ownVersion())
    // Every description here is English; yargs' own words should not switch language with LANG.
    .locale('en')
    .parseAsync();
} catch (error) {
  // A feature whose optional package is not installed: asked for, it cannot run here; nothing has started.
  const usage = asUsageError(error);
  if (error instanceof MissingPackageError) writeFitted(process.stderr, `flags: ${error.message}`);
  else if (usage) writeFitted(process.stderr, `flags: ${usage.message}\nRun '${helpCommand(hideBin(process.argv))}' for usage.`);
  else throw error;
  process.exitCode = 2;
}
