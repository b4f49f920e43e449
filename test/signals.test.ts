import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { startCli, until } from './helpers/cli-child.js';
import { cliPath, filesIn, inTemp, parseReport, runCli } from './helpers/fixtures.js';

/** A flag server on loopback made here: `answer` serves `/{cc}/{cc}.svg`, and may never end its answer. */
async function withHostileServer<T>(answer: (cc: string, response: ServerResponse) => void, use: (baseUrl: string) => Promise<T>): Promise<T> {
  const server = createServer((request, response) => answer(request.url!.split('/')[1]!, response));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    return await use(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  } finally {
    server.closeAllConnections();
    server.close();
  }
}

/** Large enough that writing it to its temporary file takes a while, so that a signal can find the file there. */
const BIG_FLAG = Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg"><!--${'flag '.repeat(4_000_000)}--></svg>`);

/** Four big flags saved, two whose answers never end: the run is always mid-way when signalled. */
function bigOrStuck(cc: string, response: ServerResponse): void {
  if (['id', 'pk'].includes(cc)) {
    response.writeHead(200, { 'content-type': 'image/svg+xml', 'content-length': '1000' });
    return;
  }
  response.writeHead(200, { 'content-type': 'image/svg+xml', 'content-length': String(BIG_FLAG.length) });
  response.end(BIG_FLAG);
}

const temporary = (name: string) => name.startsWith('.flags-');
/** A run's own temporary file, not the start-up's write probe (made before the run listens for signals). */
const runTemporary = (name: string) => /^\.flags-\d+-/.test(name);

describe('a stop signal mid-run', () => {
  const cases: { signal: NodeJS.Signals; code: number; mode: string; json: boolean }[] = [
    { signal: 'SIGTERM', code: 143, mode: 'threads', json: false },
    { signal: 'SIGTERM', code: 143, mode: 'async', json: true },
    { signal: 'SIGHUP', code: 129, mode: 'sequential', json: false },
    { signal: 'SIGHUP', code: 129, mode: 'threads', json: true },
  ];
  for (const { signal, code, mode, json } of cases) {
    test(`${signal}, ${mode}${json ? ', --json' : ''}: a clean stop, the report, exit ${code}, no temporary file left`, () =>
      withHostileServer(bigOrStuck, (baseUrl) =>
        inTemp(async (dest) => {
          const args = ['BR', 'IN', 'US', 'CN', 'ID', 'PK', '--server', baseUrl, '--mode', mode, '--threads', '2', '--concurrency', '3'];
          const run = startCli([...args, '--max-size', '50000000', '--dest', dest, ...(json ? ['--json'] : [])]);
          // Signalled while a flag is being written: without a clean stop, its temporary file stays.
          await until('a temporary file in dest', async () => (await filesIn(dest)).some(runTemporary));
          run.child.kill(signal);
          const exit = await run.exited(15_000);

          assert.deepEqual(exit, { code, signal: null }, run.stderr());
          assert.match(run.stderr(), new RegExp(`\\nInterrupted by ${signal}: stopping the downloads in flight \\(a second signal quits at once\\)\\n`.replaceAll(' ', '\\s+')));
          const saved = await filesIn(dest);
          assert.deepEqual(saved.filter(temporary), [], 'no temporary file left');
          for (const name of saved) assert.ok((await readFile(join(dest, name))).equals(BIG_FLAG), `${name} is whole`);
          if (json) {
            const report = parseReport({ ...exit, stdout: run.stdout(), stderr: run.stderr() });
            assert.equal(report.interrupted, true);
            assert.equal(report.ok, saved.length);
            const stuck = report.results.filter((result) => ['id', 'pk'].includes(result.cc!));
            assert.ok(
              stuck.every((result) => result.status === 'error' && result.error === 'interrupted'),
              JSON.stringify(stuck),
            );
          } else {
            assert.match(run.stdout(), new RegExp(`^${saved.length} flags? downloaded`, 'm'));
            // Signalled mid-write: at least that download was cut short, and it is not counted as finished.
            const counts = /\nInterrupted: (\d) of 6 flags finished, (\d) cut short, \d not attempted\n$/.exec(run.stdout());
            assert.ok(counts, run.stdout());
            assert.equal(Number(counts[1]), saved.length);
            assert.ok(Number(counts[2]) >= 1, run.stdout());
          }
        }),
      ));
  }
});

