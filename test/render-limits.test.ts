import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { flagIconsSvgDir } from '../src/input/catalogue.js';
import type { RunReport } from '../src/types.js';
import { defaultRenderTimeoutMs } from '../src/render/render-limits.js';
import { withMemoryCap, WASM_PAGE_BYTES } from '../src/render/wasm-memory-cap.js';
import { cliPath, filesIn, inTemp } from './helpers/fixtures.js';

/** `(module (memory (export "m") 1))`, and the same with a maximum of `max` pages. */
const tinyModule = (max?: number) =>
  new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 5, max === undefined ? 3 : 4, 1, max === undefined ? 0 : 1, 1, ...(max === undefined ? [] : [max]), 7, 5, 1, 1, 109, 2, 0]);

const memoryOf = async (bytes: Uint8Array) => {
  const { instance } = (await WebAssembly.instantiate(bytes)) as unknown as { instance: { exports: { m: { grow(pages: number): number } } } };
  return instance.exports.m;
};

describe('withMemoryCap', () => {
  it('writes a maximum into a module whose memory has none: growing past it fails', async () => {
    const memory = await memoryOf(withMemoryCap(tinyModule(), 3 * WASM_PAGE_BYTES));
    assert.equal(memory.grow(2), 1);
    assert.throws(() => memory.grow(1), RangeError);
  });

  it('lowers a larger maximum and keeps a smaller one', async () => {
    const lowered = await memoryOf(withMemoryCap(tinyModule(100), 2 * WASM_PAGE_BYTES));
    assert.throws(() => lowered.grow(2), RangeError);
    const kept = await memoryOf(withMemoryCap(tinyModule(2), 50 * WASM_PAGE_BYTES));
    assert.throws(() => kept.grow(2), RangeError);
    assert.equal(kept.grow(1), 1);
  });

  it('refuses a binary without a memory section', () => {
    assert.throws(() => withMemoryCap(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]), WASM_PAGE_BYTES), /no memory section/);
  });
});

