import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { readdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import ts from 'typescript';
import { inTemp } from './helpers/fixtures.js';

const run = promisify(execFile);
/** The package's root: this file is dist/test/package.test.js. */
const root = fileURLToPath(new URL('../../', import.meta.url));
const tsc = join(root, 'node_modules/.bin/tsc');

/** The example of issue 12, as a user of the installed package writes it. */
const IMPORT_EXAMPLE = `import { download } from 'flags';
const run = download({ codes: ['br', 'in'], server: 'local', dest: 'out', threads: 2, concurrency: 5 });
for await (const result of run) console.log(result.cc, result.status);
const report = await run.report;
console.log(JSON.stringify(report));
`;

/** Uses the shipped declarations: a wrong option or result field would not compile. */
const TYPED = `import { download, serve, compare, OptionError, type DownloadOptions, type ItemResult, type RunReport } from 'flags';
import { enqueue, work, queueStatus, queueReport, QueueError, type EnqueueOptions, type EnqueueSummary, type WorkOptions, type WorkSummary } from 'flags';
import type { QueueResult, QueueStatus, QueueReport } from 'flags';
const options: DownloadOptions = { codes: ['br'], server: 'local', retryDelay: 50, continue: true, signal: AbortSignal.timeout(1000) };
const run = download(options);
for await (const result of run) { const status: ItemResult['status'] = result.status; void status; }
const report: RunReport = await run.report;
const server = await serve({ profile: 'local' });
await server.close();
const summary = await compare({ threads: [1, 2], repeat: 1 });
console.log(report.ok, server.url, summary.rows[0]?.medianMs, new OptionError('threads', 'x').option);
// The queue's functions and types, typed without BullMQ's or ioredis's declarations.
const enqueueOptions: EnqueueOptions = { queue: 'redis://127.0.0.1:6379/flags', input: 'urls.txt', rate: 5 };
const workOptions: WorkOptions = { queue: enqueueOptions.queue, exitWhenDrained: true, onResult: (result: QueueResult) => void result.host };
const later = async () => {
  const added: EnqueueSummary = await enqueue(enqueueOptions);
  const done: WorkSummary = await work(workOptions);
  const status: QueueStatus = await queueStatus({ queue: enqueueOptions.queue });
  const queueReportOf: QueueReport = await queueReport({});
  return [added.added, done.done, status.total, queueReportOf.items];
};
void later;
console.log(new QueueError('x') instanceof Error);
`;

/** The library's queue without BullMQ and ioredis: the error names both. */
const MISSING_EXAMPLE = `import { enqueue, MissingPackageError } from 'flags';
try {
  await enqueue({ queue: 'redis://127.0.0.1:1/q', codes: ['br'], server: 'http://127.0.0.1:1/flags' });
} catch (error) {
  if (error instanceof MissingPackageError) console.log(error.name, error.code, error.packages.join());
}
`;

/** The packages a plain download does not need, as package.json lists them. */
const { optionalDependencies } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { optionalDependencies: Record<string, string> };
const OPTIONAL = Object.keys(optionalDependencies);

const EXAMPLES = fileURLToPath(new URL('../../examples/', import.meta.url));

/** Every declaration file that dist/src/index.d.ts reaches, with the packages each one imports (anything not relative). */
function publicDeclarations(): Map<string, string[]> {
  const files = new Map<string, string[]>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    const imported = ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles.map(({ fileName }) => fileName);
    files.set(
      file,
      imported.filter((specifier) => !specifier.startsWith('.')),
    );
    for (const specifier of imported.filter((specifier) => specifier.startsWith('.'))) visit(resolve(dirname(file), specifier.replace(/\.js$/, '.d.ts')));
  };
  visit(join(root, 'dist/src/index.d.ts'));
  return files;
}