/** A word for `sh -c`, whatever it holds. */
const shellQuote = (word: string) => `'${word.replaceAll("'", `'\\''`)}'`;

const SCRIPT = '/usr/bin/script';

describe('a closed terminal', () => {
  // script(1) runs the CLI on a pseudo-terminal; killing script closes it as closing a terminal
  // window does: the kernel hangs the terminal up and sends SIGHUP, and every later write to it fails.
  const skip = (!existsSync(SCRIPT) || !existsSync('/proc')) && `needs ${SCRIPT} (util-linux) and /proc`;
  test('the run stops cleanly: no temporary file left, the timeline written after the report', { skip }, () =>
    inTemp(async (folder) => {
      const dest = join(folder, 'dest');
      const timeline = join(folder, 'run.svg');
      const command = [process.execPath, cliPath, '--all', '--server', 'delay', '--latency', '300', '--jitter', '0', '--threads', '4', '--dest', dest, '--timeline', timeline];
      const terminal = spawn(SCRIPT, ['-qfec', command.map(shellQuote).join(' '), '/dev/null'], { env: { ...process.env, SHELL: '/bin/sh' }, stdio: ['pipe', 'pipe', 'ignore'] });
      try {
        let output = '';
        terminal.stdout.on('data', (chunk: Buffer) => (output += chunk));
        // Some flag done: a timeline needs one.
        await until('a flag done', () => /[1-9]\d*\/257 flags/.test(output));
        terminal.kill('SIGKILL');
        await until('the run gone', async () => (await processesNaming(dest)).length === 0, 15_000);
        assert.ok(existsSync(timeline), 'the timeline was written: the run ended its own way, after the report');
        assert.deepEqual((await filesIn(dest)).filter(temporary), []);
      } finally {
        // Only if the test fails: a run that outlived its terminal is ended here, not left running.
        for (const pid of await processesNaming(dest)) process.kill(pid, 'SIGKILL');
      }
    }),
  );
});

describe('a reader that quits', () => {
  test('the run goes on to its end when stdout is closed mid-run: every flag whole, no temporary file, no stack trace', () =>
    inTemp(async (dest) => {
      const run = startCli(['--all', '--server', 'delay', '--latency', '20', '--jitter', '0', '--threads', '2', '--verbose', '--dest', dest]);
      // As `flags --verbose | head -1` does: the first line read, then the pipe closed, so that every later write fails with EPIPE.
      await until('a first line', () => run.stdout().length > 0);
      run.child.stdout!.destroy();
      const exit = await run.exited(60_000);
      assert.deepEqual(exit, { code: 0, signal: null }, run.stderr());
      assert.doesNotMatch(run.stderr(), /EPIPE|at /);
      const saved = await filesIn(dest);
      assert.deepEqual(saved.filter(temporary), []);
      assert.equal(saved.length, 257);
    }));
});

/** A flag that takes resvg about a minute to render: hundreds of full-size blurs. */
const SLOW_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 640 480"><defs><filter id="b"><feGaussianBlur stdDeviation="40"/></filter></defs>${'<rect width="640" height="480" fill="#09c" filter="url(#b)"/>'.repeat(1000)}</svg>`;

