import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { inTemp } from './helpers/fixtures.js';

/** The repository, read as source: tsc drops type-only imports, and a circle of types is a circle all the same. */
const root = fileURLToPath(new URL('../../', import.meta.url));

/** Every TypeScript file under the folders, each with the files it imports: static, type-only, re-exported or dynamic. */
function importGraph(folders: readonly string[]): Map<string, string[]> {
  const files = folders.flatMap((folder) =>
    readdirSync(folder, { recursive: true, encoding: 'utf8' })
      .filter((name) => name.endsWith('.ts') && !name.endsWith('.d.ts'))
      .map((name) => join(folder, name)),
  );
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const imported = importedFiles
      .map(({ fileName }) => fileName)
      .filter((specifier) => specifier.startsWith('.'))
      // NodeNext imports name the compiled file: a.js is a.ts here.
      .map((specifier) => resolve(dirname(file), specifier.replace(/\.js$/, '.ts')))
      .filter((target) => existsSync(target));
    graph.set(file, imported);
  }
  return graph;
}

/** Each circle found by a depth-first walk, as the files in import order, back to the first. */
function circlesOf(graph: Map<string, string[]>): string[][] {
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
    for (const target of graph.get(file) ?? []) visit(target);
    path.pop();
    done.add(file);
  };
  for (const file of graph.keys()) visit(file);
  return circles;
}

const shown = (circles: string[][], from: string) => circles.map((circle) => circle.map((file) => relative(from, file)).join(' → '));

test('no module imports itself back, through any number of others, type-only and dynamic imports included', () => {
  const graph = importGraph(['src', 'workers', 'build', 'bench', 'test'].map((folder) => join(root, folder)));
  assert.ok(graph.size > 100, `only ${graph.size} files found under ${root}`);
  assert.deepEqual(shown(circlesOf(graph), root), []);
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