describe('the package', () => {
  test("its public declarations import no package but Node's: no BullMQ, ioredis or resvg types reach a consumer", () => {
    const declarations = publicDeclarations();
    assert.ok(declarations.has(join(root, 'dist/src/queue/work.d.ts')), "the queue's declarations are public");
    const foreign = [...declarations].flatMap(([file, packages]) => packages.filter((name) => !name.startsWith('node:')).map((name) => `${relative(root, file)}: ${name}`));
    assert.deepEqual(foreign, []);
    assert.deepEqual(OPTIONAL.sort(), ['@resvg/resvg-wasm', 'bullmq', 'ioredis'], 'package.json lists the optional packages');
  });

  test('the packed tarball installs without its optional packages, and its import example, bin and declarations work', { timeout: 300_000 }, async () => {
    await inTemp(async (folder) => {
      // The build is already in dist: packing must not rebuild it under the running tests.
      await run('npm', ['pack', '--ignore-scripts', '--pack-destination', folder], { cwd: root });
      const tarball = (await readdir(folder)).find((name) => name.endsWith('.tgz'))!;
      const { stdout: listing } = await run('tar', ['-tzf', join(folder, tarball)]);
      assert.match(listing, /package\/dist\/src\/index\.d\.ts/);
      assert.match(listing, /package\/dist\/bundle\/cli\.js/);
      assert.doesNotMatch(listing, /package\/(dist\/)?test\//);
      const app = join(folder, 'app');
      await run('mkdir', [app]);
      await writeFile(join(app, 'package.json'), '{ "name": "app", "private": true, "type": "module" }\n');
      // As a consumer who wants download() alone installs it: BullMQ, ioredis and resvg left out.
      await run('npm', ['install', '--omit=optional', '--prefer-offline', '--no-audit', '--no-fund', join(folder, tarball)], { cwd: app });
      assert.equal((await readdir(join(app, 'node_modules/flags/dist/src'))).includes('index.ts'), false);
      const installed = await readdir(join(app, 'node_modules'));
      for (const name of OPTIONAL) assert.ok(!installed.includes(name.split('/')[0]!), `${name} is installed with --omit=optional`);

      await writeFile(join(app, 'example.mjs'), IMPORT_EXAMPLE);
      const { stdout } = await run(process.execPath, ['example.mjs'], { cwd: app });
      const lines = stdout.trim().split('\n');
      assert.deepEqual(lines.slice(0, 2).sort(), ['br ok', 'in ok']);
      assert.equal(JSON.parse(lines[2]!).ok, 2);
      assert.deepEqual((await readdir(join(app, 'out'))).sort(), ['br.svg', 'in.svg']);

      const { stdout: version } = await run('npx', ['--no-install', 'flags', '--version'], { cwd: app });
      assert.equal(version.trim(), '0.1.0');

      await writeFile(join(app, 'typed.ts'), TYPED);
      const types = ['--types', 'node', '--typeRoots', join(root, 'node_modules/@types')];
      const flags = ['--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2023', ...types];
      // No skipLibCheck: every declaration the package reaches is checked, as in a consumer's strict project. tsc says why on stdout.
      await run(tsc, [...flags, 'typed.ts'], { cwd: app }).catch((error: { stdout: string }) => assert.fail(`tsc --strict typed.ts:\n${error.stdout}`));
      await writeFile(join(app, 'wrong.ts'), "import { download } from 'flags';\ndownload({ retryDelay: '50' });\n");
      // tsc says what is wrong on stdout.
      await assert.rejects(run(tsc, [...flags, 'wrong.ts'], { cwd: app }), (error: { stdout: string }) =>
        /wrong\.ts.*'string' is not assignable to type 'number'/.test(error.stdout),
      );

      // What needs an optional package says which, in one line, before anything starts; the library throws MissingPackageError.
      const cli = (args: string[]) =>
        run('npx', ['--no-install', 'flags', ...args], { cwd: app }).then(
          ({ stderr }) => ({ code: 0, stderr }),
          ({ code, stderr }: { code: number; stderr: string }) => ({ code, stderr }),
        );
      assert.deepEqual(await cli(['BR', '--server', 'local', '--png', '64', '--dest', 'png']), {
        code: 2,
        stderr: 'flags: PNG rendering (--png) needs the optional package @resvg/resvg-wasm, which is not installed: npm install @resvg/resvg-wasm\n',
      });
      assert.equal(existsSync(join(app, 'png')), false, 'nothing was downloaded');
      const queue = await cli(['status', '--queue', 'redis://127.0.0.1:1/q']);
      assert.equal(queue.code, 2);
      assert.equal(
        queue.stderr,
        'flags: the queue (enqueue, worker, status, report) needs the optional packages bullmq and ioredis, which are not installed: npm install bullmq ioredis\n',
      );
      await writeFile(join(app, 'missing.mjs'), MISSING_EXAMPLE);
      assert.equal((await run(process.execPath, ['missing.mjs'], { cwd: app })).stdout, 'MissingPackageError ERR_FLAGS_MISSING_PACKAGE bullmq,ioredis\n');

      // Installed as the message says, they work.
      const specs = Object.entries(optionalDependencies).map(([name, range]) => `${name}@${range}`);
      await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', ...specs], { cwd: app });
      assert.deepEqual(await cli(['BR', '--server', 'local', '--png', '64', '--dest', 'png']), { code: 0, stderr: '' });
      assert.deepEqual((await readdir(join(app, 'png'))).sort(), ['br.png', 'br.svg']);
      assert.deepEqual(await cli(['status', '--queue', 'redis://127.0.0.1:1/q']), { code: 1, stderr: 'flags: cannot reach the queue at redis://127.0.0.1:1/q: ECONNREFUSED\n' });
    });
  });

  test('the examples run', { timeout: 120_000 }, async () => {
    await inTemp(async (folder) => {
      const progress = await run(process.execPath, [join(EXAMPLES, 'progress.mjs'), folder]);
      assert.match(progress.stdout, /5\/5 flags/);
      assert.match(progress.stdout, /5 downloaded, 0 errors/);
      assert.equal((await readdir(folder)).length, 5);
      const table = await run(process.execPath, [join(EXAMPLES, 'compare-table.mjs')]);
      assert.match(table.stdout, /threads/);
      assert.match(table.stdout, /4 flags from http:\/\/127\.0\.0\.1:\d+\/flags/);
    });
  });
});