/** A server whose every `/flags/{cc}/{cc}.svg` answers the SVG given for that code. */
async function svgServer(svgs: Record<string, string>): Promise<{ url: string; server: Server; paths: string[] }> {
  const paths: string[] = [];
  const server = createServer((request, response) => {
    paths.push(request.url ?? '');
    const cc = /^\/flags\/([a-z]{2})\/\1\.svg$/.exec(request.url ?? '')?.[1];
    const svg = cc === undefined ? undefined : svgs[cc];
    if (svg === undefined) return response.writeHead(404).end();
    response.writeHead(200, { 'content-type': 'image/svg+xml', 'content-length': Buffer.byteLength(svg) }).end(svg);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/flags`, server, paths };
}

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** From the last signal sent (or the start) to the exit, in ms. */
  exitAfterMs: number;
}

/**
 * The real CLI; `signals` are sent at the given ms after the start. A run still alive after
 * `guardMs` is killed, so that a hang fails the test instead of stalling the suite.
 */
async function flags(args: string[], { signals = [] as [number, NodeJS.Signals][], guardMs = 60_000 } = {}): Promise<Run> {
  const child = spawn(process.execPath, [cliPath, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
  let lastSignal = performance.now();
  const timers = signals.map(([at, signal]) =>
    setTimeout(() => {
      lastSignal = performance.now();
      child.kill(signal);
    }, at),
  );
  const guard = setTimeout(() => child.kill('SIGKILL'), guardMs);
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  const exitAfterMs = performance.now() - lastSignal;
  clearTimeout(guard);
  for (const timer of timers) clearTimeout(timer);
  assert.notEqual(signal, 'SIGKILL', `the run hung and was killed after ${guardMs} ms:\n${stderr}`);
  return { code, signal, stdout, stderr, exitAfterMs };
}

/** An SVG of `count` blurs over the whole picture: minutes of rendering. */
function blurs(count: number): string {
  const filters = Array.from({ length: count }, (_, i) => `<filter id="f${i}" x="-5" y="-5" width="10" height="10"><feGaussianBlur stdDeviation="${50 + i}"/></filter>`);
  const rects = Array.from({ length: count }, (_, i) => `<rect width="640" height="480" fill="red" filter="url(#f${i})"/>`);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="640" height="480"><defs>${filters.join('')}</defs>${rects.join('')}</svg>`;
}

const tall = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 100000"><rect width="1" height="100000" fill="red"/></svg>';

/** Renders one SVG `count` times at 4096 px on one thread, in a process of its own: its RSS after the first render and after the last. */
const RENDERS = (render: string, svg: string, dest: string, count: number) => `
import { renderPng } from ${JSON.stringify(render)};
const rss = () => process.memoryUsage().rss;
let first;
for (let i = 0; i < ${count}; i++) {
  await renderPng(${JSON.stringify(svg)}, { width: 4096, dest: ${JSON.stringify(dest)}, tempPrefix: '.t-' });
  first ??= rss();
}
console.log(JSON.stringify({ first, last: rss() }));
`;

describe('a renderer dropped after a large bitmap', () => {
  it('is freed: twelve renders at 4096 px one after another hold no more memory than the first', async () => {
    await inTemp(async (dest) => {
      const svg = join(dest, 'plain.svg');
      await writeFile(svg, '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 4 3"><rect width="4" height="3" fill="#09c"/></svg>');
      const render = new URL('../src/render/render.js', import.meta.url).href;
      const output = execFileSync(process.execPath, ['--input-type=module', '-e', RENDERS(render, svg, dest, 12)], { encoding: 'utf8' });
      const { first, last } = JSON.parse(output) as { first: number; last: number };
      // Each copy of the renderer held about 100 MB until the process ran out of memory (24 GB in a run of --all --png 4096).
      assert.ok(last - first < 150 * 1024 ** 2, `RSS grew by ${Math.round((last - first) / 1024 ** 2)} MiB over 11 renders after the first`);
    });
  });
});

describe('rendering under limits (--png with hostile SVGs)', () => {
  let br: string;
  let slow: Awaited<ReturnType<typeof svgServer>>;
  before(async () => {
    br = await readFile(join(flagIconsSvgDir, 'br.svg'), 'utf8');
    slow = await svgServer({ aa: blurs(400), br, tl: tall });
  });
  after(() => slow.server.close());

  it('refuses a bitmap over the pixel budget before rendering it, naming its size, with little memory', async () => {
    await inTemp(async (dest) => {
      const run = await flags(['tl', 'br', '--server', slow.url, '--png', '4096', '--dest', dest, '--json']);
      assert.equal(run.code, 1, run.stderr);
      const report = JSON.parse(run.stdout) as RunReport;
      const tl = report.results.find((result) => result.cc === 'tl')!;
      assert.equal(tl.status, 'error');
      assert.match(tl.error!, /^render refused: 4096 × 409600000 px is over the budget of 16,777,216 pixels \(--max-pixels\)$/);
      assert.equal(report.results.find((result) => result.cc === 'br')!.status, 'ok');
      // 4096 × 409,600,000 px would be 6.7 TB of RGBA.
      assert.ok(report.peakRssBytes < 300 * 1024 ** 2, `peak RSS ${report.peakRssBytes} bytes`);
      assert.deepEqual((await filesIn(dest)).sort(), ['br.png', 'br.svg', 'tl.svg']);
    });
  });

  it('says a --max-pixels that is not a whole number from 1 is a usage error', async () => {
    const run = await flags(['br', '--png', '64', '--max-pixels', '0', '--server', slow.url]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--max-pixels must be a whole number/);
  });

  for (const mode of ['threads', 'async', 'sequential']) {
    it(`stops a render over --render-timeout in ${mode} mode: that flag is an error, the others are whole`, async () => {
      await inTemp(async (dest) => {
        // 3 s: a budget that the 400 blurs overrun by far, and that br's render meets even on a loaded machine.
        const run = await flags(['aa', 'br', '--mode', mode, '--server', slow.url, '--png', '320', '--render-timeout', '3000', '--dest', dest, '--json'], { guardMs: 30_000 });
        assert.equal(run.code, 1, run.stderr);
        const report = JSON.parse(run.stdout) as RunReport;
        const aa = report.results.find((result) => result.cc === 'aa')!;
        assert.equal(aa.error, 'render stopped: it took over 3000 ms (--render-timeout)');
        assert.ok(aa.ms < 20_000, `${aa.ms} ms`);
        const br = report.results.find((result) => result.cc === 'br')!;
        assert.equal(br.status, 'ok', JSON.stringify(br));
        assert.deepEqual((await filesIn(dest)).sort(), ['aa.svg', 'br.png', 'br.svg']);
      });
    });
  }

  it("stops a render at its default budget, which fits a flag: 2 s at a flag's width, 4 s a megapixel past that", async () => {
    assert.deepEqual(
      [16, 640, 1024, 4096].map((width) => defaultRenderTimeoutMs(width)),
      [2000, 2000, 3146, 50332],
    );
    await inTemp(async (dest) => {
      const run = await flags(['aa', 'br', '--mode', 'async', '--server', slow.url, '--png', '320', '--dest', dest, '--json'], { guardMs: 30_000 });
      assert.equal(run.code, 1, run.stderr);
      const report = JSON.parse(run.stdout) as RunReport;
      const aa = report.results.find((result) => result.cc === 'aa')!;
      assert.equal(aa.error, 'render stopped: it took over 2000 ms (--render-timeout)');
      assert.equal(report.results.find((result) => result.cc === 'br')!.status, 'ok');
    });
  });

  for (const mode of ['threads', 'async']) {
    it(`stops cleanly on Ctrl-C during a long render in ${mode} mode, and at once on a second`, async () => {
      await inTemp(async (dest) => {
        const args = ['aa', '--mode', mode, '--server', slow.url, '--png', '320', '--render-timeout', '600000', '--dest', dest];
        const once = await flags(args, { signals: [[1500, 'SIGINT']], guardMs: 30_000 });
        assert.equal(once.code, 130, once.stderr);
        assert.ok(once.exitAfterMs < 5000, `exit ${once.exitAfterMs} ms after Ctrl-C`);
        assert.match(once.stdout, /Interrupted: /);
        assert.deepEqual(await filesIn(dest), ['aa.svg'], 'no PNG, no temporary file');
        const twice = await flags(args, {
          signals: [
            [1500, 'SIGINT'],
            [1600, 'SIGINT'],
          ],
          guardMs: 30_000,
        });
        assert.ok(twice.code === 130 || twice.signal === 'SIGINT', `code ${twice.code}, signal ${twice.signal}`);
        assert.ok(twice.exitAfterMs < 1000, `exit ${twice.exitAfterMs} ms after the second Ctrl-C`);
      });
    });
  }

  it('never reads a local file or a URL that a downloaded SVG links to, nor hangs on a FIFO or /dev/zero', async () => {
    await inTemp(async (folder) => {
      // A picture on this machine, and two SVGs alike but for an <image> of it.
      const secret = join(folder, 'secret.png');
      const us = await flagsPng(folder, 'us');
      await writeFile(secret, us);
      execFileSync('mkfifo', [join(folder, 'fifo.png')]);
      const frame = (image: string) =>
        `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="40" height="30"><rect width="40" height="15" fill="blue"/>${image}</svg>`;
      const images = [secret, `file://${secret}`, join(folder, 'fifo.png'), '/dev/zero', 'secret.png', `${slow.url}/ln/ln.svg`]
        .map((href) => `<image href="${href}" width="40" height="30"/><image xlink:href="${href}" width="40" height="30"/>`)
        .join('');
      const server = await svgServer({ ab: frame(''), ac: frame(images) });
      try {
        const dest = join(folder, 'dest');
        const run = await flags(['ab', 'ac', '--server', server.url, '--png', '40', '--dest', dest], { guardMs: 30_000 });
        assert.equal(run.code, 0, run.stderr);
        assert.deepEqual(await readFile(join(dest, 'ac.png')), await readFile(join(dest, 'ab.png')), 'the <image> elements drew nothing');
        assert.deepEqual(
          slow.paths.filter((path) => path === '/flags/ln/ln.svg'),
          [],
          'no request for the linked URL',
        );
      } finally {
        server.server.close();
      }
    });
  });
});

/** A flag rendered by the CLI, as bytes: a real PNG for an SVG to point at. */
async function flagsPng(folder: string, cc: string): Promise<Buffer> {
  const dest = join(folder, `png-${cc}`);
  const run = await flags([cc, '--server', 'local', '--png', '40', '--dest', dest]);
  assert.equal(run.code, 0, run.stderr);
  return readFile(join(dest, `${cc}.png`));
}
