// A comparison of thread counts printed as a table: node examples/compare-table.mjs
import { compare } from 'flags';

const summary = await compare({ codes: ['br', 'cn', 'fr', 'in'], server: 'local', threads: [1, 2], repeat: 1 });
const seconds = (ms) => (ms === null ? '-' : `${(ms / 1000).toFixed(2)} s`);
console.table(summary.rows.map((row) => ({ mode: row.mode, threads: row.threads, 'in flight': row.inFlight, median: seconds(row.medianMs), failed: row.failed })));
console.log(`${summary.flags} flags from ${summary.server}, ${summary.repeat} run(s) each; baseline: ${summary.baseline ?? 'none'}`);
