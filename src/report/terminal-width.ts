/** The width of a pipe or a file: nothing to ask, and 80 columns read everywhere. */
export const DEFAULT_COLUMNS = 80;

/**
 * How many columns a line written to `stream` may take: `COLUMNS` when set (a user or a script
 * sizing the output, as ls and Python's shutil honour it), else the terminal's width, else 80.
 */
export function terminalWidth(stream: NodeJS.WriteStream = process.stdout, env: NodeJS.ProcessEnv = process.env): number {
  const columns = Number(env.COLUMNS);
  if (Number.isSafeInteger(columns) && columns > 0) return columns;
  return stream.isTTY && stream.columns > 0 ? stream.columns : DEFAULT_COLUMNS;
}

/**
 * `text` after `lead` in lines of at most `width` columns, broken at spaces only, so that a number
 * or a command is never cut in two; the lines after the first are indented as deep as `lead` is
 * long. A word longer than a line gets a line of its own.
 */
export function wrapWords(text: string, width: number, lead = ''): string[] {
  const indent = ' '.repeat(lead.length);
  const lines: string[] = [];
  let line = lead;
  let empty = true;
  for (const word of text.split(' ')) {
    if (word === '') continue;
    if (empty) line += word;
    else if (line.length + 1 + word.length <= width) line += ` ${word}`;
    else {
      lines.push(line);
      line = indent + word;
    }
    empty = false;
  }
  lines.push(line);
  return lines;
}

/**
 * `text` with each line longer than `width` wrapped between words. The rest of a line goes on as
 * deep as the line's indent, or, when the line opens with a column (`  IN  HTTP 500 …`: a label
 * and two spaces, within the first half of the line), as deep as the text after that column.
 */
export function fitLines(text: string, width: number): string {
  return text
    .split('\n')
    .flatMap((line) => {
      if (line.length <= width) return [line];
      const column = /^ *\S+(?: \S+)* {2,}/.exec(line)?.[0];
      const lead = column !== undefined && column.length <= width / 2 ? column : /^ */.exec(line)![0];
      return wrapWords(line.slice(lead.length), width, lead);
    })
    .join('\n');
}

/**
 * Writes a message (an error, a warning, a banner) to `stream`, and a newline: each line wrapped
 * between words to the width of a terminal, or of `COLUMNS` when set; to a pipe or a log without
 * `COLUMNS`, one line each, so that grep finds a message whole.
 */
export function writeFitted(stream: NodeJS.WriteStream, text: string, env: NodeJS.ProcessEnv = process.env): void {
  const sized = stream.isTTY || (env.COLUMNS ?? '') !== '';
  stream.write(`${sized ? fitLines(text, terminalWidth(stream, env)) : text}\n`);
}
