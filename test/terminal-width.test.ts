import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { describe, test } from 'node:test';
import { type Example, examplesText } from '../src/cli/help-examples.js';
import { type BarState, progressLine } from '../src/cli/progress.js';
import { fitLines, terminalWidth, wrapWords } from '../src/report/terminal-width.js';
import { cliPath, inTemp } from './helpers/fixtures.js';

const SCRIPT = '/usr/bin/script';
const noTerminal = !existsSync(SCRIPT) && `needs ${SCRIPT} (util-linux) for a pseudo-terminal`;
const shellQuote = (word: string) => `'${word.replaceAll("'", `'\\''`)}'`;

/** The lines of `text` longer than `width` characters (the bar's blocks take one column each). */
const tooLong = (text: string, width = 80) => text.split(/\r\n|\r|\n/).filter((line) => [...line].length > width);

/** The real CLI, its output piped, with COLUMNS set to `columns`. */
function withColumns(args: string[], columns: number) {
  const run = spawnSync(process.execPath, [cliPath, ...args], { env: { ...process.env, COLUMNS: String(columns) }, encoding: 'utf8', timeout: 120_000 });
  assert.equal(run.status, 0, run.stderr);
  return run;
}

/**
 * The real CLI in a pseudo-terminal `columns` wide, COLUMNS unset so that the terminal's width is
 * what counts: all it wrote, stdout and stderr together, each cursor move (a bar frame) as a line break.
 */
function inTerminal(args: string[], columns: number): string {
  const env: NodeJS.ProcessEnv = { ...process.env, SHELL: '/bin/sh' };
  delete env.COLUMNS;
  const command = `stty cols ${columns}; ${[process.execPath, cliPath, ...args].map(shellQuote).join(' ')}`;
  const run = spawnSync(SCRIPT, ['-qfec', command, '/dev/null'], { env, encoding: 'utf8', timeout: 120_000 });
  assert.equal(run.status, 0, run.stdout);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the escapes a terminal gets are what is stripped here
  return run.stdout.replace(/\u001b(\[[0-9;?]*[A-Za-z]|[78])/g, '\n');
}

describe('the width of a line', () => {
  test('COLUMNS first, then the terminal, else 80', () => {
    const terminal = { isTTY: true, columns: 132 } as NodeJS.WriteStream;
    const pipe = { isTTY: false } as NodeJS.WriteStream;
    assert.equal(terminalWidth(terminal, { COLUMNS: '90' }), 90);
    assert.equal(terminalWidth(terminal, {}), 132);
    assert.equal(terminalWidth(pipe, {}), 80);
    assert.equal(terminalWidth(pipe, { COLUMNS: 'wide' }), 80);
  });

  test('words wrap between words, never inside one, under a hanging indent', () => {
    const lines = wrapWords('the median 1.46-2.69 s overlaps 1.50-2.10 s', 20, '  x: ');
    assert.deepEqual(lines, ['  x: the median', '     1.46-2.69 s', '     overlaps', '     1.50-2.10 s']);
    assert.deepEqual(wrapWords('short', 80), ['short']);
  });
  test("a report's line that opens with a column goes on under the column's text, its two spaces kept", () => {
    const line = '  IN  Content-Encoding "compress" is not one that was asked for (gzip, deflate, br)';
    assert.deepEqual(fitLines(line, 60).split('\n'), ['  IN  Content-Encoding "compress" is not one that was asked', '      for (gzip, deflate, br)']);
    const plain = '  20 × cannot save to /tmp/dest: ENOENT: no such file or directory (CN IN US)';
    assert.deepEqual(fitLines(plain, 60).split('\n'), ['  20 × cannot save to /tmp/dest: ENOENT: no such file or', '  directory (CN IN US)']);
  });
});

describe('help at 80 columns', () => {
  for (const args of [['--help'], ['serve', '--help'], ['compare', '--help']]) {
    test(`flags ${args.join(' ')}: no line over 80, piped with COLUMNS=80 and in a terminal of 80 columns`, { skip: noTerminal }, () => {
      assert.deepEqual(tooLong(withColumns(args, 80).stdout), []);
      assert.deepEqual(tooLong(inTerminal(args, 80)), []);
      // Wider when the terminal is: the width is read, not fixed.
      assert.notDeepEqual(tooLong(withColumns(args, 120).stdout), []);
    });
  }

  test('piped without COLUMNS, the help is 80 columns wide', () => {
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.COLUMNS;
    const run = spawnSync(process.execPath, [cliPath, 'compare', '--help'], { env, encoding: 'utf8' });
    assert.deepEqual(tooLong(run.stdout), []);
  });

  test('an example command is never broken inside: whole on its line, or continued with \\ before an option', () => {
    const { stdout } = withColumns(['compare', '--help'], 80);
    const joined = stdout.replaceAll(' \\\n      ', ' ');
    assert.ok(joined.includes('\n  flags compare --all --png 640 --modes threads,async --threads 1,2,4 --server local\n'), stdout);
    assert.match(stdout, / \\\n {6}--/);
  });

  test('examples beside their description when they fit, under it when not', () => {
    const examples: Example[] = [
      ['$0 a', 'short'],
      ['$0 b --threads 2', 'also short'],
      ['$0 compare --threads 1,2,4 --modes threads,async --server local --repeat 5', 'a long one whose description has many words to wrap'],
    ];
    const text = examplesText(examples, 60);
    assert.equal(
      text,
      [
        'Examples:',
        '  flags a              short',
        '  flags b --threads 2  also short',
        '  flags compare --threads 1,2,4 --modes threads,async \\',
        '      --server local --repeat 5',
        '                       a long one whose description has many',
        '                       words to wrap',
      ].join('\n'),
    );
  });
});

describe('the progress bar', () => {
  const busy: BarState = {
    ok: 9120,
    notModified: 310,
    skipped: 45,
    notFound: 402,
    error: 123,
    retries: 4567,
    received: 1.07e9,
    done: 9999,
    total: 10000,
    noun: 'file',
    elapsedMs: 3_725_000,
  };

  test('fits 80 columns, dropping the least useful parts first: never the errors, the retries or the time', () => {
    for (const state of [busy, { ...busy, notModified: 0, skipped: 0, notFound: 0 }, { ...busy, error: 0, retries: 1, done: 3, elapsedMs: 500 }]) {
      const line = progressLine(state, 80);
      assert.ok([...line].length <= 80, line);
      assert.match(line, /\d+\/\d+ files/);
      assert.match(line, / (\d+ errors?|1 error)/);
      assert.match(line, / (\d+ retries|1 retry)/);
      assert.match(line, /\| \d+(m\d\d)?s$/);
    }
    assert.match(progressLine(busy, 200), /9120 ok, 310 not modified, 45 skipped, 402 not found, 123 errors, 4567 retries \| 62m05s$/);
    assert.match(progressLine(busy, 200), /^ █+░* 9999\/10000 files, 1\.07 GB/);
  });

  test('uses the words of the report: not modified and skipped, never "kept"', () => {
    const line = progressLine({ ...busy, notModified: 1, skipped: 2 }, 200);
    assert.match(line, /1 not modified, 2 skipped/);
    assert.doesNotMatch(line, /kept/);
    assert.doesNotMatch(progressLine({ ...busy, notModified: 0, skipped: 0 }, 200), /not modified|skipped/, 'none: not shown');
  });

  test('in a terminal of 80 columns, every frame of a real run fits', { skip: noTerminal }, () =>
    inTemp(async (dest) => {
      const output = inTerminal(['--all', '--server', 'local', '--latency', '10', '--threads', '2', '--dest', dest], 80);
      assert.match(output, /\/257 flags.* errors?, \d+ retr/, 'a frame of the bar was drawn');
      assert.deepEqual(tooLong(output), []);
    }),
  );
});

describe('a download at 80 columns', () => {
  test("the run's description and report wrap between words", () =>
    inTemp(async (dest) => {
      const { stdout } = withColumns(['--server', 'delay', '--latency', '50', '--jitter', '40', '--threads', '20', '--dest', dest], 80);
      assert.match(stdout, /^Downloading 20 flags from http:\S+ \(embedded, profile delay:\nlatency 50±40 ms/m);
      assert.deepEqual(tooLong(stdout), []);
    }));
});

describe('messages at 40 columns', () => {
  const piped = (args: string[]) => spawnSync(process.execPath, [cliPath, ...args], { env: { ...process.env, COLUMNS: '40' }, encoding: 'utf8', timeout: 30_000 });

  test('a usage error wraps between words, its problem and the way to help whole', () => {
    const run = piped(['enqueue', '-i', 'urls.txt']);
    assert.equal(run.status, 2, run.stderr);
    assert.equal(run.stderr, "flags: --queue redis://HOST:PORT/NAME is\nneeded (or FLAGS_QUEUE in the\nenvironment)\nRun 'flags enqueue --help' for usage.\n");
  });

  test("serve's URL has a line of its own, its profile wraps", async () => {
    const child = spawn(process.execPath, [cliPath, 'serve', '--port', '0', '--seed', '3'], { env: { ...process.env, COLUMNS: '40' } });
    try {
      let stdout = '';
      child.stdout.setEncoding('utf8');
      while (!stdout.includes('Try:')) stdout += ((await once(child.stdout, 'data')) as [string])[0];
      assert.match(stdout, /^Serving flags at http:\/\/127\.0\.0\.1:\d+\/flags\nProfile delay: latency 300±200 ms, error\nrate 0, seed 3\nTry: curl /);
    } finally {
      child.kill('SIGKILL');
    }
  });
});

describe('compare at 80 columns', () => {
  const args = [
    'compare',
    'BR',
    'IN',
    'US',
    '--server',
    'local',
    '--modes',
    'threads,async,sequential',
    '--threads',
    '1,2',
    '--partition',
    'dynamic,chunks',
    '--repeat',
    '1',
    '--png',
    '32',
  ];

  test('piped with COLUMNS=80 and --wide: the table goes on in blocks, no line over 80, no number broken', () => {
    const { stdout } = withColumns([...args, '--wide'], 80);
    assert.deepEqual(tooLong(stdout), []);
    // Each of the 7 configs has its time whole on a line of the first block.
    assert.equal(stdout.match(/\d+\.\d\d s \(\d+\.\d\d-\d+\.\d\d\)/g)?.length, 7, stdout);
    assert.equal(stdout.match(/^mode +partition +threads +in flight/gm)?.length, 2, `two blocks, each led by what names a row:\n${stdout}`);
    assert.match(stdout, /peak\n.*memory/);
  });

  test('in a terminal of 80 columns, the log, the table and the reading fit', { skip: noTerminal }, () => {
    const output = inTerminal(args, 80);
    assert.match(output, /median wall/);
    assert.match(output, /\(--wide adds flags\/s, bound, worker start-up and peak memory\)/);
    assert.deepEqual(tooLong(output), []);
  });
});