describe('a second stop signal', () => {
  for (const [first, second] of [
    ['SIGINT', 'SIGINT'],
    ['SIGTERM', 'SIGHUP'],
  ] as const) {
    test(`${first} then ${second} during a render in a worker thread: the process is killed by ${second} at once`, async () => {
      let served = false;
      const slow = (_cc: string, response: ServerResponse) => {
        response.on('finish', () => (served = true));
        response.writeHead(200, { 'content-type': 'image/svg+xml' }).end(SLOW_SVG);
      };
      await withHostileServer(slow, (baseUrl) =>
        inTemp(async (dest) => {
          const run = startCli(['BR', '--server', baseUrl, '--mode', 'threads', '--png', '640', '--dest', dest]);
          await until('the flag served', () => served);
          // The worker is inside resvg's native code from here: the clean stop waits for it.
          await delay(500);
          run.child.kill(first);
          await until('the first signal taken', () => run.stderr().includes('Interrupted'));
          run.child.kill(second);
          assert.deepEqual(await run.exited(3_000), { code: null, signal: second }, run.stderr());
        }),
      );
    });
  }
});

/** A pid no process has: from a number above Linux's usual pid_max, the first that kill(pid, 0) finds absent. */
function deadPid(): number {
  for (let pid = 999_999; ; pid++) {
    try {
      process.kill(pid, 0);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ESRCH') return pid;
    }
  }
}

describe('stale temporary files', () => {
  test('a run removes the files of dead runs from dest, and nothing else', () =>
    inTemp(async (folder) => {
      const dest = join(folder, 'dest');
      await mkdir(dest);
      const dead = deadPid();
      const live = process.pid;
      const outside = join(folder, 'outside.txt');
      await writeFile(outside, 'keep me');
      const stale = [`.flags-${dead}-abcdef-br.svg`, `.flags-${dead}-0a1b2c-7-in.png`, `.flags-probe-${dead}`, `.flags-probe-${dead}-5e6f`, `.flags-${dead}-abcdef-link`];
      const kept = [
        `.flags-${live}-abcdef-br.svg`,
        `.flags-probe-${live}`,
        '.flags-notes.txt',
        `.flags-${dead}-notes.txt`,
        `.flags-${dead}-abcdef-folder`,
        `.flags-${dead}-abcdef-fifo`,
        `flags-${dead}-abcdef-br.svg`,
      ];
      for (const name of [...stale, ...kept]) {
        const path = join(dest, name);
        if (name.endsWith('-link')) await symlink(outside, path);
        else if (name.endsWith('-folder')) await mkdir(path);
        else if (name.endsWith('-fifo')) assert.equal(spawnSync('mkfifo', [path]).status, 0, 'mkfifo');
        else await writeFile(path, 'left');
      }

      const run = await runCli(['BR', '--server', 'local', '--dest', dest]);
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual((await readdir(dest)).sort(), [...kept, 'br.svg'].sort());
      assert.equal(await readFile(outside, 'utf8'), 'keep me', 'the link went, not the file it points to');
    }));
});

/** The processes whose command line names `text`: a compare run's children name their folder in it. */
async function processesNaming(text: string): Promise<number[]> {
  const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name));
  const named = await Promise.all(pids.map(async (pid) => ((await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).includes(text) ? [Number(pid)] : [])));
  return named.flat();
}

