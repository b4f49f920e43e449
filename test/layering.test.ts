import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { test } from 'node:test';
import { inTemp } from './helpers/fixtures.js';
import { importGraph, sourceRoot } from './helpers/import-graph.js';

/** The CLI on top: the only part that knows yargs, and that nothing else imports. */
const cli = 'src/cli/';
/** The library's entry, beside the CLI: it exports the API and the queue. */
const entry = ['src/index.ts', 'src/api/', 'src/queue/'];
/** The stages the API drives, and the floor they share: none of them reaches up to the API, the queue or the CLI. */
const belowApi = [
  ...['input', 'schedule', 'fetch', 'store', 'render', 'report', 'options', 'server', 'compare'].map((folder) => `src/${folder}/`),
  'src/types.ts',
  'src/errors.ts',
  'src/paths.ts',
  'workers/',
];
const aboveStages = ['src/api/', 'src/queue/', cli];

/** A part is a folder (ending in /) or one file. */
const within = (parts: readonly string[], file: string) => parts.some((part) => (part.endsWith('/') ? file.startsWith(part) : file === part));

/** Each import of src/ and workers/ under `root` that breaks the layering, as a line that says what to move; a file in no layer is one too. */
function layeringViolations(root: string): string[] {
  const violations = new Set<string>();
  for (const [file, imports] of importGraph(['src', 'workers'].map((folder) => join(root, folder)))) {
    const from = relative(root, file);
    if (!within([cli, ...entry, ...belowApi], from)) violations.add(`${dirname(from)}/: in no layer of test/layering.test.ts`);
    if (imports.packages.includes('yargs') && !within([cli], from)) violations.add(`${from} imports yargs: only ${cli} may`);
    for (const target of imports.files.map((imported) => relative(root, imported))) {
      if (within([cli], target) && !within([cli], from)) violations.add(`${from} imports ${target}: nothing outside ${cli} may`);
      else if (within(aboveStages, target) && within(belowApi, from)) violations.add(`${from} imports ${target}: nothing below src/api/ imports api/, cli/ or queue/`);
    }
  }
  return [...violations].sort();
}

test('yargs only under src/cli/, nothing else imports src/cli/, nothing below src/api/ imports api/, cli/ or queue/', () => {
  const violations = layeringViolations(sourceRoot);
  assert.ok(importGraph([join(sourceRoot, 'src')]).size > 100, `too few files found under ${sourceRoot}src`);
  assert.deepEqual(violations, [], `${violations.length} imports break the layering:\n${violations.join('\n')}`);
});

test('each kind of break is found: yargs, or the CLI, imported from below, a reach up by a dynamic or type import, a folder in no layer', async () => {
  await inTemp(async (root) => {
    const files: Record<string, string> = {
      'src/cli/main.ts': "import yargs from 'yargs';\nimport { download } from '../api/download.js';\nexport const main = () => download(yargs);\n",
      'src/cli/help.ts': "export const help = 'help';\n",
      'src/index.ts': "export { download } from './api/download.js';\nexport { work } from './queue/work.js';\n",
      'src/api/download.ts': "import { help } from '../cli/help.js';\nexport const download = (what: unknown) => [what, help];\n",
      'src/queue/work.ts': "import { download } from '../api/download.js';\nexport const work = () => download('job');\n",
      'src/options/flags.ts': "import type { Options } from 'yargs';\nexport const flags: Options = {};\n",
      'src/fetch/request.ts': "export const later = async () => (await import('../queue/work.js')).work();\n",
      'src/render/render.ts': "import { help } from '../cli/help.js';\nexport const render = () => help;\n",
      'src/types.ts': "import type { download } from './api/download.js';\nexport type Download = typeof download;\n",
      'src/extra/thing.ts': 'export const thing = 1;\n',
      'workers/worker.ts': "import { hideBin } from 'yargs/helpers';\nexport { download } from '../src/api/download.js';\nexport const args = hideBin([]);\n",
    };
    for (const [name, text] of Object.entries(files)) {
      await mkdir(dirname(join(root, name)), { recursive: true });
      await writeFile(join(root, name), text);
    }
    assert.deepEqual(layeringViolations(root), [
      'src/api/download.ts imports src/cli/help.ts: nothing outside src/cli/ may',
      'src/extra/: in no layer of test/layering.test.ts',
      'src/fetch/request.ts imports src/queue/work.ts: nothing below src/api/ imports api/, cli/ or queue/',
      'src/options/flags.ts imports yargs: only src/cli/ may',
      'src/render/render.ts imports src/cli/help.ts: nothing outside src/cli/ may',
      'src/types.ts imports src/api/download.ts: nothing below src/api/ imports api/, cli/ or queue/',
      'workers/worker.ts imports src/api/download.ts: nothing below src/api/ imports api/, cli/ or queue/',
      'workers/worker.ts imports yargs: only src/cli/ may',
    ]);
  });
});
