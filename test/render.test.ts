import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { flagIconsSvgDir } from '../src/input/catalogue.js';
import { renderPng } from '../src/render/render.js';
import type { RenderJob, RenderReply } from './fixtures/render-in-worker.js';
import { filesIn, tempFolder } from './helpers/fixtures.js';
import { pngSize } from './helpers/png.js';

const tempPrefix = '.flags-test-';
const flagSvg = (cc: string) => join(flagIconsSvgDir, `${cc}.svg`);

describe('renderPng', () => {
  let sources: Awaited<ReturnType<typeof tempFolder>>;
  let dest: Awaited<ReturnType<typeof tempFolder>>;
  before(async () => {
    sources = await tempFolder();
    dest = await tempFolder();
  });
  after(async () => {
    await sources.remove();
    await dest.remove();
  });

  it('renders a flag to {cc}.png at the width asked, the 4:3 aspect kept, and leaves no temporary file', async () => {
    const rendered = await renderPng(flagSvg('br'), { width: 640, dest: dest.path, tempPrefix });
    const png = await readFile(join(dest.path, 'br.png'));
    assert.deepEqual(pngSize(png), { width: 640, height: 480 });
    assert.equal(rendered.bytes, png.length);
    assert.ok(rendered.renderMs >= 0 && Number.isInteger(rendered.renderMs * 10), String(rendered.renderMs));
    assert.deepEqual(await filesIn(dest.path), ['br.png']);
  });

  it('keeps the aspect of an SVG that is not 4:3', async () => {
    const wide = join(sources.path, 'wide.svg');
    await writeFile(wide, '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 2 1"><rect width="2" height="1" fill="#c00"/></svg>');
    await renderPng(wide, { width: 300, dest: dest.path, tempPrefix });
    assert.deepEqual(pngSize(await readFile(join(dest.path, 'wide.png'))), { width: 300, height: 150 });
  });

  it('says a file that is no SVG failed to render, and writes nothing', async () => {
    const broken = join(sources.path, 'xx.svg');
    await writeFile(broken, 'this is not an SVG');
    const existing = await filesIn(dest.path);
    await assert.rejects(renderPng(broken, { width: 64, dest: dest.path, tempPrefix }), /^Error: render failed: SVG data parsing failed/);
    assert.deepEqual(await filesIn(dest.path), existing);
  });

  it('says why when the SVG cannot be read', async () => {
    await assert.rejects(renderPng(join(sources.path, 'missing.svg'), { width: 64, dest: dest.path, tempPrefix }), /^Error: render failed: ENOENT/);
  });

  it('removes its temporary file when the PNG cannot be put in place', async () => {
    const folder = await tempFolder();
    try {
      // A folder where the PNG should go: the temporary file is written, the rename fails.
      await mkdir(join(folder.path, 'fr.png'));
      await assert.rejects(renderPng(flagSvg('fr'), { width: 64, dest: folder.path, tempPrefix }), /^Error: render failed: EISDIR/);
      assert.deepEqual(await filesIn(folder.path), ['fr.png']);
      assert.ok((await stat(join(folder.path, 'fr.png'))).isDirectory());
    } finally {
      await folder.remove();
    }
  });

  it('refuses a width that is not a positive whole number', async () => {
    for (const width of [0, -1, 1.5, Number.NaN]) {
      await assert.rejects(renderPng(flagSvg('br'), { width, dest: dest.path, tempPrefix }), RangeError, String(width));
    }
  });
});

describe('renderPng in worker threads', () => {
  it('loads resvg only on the first render and renders in two threads at once', async () => {
    const dest = await tempFolder();
    try {
      const runInWorker = async (codes: string[]) => {
        const job: RenderJob = { svgPaths: codes.map(flagSvg), options: { width: 120, dest: dest.path, tempPrefix } };
        const worker = new Worker(new URL('./fixtures/render-in-worker.js', import.meta.url), { workerData: job });
        const [reply] = (await once(worker, 'message')) as [RenderReply];
        await once(worker, 'exit');
        return reply;
      };
      const replies = await Promise.all([runInWorker(['de', 'jp', 'np']), runInWorker(['ch', 'us', 'gb'])]);
      for (const reply of replies) {
        assert.notEqual(reply.threadId, 0);
        assert.equal(reply.resvgLoadedAtImport, false, 'importing render.js must not load resvg');
        assert.equal(reply.resvgLoadedAfter, true);
        for (const outcome of reply.outcomes) assert.ok('bytes' in outcome, JSON.stringify(outcome));
      }
      assert.notEqual(replies[0]!.threadId, replies[1]!.threadId);
      const files = (await filesIn(dest.path)).sort();
      assert.deepEqual(files, ['ch.png', 'de.png', 'gb.png', 'jp.png', 'np.png', 'us.png']);
      assert.deepEqual(pngSize(await readFile(join(dest.path, 'de.png'))), { width: 120, height: 90 });
    } finally {
      await dest.remove();
    }
  });
});

describe('pngSize', () => {
  const header = (width: number, height: number) => {
    const bytes = Buffer.alloc(33);
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(bytes);
    bytes.writeUInt32BE(13, 8);
    bytes.write('IHDR', 12, 'latin1');
    bytes.writeUInt32BE(width, 16);
    bytes.writeUInt32BE(height, 20);
    return bytes;
  };

  it('reads width and height from the IHDR chunk', () => {
    assert.deepEqual(pngSize(header(640, 480)), { width: 640, height: 480 });
    assert.deepEqual(pngSize(new Uint8Array(header(70000, 3))), { width: 70000, height: 3 });
  });

  it('refuses a bad signature, a short file, a first chunk that is not IHDR, and a zero size', () => {
    const gif = Buffer.from('GIF89a\x01\x00\x01\x00', 'latin1');
    assert.throws(() => pngSize(gif), /bad signature/);
    assert.throws(() => pngSize(header(1, 1).subarray(0, 20)), /too short/);
    const wrongChunk = header(1, 1);
    wrongChunk.write('IDAT', 12, 'latin1');
    assert.throws(() => pngSize(wrongChunk), /IHDR/);
    assert.throws(() => pngSize(header(0, 5)), /size/);
  });
});