describe('flags compare stopped by a signal', { skip: !existsSync('/proc') && 'needs /proc' }, () => {
  /** Compare with its temporary folders in a folder of the test's own (TMPDIR), so that both its children and its leftovers can be found. */
  async function stopCompare(args: string[], signals: NodeJS.Signals[], ready: (tmp: string) => Promise<boolean>) {
    return inTemp(async (tmp) => {
      const run = startCli(['compare', ...args, '--modes', 'threads', '--threads', '1', '--repeat', '1'], { ...process.env, TMPDIR: tmp });
      try {
        await until('a run under way', () => ready(tmp));
        for (const [index, signal] of signals.entries()) {
          // The run takes the first before the next comes: two signals at the same instant count as one.
          if (index > 0) await delay(300);
          run.child.kill(signal);
          await until('the signal taken', () => run.stderr().includes('Interrupted'));
        }
        const exit = await run.exited(15_000);
        return { exit, stdout: run.stdout(), stderr: run.stderr(), left: await processesNaming(tmp), leftovers: await filesIn(tmp) };
      } finally {
        // Only if the test fails: a run that outlived compare is ended here, not left running.
        for (const pid of await processesNaming(tmp)) process.kill(pid, 'SIGKILL');
      }
    });
  }

  test('SIGTERM: it goes to the run in progress, which stops; the temporary folder goes; exit 143', async () => {
    const args = ['BR', 'IN', 'US', 'CN', '--server', 'delay', '--latency', '1500', '--json'];
    // Its first flag saved, the run is past its start-up and listens for signals; three flags are left.
    const ready = async (tmp: string) => (await readdir(tmp, { recursive: true })).some((name) => name.endsWith('.svg'));
    const { exit, stdout, stderr, left, leftovers } = await stopCompare(args, ['SIGTERM'], ready);
    assert.deepEqual(exit, { code: 143, signal: null }, stderr);
    assert.deepEqual(left, [], 'no process of the run left');
    assert.deepEqual(leftovers, [], 'no temporary folder left');
    assert.match(stderr, /Interrupted by SIGTERM: stopping the run in progress/);
    assert.doesNotMatch(stderr, /FAILED/, 'the stopped run is not reported as a failure');
    assert.equal(JSON.parse(stdout).interrupted, true);
  });

  test('Ctrl-C after the first config: the run in progress is left out, the configs after it are "not run", not failed', () =>
    inTemp(async (tmp) => {
      const args = ['compare', 'BR', '--server', 'delay', '--latency', '1500', '--modes', 'threads', '--threads', '1', '--partition', 'dynamic,chunks', '--repeat', '1'];
      for (const json of [true, false]) {
        const run = startCli([...args, ...(json ? ['--json'] : [])], { ...process.env, TMPDIR: tmp });
        try {
          await until('the first config timed', () => /\[1\/2\] threads 1×1 dynamic: \d/.test(run.stderr()));
          run.child.kill('SIGINT');
          assert.deepEqual(await run.exited(15_000), { code: 130, signal: null }, run.stderr());
        } finally {
          run.child.kill('SIGKILL');
        }
        assert.match(run.stderr(), /\nInterrupted: stopping the run in progress\s+\(Ctrl-C\s+again\s+to\s+quit\s+at\s+once\)\n/);
        if (json) {
          const rows = (JSON.parse(run.stdout()) as { rows: { partition: string; runs: number; failed: number; notRun: boolean }[] }).rows;
          assert.deepEqual(
            rows.map((row) => [row.partition, row.runs, row.failed, row.notRun]),
            [
              ['dynamic', 1, 0, false],
              ['chunks', 0, 0, true],
            ],
          );
        } else {
          assert.match(run.stdout(), /^threads +chunks +1 +1 +not run/m);
          assert.doesNotMatch(run.stdout(), /runs? failed/);
          assert.match(run.stdout(), /Interrupted: the table holds the runs finished before Ctrl-C; the run then in\s+progress was stopped and left out\./);
        }
      }
    }));

  test('Ctrl-C twice during a long render: the run in progress is killed at once, the temporary folder goes; exit 130', async () => {
    let served = false;
    const slow = (_cc: string, response: ServerResponse) => {
      response.on('finish', () => (served = true));
      response.writeHead(200, { 'content-type': 'image/svg+xml' }).end(SLOW_SVG);
    };
    await withHostileServer(slow, async (baseUrl) => {
      // The run renders from a little after the flag is served.
      const ready = async () => {
        if (served) await delay(500);
        return served;
      };
      const { exit, stderr, left, leftovers } = await stopCompare(['BR', '--server', baseUrl, '--png', '640'], ['SIGINT', 'SIGINT'], ready);
      assert.deepEqual(exit, { code: 130, signal: null }, stderr);
      assert.deepEqual(left, [], 'no process of the run left');
      assert.deepEqual(leftovers, [], 'no temporary folder left');
    });
  });
});

describe('flags serve', () => {
  test('stops on SIGHUP with code 0', async () => {
    const run = startCli(['serve', '--port', '0', '--profile', 'local']);
    await until('the banner', () => run.stdout().includes('Serving flags at'));
    run.child.kill('SIGHUP');
    assert.deepEqual(await run.exited(10_000), { code: 0, signal: null }, run.stderr());
  });
});
