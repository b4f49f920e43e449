import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

/** A bench script as npm runs it; a script that ignored its arguments would start a run of many minutes, killed by the guard. */
function runScript(name: string, args: string[]) {
  const script = fileURLToPath(new URL(`../bench/${name}`, import.meta.url));
  const child = spawnSync(process.execPath, [script, ...args], { encoding: 'utf8', timeout: 30_000 });
  return { code: child.status, signal: child.signal, stdout: child.stdout, stderr: child.stderr };
}

describe('the bench scripts refuse what they do not understand, before any run', () => {
  it('npm run bench -- --qiuck: exit 2 naming the unknown option and the usage', () => {
    const run = runScript('run.js', ['--qiuck']);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /Unknown option '--qiuck'\nusage: npm run bench -- \[--quick\]/);
    assert.equal(run.stdout, '');
  });

  it('npm run soak -- --run 4: exit 2 naming --run', () => {
    const run = runScript('run-soak.js', ['--run', '4']);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /Unknown option '--run'/);
  });

  it('npm run soak -- --runs: a missing number is named too', () => {
    const run = runScript('run-soak.js', ['--runs']);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /--runs <value>' argument missing/);
  });

  it('an unknown scenario, and --save with --only, are usage errors', () => {
    const unknown = runScript('run.js', ['--only', 'seed,sede']);
    assert.equal(unknown.code, 2, unknown.stderr);
    assert.match(unknown.stderr, /unknown scenario sede; choose from startup, seed,/);
    const partial = runScript('run.js', ['--save', '--only', 'seed']);
    assert.equal(partial.code, 2, partial.stderr);
    assert.match(partial.stderr, /--save keeps whole runs/);
  });

  it('--baseline names a checkout that is not built, and the floor script wants its client: usage errors before any run', () => {
    const unbuilt = runScript('run.js', ['--only', 'files', '--baseline', '/nonexistent-checkout']);
    assert.equal(unbuilt.code, 2, unbuilt.stderr);
    assert.match(unbuilt.stderr, /--baseline: no \/nonexistent-checkout\/dist\/bundle\/cli\.js: build that checkout first/);
    assert.equal(unbuilt.stdout, '');
    const floor = runScript('node-floor.js', ['--client', 'curl', '--input', 'list', '--dest', 'dest', '--in-flight', '20']);
    assert.equal(floor.code, 2, floor.stderr);
    assert.match(floor.stderr, /--client: node:http or node-fetch\nusage: node dist\/bench\/node-floor.js/);
  });

  it('--only takes the queue scenario by its name, and refuses a misspelt one naming it among the choices', () => {
    const run = runScript('run.js', ['--only', 'queue,queu']);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /unknown scenario queu; choose from .*, files, split, queue\n/);
    assert.equal(run.stdout, '');
  });

  it('render-cost.js takes a number of runs, nothing else', () => {
    const run = runScript('render-cost.js', ['--runs', '3']);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /Unknown option '--runs'\nusage: node dist\/bench\/render-cost.js \[runs\]/);
  });
});
