import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/** The repository, read as source: tsc drops type-only imports, and a type import ties modules all the same. */
export const sourceRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** What one module imports: other files of the tree, and packages by name (`yargs` for `yargs/helpers`). */
export interface ModuleImports {
  files: string[];
  packages: string[];
}

/** `@scope/name/sub` → `@scope/name`, `name/sub` → `name`: the package a bare specifier comes from. */
const packageOf = (specifier: string) =>
  specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');

/** Every TypeScript file under the folders, each with what it imports: static, type-only, re-exported or dynamic. */
export function importGraph(folders: readonly string[]): Map<string, ModuleImports> {
  const files = folders.flatMap((folder) =>
    readdirSync(folder, { recursive: true, encoding: 'utf8' })
      .filter((name) => name.endsWith('.ts') && !name.endsWith('.d.ts'))
      .map((name) => join(folder, name)),
  );
  const graph = new Map<string, ModuleImports>();
  for (const file of files) {
    const specifiers = ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles.map(({ fileName }) => fileName);
    const imported = specifiers
      .filter((specifier) => specifier.startsWith('.'))
      // NodeNext imports name the compiled file: a.js is a.ts here.
      .map((specifier) => resolve(dirname(file), specifier.replace(/\.js$/, '.ts')))
      .filter((target) => existsSync(target));
    const packages = specifiers.filter((specifier) => !specifier.startsWith('.') && !specifier.startsWith('node:')).map(packageOf);
    graph.set(file, { files: imported, packages: [...new Set(packages)] });
  }
  return graph;
}
