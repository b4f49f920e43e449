import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { isMainThread, parentPort, Worker } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { catalogue, flagIconsSvgDir } from '../src/input/catalogue.js';
import { median } from '../src/compare/stats.js';
import { renderPng, warmRenderer } from '../src/render/render.js';
import { scriptArgs, usageError } from './args.js';

/**
 * `node dist/bench/render-cost.js [runs]`: what the render stage costs. Loading resvg, in fresh
 * processes (`load main` and `load worker` are the children's modes); rendering every flag of
 * the catalogue at 640 px on the main thread (CPU and wall) and on pools of 1 and 2 worker threads
 * with resvg already loaded (wall). Medians of `runs` (default 5). Process CPU is what the
 * whole process used: the other threads sit idle while one of them measures.
 */
interface Cost {
  cpuMs: number;
  wallMs: number;
}

const WIDTH = 640;
const self = fileURLToPath(import.meta.url);

async function cost(work: () => Promise<unknown>): Promise<Cost> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  await work();
  const used = process.cpuUsage(cpu);
  return { cpuMs: (used.user + used.system) / 1000, wallMs: performance.now() - started };
}

/** The load in a worker thread, `count` workers one after another: the first one also opens the shared library. */
async function loadInWorkers(count: number): Promise<Cost[]> {
  const costs: Cost[] = [];
  for (let index = 0; index < count; index++) {
    const worker = new Worker(self);
    const [cost] = (await once(worker, 'message')) as [Cost];
    costs.push(cost);
    await worker.terminate();
  }
  return costs;
}

async function childLoads(where: 'main' | 'worker', runs: number): Promise<Cost[][]> {
  const results: Cost[][] = [];
  for (let run = 0; run < runs; run++) {
    const { stdout } = await promisify(execFile)(process.execPath, [self, 'load', where]);
    results.push(JSON.parse(stdout) as Cost[]);
  }
  return results;
}

async function renderAllOnMain(codes: readonly string[], dest: string): Promise<Cost> {
  await warmRenderer();
  return cost(async () => {
    for (const cc of codes) await renderPng(join(flagIconsSvgDir, `${cc}.svg`), { width: WIDTH, dest, tempPrefix: '.render-cost-' });
  });
}

async function renderAllOnPool(codes: readonly string[], dest: string, threads: number): Promise<Cost> {
  const pool = new Piscina({ filename: new URL('./render-task.js', import.meta.url).href, minThreads: threads, maxThreads: threads });
  try {
    const loaded = new Int32Array(new SharedArrayBuffer(4));
    await Promise.all(Array.from({ length: threads }, () => pool.run({ loaded, total: threads }, { name: 'warm' })));
    const options = { width: WIDTH, dest, tempPrefix: '.render-cost-' };
    return await cost(() => Promise.all(codes.map((cc) => pool.run({ svgPath: join(flagIconsSvgDir, `${cc}.svg`), options }))));
  } finally {
    await pool.destroy();
  }
}

const ms = (values: number[]) => `${Math.round(median(values))} ms (${Math.round(Math.min(...values))}-${Math.round(Math.max(...values))})`;

async function report(runs: number): Promise<void> {
  // Other processes' load takes cores from the threads: wall times mean little without it.
  const load = () => loadavg()[0]!.toFixed(1);
  console.log(`${availableParallelism()} cores, load average ${load()} at the start`);
  const mains = await childLoads('main', runs);
  const workers = await childLoads('worker', runs);
  console.log(`Loading resvg (${runs} fresh processes, CPU then wall, median (min-max)):`);
  console.log(`  main thread:            ${ms(mains.map(([load]) => load!.cpuMs))} CPU, ${ms(mains.map(([load]) => load!.wallMs))} wall`);
  console.log(`  first worker thread:    ${ms(workers.map(([first]) => first!.cpuMs))} CPU, ${ms(workers.map(([first]) => first!.wallMs))} wall`);
  console.log(`  a later worker thread:  ${ms(workers.map(([, later]) => later!.cpuMs))} CPU, ${ms(workers.map(([, later]) => later!.wallMs))} wall`);

  const codes = catalogue().map((country) => country.code);
  const dest = await mkdtemp(join(tmpdir(), 'render-cost-'));
  try {
    const onMain: Cost[] = [];
    const onPools = new Map<number, Cost[]>([
      [1, []],
      [2, []],
    ]);
    // Interleaved, so that a machine that gets busier part-way weighs on every setting alike.
    for (let run = 0; run < runs; run++) {
      onMain.push(await renderAllOnMain(codes, dest));
      for (const [threads, costs] of onPools) costs.push(await renderAllOnPool(codes, dest, threads));
    }
    console.log(`Rendering ${codes.length} flags at ${WIDTH} px, resvg loaded (${runs} runs, median (min-max)):`);
    console.log(`  main thread alone:      ${ms(onMain.map((run) => run.cpuMs))} CPU, ${ms(onMain.map((run) => run.wallMs))} wall`);
    for (const [threads, costs] of onPools) {
      console.log(`  ${threads} worker thread${threads === 1 ? ': ' : 's:'}       ${ms(costs.map((run) => run.cpuMs))} CPU, ${ms(costs.map((run) => run.wallMs))} wall`);
    }
  } finally {
    await rm(dest, { recursive: true, force: true });
  }
  console.log(`load average ${load()} at the end`);
}

if (!isMainThread) {
  parentPort!.postMessage(await cost(warmRenderer));
} else {
  const USAGE = 'node dist/bench/render-cost.js [runs]';
  const { positionals } = scriptArgs(USAGE, { allowPositionals: true });
  const [first = '5', where, ...rest] = positionals;
  if (first === 'load' && rest.length === 0) {
    const costs = where === 'worker' ? await loadInWorkers(2) : [await cost(warmRenderer)];
    process.stdout.write(JSON.stringify(costs));
  } else {
    const runs = Number(first);
    if (!Number.isInteger(runs) || runs < 1 || where !== undefined) usageError(`expected a number of runs >= 1, got ${positionals.join(' ')}`, USAGE);
    await report(runs);
  }
}
