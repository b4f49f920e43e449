import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { inTemp } from './helpers/fixtures.js';
import { type ModuleImports, importGraph, sourceRoot } from './helpers/import-graph.js';

/** Each circle found by a depth-first walk, as the files in import order, back to the first. */
function circlesOf(graph: Map<string, ModuleImports>): string[][] {
  const done = new Set<string>();
  const path: string[] = [];
  const circles: string[][] = [];
  const visit = (file: string) => {
    const at = path.indexOf(file);
    if (at >= 0) {
      circles.push([...path.slice(at), file]);
      return;
    }
    if (done.has(file)) return;
    path.push(file);
    for (const target of graph.get(file)?.files ?? []) visit(target);
    path.pop();
    done.add(file);
  };
  for (const file of graph.keys()) visit(file);
  return circles;
}

const shown = (circles: string[][], from: string) => circles.map((circle) => circle.map((file) => relative(from, file)).join(' → '));

test('no module imports itself back, through any number of others, type-only and dynamic imports included', () => {
  const graph = importGraph(['src', 'workers', 'build', 'bench', 'test'].map((folder) => join(sourceRoot, folder)));
  assert.ok(graph.size > 100, `only ${graph.size} files found under ${sourceRoot}`);
  assert.deepEqual(shown(circlesOf(graph), sourceRoot), []);
});

test('a circle made of a type import one way and a dynamic import the other is found', async () => {
  await inTemp(async (folder) => {
    await mkdir(join(folder, 'commands'));
    await writeFile(
      join(folder, 'commands', 'compare.ts'),
      "export type Args = { n: number };\nexport const run = async (args: Args) => (await import('../comparison.js')).compare(args);\n",
    );
    await writeFile(join(folder, 'comparison.ts'), "import type { Args } from './commands/compare.js';\nexport function compare(args: Args) { return args.n; }\n");
    await writeFile(join(folder, 'alone.ts'), "import { compare } from './comparison.js';\nexport const one = compare({ n: 1 });\n");
    const circles = circlesOf(importGraph([folder]));
    assert.equal(circles.length, 1, shown(circles, folder).join('\n'));
    assert.deepEqual(new Set(circles[0]!.map((file) => relative(folder, file))), new Set(['comparison.ts', join('commands', 'compare.ts')]));
  });
});
