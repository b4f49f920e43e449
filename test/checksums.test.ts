import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { OptionError } from '../src/errors.js';
import { formatChecksums, readChecksums, sha256OfFile } from '../src/store/checksums.js';
import { inTemp } from './helpers/fixtures.js';

const HEX_A = 'a'.repeat(64);
const HEX_B = 'B'.repeat(64);

describe('checksum manifests', () => {
  it('reads text and binary lines, ./ prefixes, escaped names and comments', async () => {
    await inTemp(async (folder) => {
      const manifest = join(folder, 'SUMS');
      await writeFile(manifest, `# made by hand\r\n${HEX_A}  ./a b.txt\r\n${HEX_B} *dir/é.bin\n\n\\${HEX_A}  back\\\\slash\\nnewline\n`);
      const sums = await readChecksums(manifest);
      assert.deepEqual(
        [...sums],
        [
          ['a b.txt', HEX_A],
          ['dir/é.bin', HEX_B.toLowerCase()],
          ['back\\slash\nnewline', HEX_A],
        ],
      );
    });
  });

  it('names each bad line (a second, different sum for a name too), and refuses an empty manifest or a missing one', async () => {
    await inTemp(async (folder) => {
      const manifest = join(folder, 'SUMS');
      await writeFile(manifest, `${HEX_A}  ok\nnot a sum\n${'a'.repeat(63)}  short\n${HEX_B}  ok\n`);
      await assert.rejects(readChecksums(manifest), (error: Error) => {
        assert.ok(error instanceof OptionError && error.option === 'checksums');
        assert.match(error.message, /3 problems, nothing downloaded:\n {2}line 2: not .*\n {2}line 3: not .*\n {2}line 4: a second, different sum for ok$/);
        assert.match(error.message, /^checksums .*SUMS: /);
        return true;
      });
      await writeFile(manifest, '# nothing\n');
      await assert.rejects(readChecksums(manifest), /no checksum in it/);
      await assert.rejects(readChecksums(join(folder, 'missing')), /cannot read it \(ENOENT\)/);
    });
  });

  it('writes a manifest that sha256sum -c accepts, sorted, odd names escaped', async () => {
    await inTemp(async (folder) => {
      const names = ['z.txt', 'a b.txt', 'back\\slash'];
      const entries = [];
      for (const [index, name] of names.entries()) {
        await writeFile(join(folder, name), `file ${index}\n`);
        entries.push({ file: name, sha256: await sha256OfFile(join(folder, name)) });
      }
      const text = formatChecksums(entries);
      assert.match(text, /^[0-9a-f]{64} {2}a b\.txt\n\\[0-9a-f]{64} {2}back\\\\slash\n[0-9a-f]{64} {2}z\.txt\n$/);
      await writeFile(join(folder, 'SHA256SUMS'), text);
      const out = execFileSync('sha256sum', ['-c', 'SHA256SUMS'], { cwd: folder, encoding: 'utf8' });
      assert.equal(out.match(/: OK$/gm)?.length, 3, out);
      assert.deepEqual([...(await readChecksums(join(folder, 'SHA256SUMS'))).keys()].sort(), [...names].sort());
    });
  });
});
