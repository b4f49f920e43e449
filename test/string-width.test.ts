import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { oneColumnWidth } from '../build/one-column.js';
import { lazyStringWidth } from '../build/string-width-plugin.js';

type StringWidth = (text: string, options?: { ambiguousIsNarrow?: boolean }) => number;

const metafile = JSON.parse(readFileSync(new URL('../bundle-meta.json', import.meta.url), 'utf8')) as Metafile;
const root = new URL('../../', import.meta.url);

/** Every copy of string-width that the bundle stands in for, as the plugin named them. */
const copies = Object.keys(metafile.inputs)
  .filter((input) => input.startsWith('lazy-string-width:'))
  .map((input) => input.slice('lazy-string-width:'.length));

/** The stand-in for `copy`, made by the plugin as the bundle makes it, and the copy itself. */
async function standInAndReal(copy: string, scratch: string): Promise<{ standIn: StringWidth; real: StringWidth }> {
  const result = await build({
    // Resolved from the package that owns this copy, as its importer in the bundle does.
    stdin: { contents: "export { default } from 'string-width';", resolveDir: copy.slice(0, copy.lastIndexOf('/node_modules/string-width/')) },
    absWorkingDir: new URL('.', root).pathname,
    bundle: true,
    format: 'esm',
    platform: 'node',
    write: false,
    metafile: true,
    plugins: [lazyStringWidth],
    logLevel: 'silent',
  });
  assert.ok(Object.keys(result.metafile.inputs).includes(`lazy-string-width:${copy}`), 'the stand-in is for this copy');
  const file = join(scratch, `stand-in-${copies.indexOf(copy)}.mjs`);
  await writeFile(file, result.outputFiles[0]!.text);
  const standIn = ((await import(pathToFileURL(file).href)) as { default: StringWidth }).default;
  const real = ((await import(pathToFileURL(copy).href)) as { default: StringWidth }).default;
  return { standIn, real };
}

const codePoints = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => String.fromCodePoint(from + i));

/** Every character below the combining marks, alone and in runs, and what lies beyond them. */
function samples(): string[] {
  const below = codePoints(0, 0x2ff);
  const runs = Array.from({ length: 200 }, (_, n) => Array.from({ length: 1 + (n % 40) }, (_, i) => below[(n * 131 + i * 17) % below.length]).join(''));
  return [
    '',
    ...below,
    ...runs,
    'Mode threads: 20 worker threads × 1 in flight',
    '300±200 ms',
    'e\u0301',
    'a\u00ad b',
    '©\ufe0f',
    '®',
    '日本語',
    'ｶﾞ',
    '🇧🇷',
    '👩‍👩‍👧',
    '1\u20e3',
    '\u001b[1mbold\u001b[22m',
    '\u009b31m',
    'tab\there',
    'line\nbreak',
    '\u200b',
    '한국어',
  ];
}

describe('the string-width stand-in of the bundle', () => {
  test('stands in for every copy that yargs, cliui, wrap-ansi and cli-progress bring', () => {
    assert.ok(copies.length >= 3, copies.join(', '));
  });

  test('gives the width each copy gives, for every sample, with ambiguous characters narrow or wide', async () => {
    const scratch = await mkdtemp(join(tmpdir(), 'flags-string-width-'));
    try {
      for (const copy of copies) {
        const { standIn, real } = await standInAndReal(copy, scratch);
        for (const options of [undefined, { ambiguousIsNarrow: false }]) {
          for (const text of samples()) {
            assert.equal(standIn(text, options), real(text, options), `${copy} ${JSON.stringify(text)} ${JSON.stringify(options)}`);
          }
        }
      }
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  });

  test('measures one-column text by itself and leaves the rest to string-width', () => {
    const line = 'Mode threads: 20 worker threads × 1 in flight (300±200 ms)';
    assert.equal(oneColumnWidth(line), line.length);
    assert.equal(oneColumnWidth('±', { ambiguousIsNarrow: false }), undefined);
    for (const other of ['日本', 'e\u0301', '\u001b[1m', '©', 'a\u00adb', '\t']) assert.equal(oneColumnWidth(other), undefined, JSON.stringify(other));
  });
});
