import { timeProcess } from '/work/main/dist/src/compare/process-timer.js';
import { mkdtempSync, rmSync } from 'node:fs';
const U = (await import('node:fs')).readFileSync('/tmp/rss/list.txt','utf8').trim();
const flags = (cli) => (dest) => [process.execPath, [cli, '--input', '/tmp/rss/list.txt', '--mode','threads','--threads','2','--partition','dynamic','--concurrency','10', '--timeout', '600000', '--dest', dest]];
const aria = (dest) => ['aria2c', ['--no-conf','-q','--file-allocation=none','--max-connection-per-server=1','--split=1','-d', dest, '-j', '20', U]];
const clients = { aria, main: flags('/work/main/dist/bundle/cli.js'), base: flags('/tmp/base-2d99/dist/bundle/cli.js') };
const res = {};
const orders = [['aria','main','base'],['aria','base','main']];
for (let i = 0; i < 10; i++) for (const k of orders[i % 2]) {
  const dest = mkdtempSync('/tmp/rss/d-');
  const [f, a] = clients[k](dest);
  const t = await timeProcess(f, a);
  rmSync(dest, { recursive: true });
  const pos = orders[i % 2].indexOf(k);
  (res[`${k}@${pos}`] ??= []).push(Math.round(t.wallMs));
}
for (const [k, v] of Object.entries(res)) { v.sort((a,b)=>a-b); console.log(k, 'median', v[2], v.join(' ')); }
