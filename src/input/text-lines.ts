import { StringDecoder } from 'node:string_decoder';

/** Longer than any URL a server takes (most stop near 8 KB), short enough that a binary file given by mistake cannot fill memory. */
export const MAX_LINE_CHARS = 64 * 1024;

/**
 * The lines of a UTF-8 text as it streams in, in batches (one per chunk read, so that a caller pays
 * one await per chunk rather than per line), without their `\n` or `\r\n` and without a leading
 * byte order mark. A line longer than `MAX_LINE_CHARS` is an Error naming its number.
 */
export async function* textLines(input: AsyncIterable<Buffer | string>): AsyncGenerator<string[]> {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  let count = 0;
  for await (const chunk of input) {
    const text = rest + (typeof chunk === 'string' ? chunk : decoder.write(chunk));
    const lines = text.split('\n');
    // The unfinished last line is checked too, or one without any newline would grow without end.
    const long = lines.findIndex((line) => line.length > MAX_LINE_CHARS);
    if (long !== -1) throw new Error(`line ${count + long + 1} is longer than ${MAX_LINE_CHARS} characters`);
    rest = lines.pop()!;
    if (lines.length === 0) continue;
    if (count === 0) lines[0] = withoutBom(lines[0]!);
    count += lines.length;
    yield lines.map(withoutCr);
  }
  rest += decoder.end();
  if (rest !== '') yield [withoutCr(count === 0 ? withoutBom(rest) : rest)];
}

const withoutCr = (line: string) => (line.endsWith('\r') ? line.slice(0, -1) : line);
const withoutBom = (line: string) => (line.startsWith('\uFEFF') ? line.slice(1) : line);
