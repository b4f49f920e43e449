// `npm start` runs this before building: `npm install` has just built (prepare), and a second
// build would cost as much again for nothing. Plain JavaScript, so that it runs before anything
// is compiled. Exits 0 when the bundle is newer than every input of the build, else 1 (the
// caller then builds): an edit, a checkout or a missing dist all rebuild.
// Usage: node build/up-to-date.mjs [project folder, default: this file's parent's parent]
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = process.argv[2] ?? fileURLToPath(new URL('..', import.meta.url));
/** What the build reads: the sources tsc compiles, its settings and the dependencies the bundle takes in. */
const INPUT_FOLDERS = ['src', 'workers', 'build', 'test', 'bench'];
const INPUT_FILES = ['package.json', 'package-lock.json', 'tsconfig.json'];

/** The last time a file of `path` changed; 0 when it is not there. */
function newest(path) {
  let stats;
  try {
    stats = statSync(path);
  } catch {
    return 0;
  }
  if (!stats.isDirectory()) return stats.mtimeMs;
  return Math.max(stats.mtimeMs, ...readdirSync(path, { recursive: true }).map((name) => statSync(join(path, name)).mtimeMs));
}

const built = newest(join(root, 'dist', 'bundle', 'cli.js'));
const inputs = Math.max(...[...INPUT_FOLDERS, ...INPUT_FILES].map((name) => newest(join(root, name))));
process.exitCode = built > inputs ? 0 : 1;
if (built > inputs) console.log('dist/ is newer than every source: not building again');
