import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { filesIn, parseReport, runCli, sourceFlag, tempFolder } from './helpers/fixtures.js';

/** How the test server encodes each flag, as a server with compression on may. */
const encodings: Record<string, [string, (body: Buffer) => Buffer]> = {
  br: ['br', brotliCompressSync],
  in: ['gzip', gzipSync],
  us: ['deflate', deflateSync],
};

describe('an encoded answer', () => {
  test('is saved decoded, in threads and on the event loop, though its Content-Length counts the encoded bytes', async () => {
    const server = createServer((request, response) => {
      const cc = request.url!.split('/')[1]!;
      void sourceFlag(cc).then((flag) => {
        const [name, encode] = encodings[cc]!;
        const body = encode(flag);
        response.writeHead(200, { 'content-type': 'image/svg+xml', 'content-encoding': name, 'content-length': body.length }).end(body);
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as { port: number };
    try {
      for (const mode of ['threads', 'async']) {
        const dest = await tempFolder();
        try {
          const run = await runCli(['BR', 'IN', 'US', '--mode', mode, '--server', `http://127.0.0.1:${port}`, '--dest', dest.path, '--json']);
          assert.equal(run.code, 0, run.stdout + run.stderr);
          assert.equal(parseReport(run).ok, 3);
          assert.deepEqual(await filesIn(dest.path), ['br.svg', 'in.svg', 'us.svg']);
          for (const cc of Object.keys(encodings)) assert.deepEqual(await readFile(join(dest.path, `${cc}.svg`)), await sourceFlag(cc), `${mode} ${cc}`);
        } finally {
          await dest.remove();
        }
      }
    } finally {
      server.close();
    }
  });
});
