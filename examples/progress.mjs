// Flags from the embedded server with a progress line, then the report: node examples/progress.mjs [dest]
import { download } from 'flags';

let total = 0;
let received = 0;
const run = download({
  codes: ['br', 'cn', 'fr', 'in', 'us'],
  server: 'local',
  dest: process.argv[2] ?? 'downloaded',
  threads: 2,
  concurrency: 3,
  onStart: (start) => (total = start.requested),
  onBytes: (bytes) => (received += bytes),
});
let done = 0;
for await (const result of run) {
  done++;
  process.stdout.write(`\r${done}/${total} flags, ${received} bytes received, last: ${result.cc} ${result.status}`);
}
const report = await run.report;
process.stdout.write(`\n${report.ok} downloaded, ${report.error} errors in ${report.elapsedMs} ms\n`);
