import { readFileSync } from 'node:fs';
import { Agent, get } from 'node:http';
import { scriptArgs, usageError } from './args.js';

/**
 * `node load-client.js <url-list> <requests> <in-flight>`: a plain HTTP client that keeps
 * `in-flight` keep-alive requests going over the list (round and round) until `requests` are
 * done, and prints the time, throughput and latency percentiles as JSON. Nothing but node:http,
 * so that the server and not the client is what gets measured.
 */
export interface LoadResult {
  requests: number;
  /** Answers other than 200, and requests that failed outright. */
  errors: number;
  bytes: number;
  /** From the first request to the last answer, without Node's own start. */
  wallMs: number;
  requestsPerSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
}

const USAGE = 'node load-client.js <url-list> <requests> <in-flight>';
const { positionals } = scriptArgs(USAGE, { allowPositionals: true });
const [list, requestsText, inFlightText] = positionals;
if (list === undefined || positionals.length !== 3) usageError(`expected 3 arguments, got ${positionals.length}`, USAGE);
const urls = readFileSync(list, 'utf8').split('\n').filter(Boolean);
const requests = Number(requestsText);
const inFlight = Number(inFlightText);
if (urls.length === 0 || !(requests > 0) || !(inFlight > 0)) usageError(`expected URLs in ${list} and counts above 0, got ${requestsText} and ${inFlightText}`, USAGE);

const agent = new Agent({ keepAlive: true, maxSockets: inFlight });
const latencies: number[] = [];
let errors = 0;
let bytes = 0;
let issued = 0;

function fetchOne(url: string): Promise<void> {
  return new Promise((resolve) => {
    const request = get(url, { agent }, (response) => {
      if (response.statusCode !== 200) errors++;
      response.on('data', (chunk: Buffer) => (bytes += chunk.length));
      response.on('end', resolve);
      response.on('error', () => {
        errors++;
        resolve();
      });
    });
    request.on('error', () => {
      errors++;
      resolve();
    });
  });
}

async function lane(): Promise<void> {
  while (issued < requests) {
    const url = urls[issued++ % urls.length]!;
    const started = performance.now();
    await fetchOne(url);
    latencies.push(performance.now() - started);
  }
}

const started = performance.now();
await Promise.all(Array.from({ length: inFlight }, lane));
const wallMs = performance.now() - started;
agent.destroy();

latencies.sort((a, b) => a - b);
const at = (share: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(share * latencies.length))]! * 10) / 10;
const result: LoadResult = {
  requests,
  errors,
  bytes,
  wallMs: Math.round(wallMs),
  requestsPerSecond: Math.round(requests / (wallMs / 1000)),
  latencyMs: { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: at(1) },
};
process.stdout.write(`${JSON.stringify(result)}\n`);
