import { wrapWords } from '../report/terminal-width.js';

/** A command line (`$0` for the program) and what it shows. */
export type Example = readonly [command: string, description: string];

/** The commands' column takes at most this share of the line: the descriptions need the rest. */
const COMMAND_SHARE = 0.5;

/**
 * The examples of a command's help at `width` columns, for its epilog: yargs' own layout breaks a
 * long command anywhere inside it, which no one can copy. A command sits beside its description
 * when it fits the commands' column (when most do), else on a line of its own with the description under it; a
 * command longer than the line goes on as the shell reads it, ` \` and the rest on the next line.
 */
export function examplesText(examples: readonly Example[], width: number): string {
  const commands = examples.map(([command]) => command.replaceAll('$0', 'flags'));
  const fitting = commands.map((command) => command.length).filter((length) => length + 4 <= width * COMMAND_SHARE);
  // A column that few commands fit would leave most descriptions far to the right of nothing.
  const column = fitting.length * 2 >= commands.length ? Math.max(...fitting) : 0;
  const lines = examples.flatMap(([, description], index) => {
    const command = commands[index]!;
    if (command.length <= column) return wrapWords(description, width, `  ${command.padEnd(column)}  `);
    return [...shellLines(command, width), ...wrapWords(description, width, ' '.repeat(column + 4))];
  });
  return ['Examples:', ...lines].join('\n');
}

/** `command` indented by 2, split before an option (with its values) where it would pass `width`, each line but the last ending in ` \`. */
function shellLines(command: string, width: number): string[] {
  const chunks: string[] = [];
  for (const word of command.split(' ')) {
    if (chunks.length === 0 || word.startsWith('-')) chunks.push(word);
    else chunks[chunks.length - 1] += ` ${word}`;
  }
  const lines: string[] = [];
  let line = `  ${chunks[0]}`;
  for (const chunk of chunks.slice(1)) {
    if (line.length + 1 + chunk.length + 2 > width) {
      lines.push(`${line} \\`);
      line = `      ${chunk}`;
    } else line += ` ${chunk}`;
  }
  lines.push(line);
  return lines;
}
