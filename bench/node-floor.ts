import { createWriteStream } from 'node:fs';
import { readFile, rename } from 'node:fs/promises';
import http from 'node:http';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import fetch from 'node-fetch';
import { scriptArgs, usageError } from './args.js';

/**
 * The Node floor of the files scenario: what one event loop of Node does with a URL list and
 * nothing else, so that flags is judged against what Node allows, not only against C programs.
 * `node:http`: http.get over a keep-alive Agent (maxSockets = in flight), each body piped to
 * fs.createWriteStream (1 MiB buffer) at a temporary name, renamed whole. `node-fetch`: the same
 * over node-fetch, compress off. No retries, no checks but the status: any failure exits 1.
 */
const USAGE = 'node dist/bench/node-floor.js --client node:http|node-fetch --input <list> --dest <dir> --in-flight N';
const { values } = scriptArgs(USAGE, {
  options: {
    client: { type: 'string' },
    input: { type: 'string' },
    dest: { type: 'string' },
    'in-flight': { type: 'string' },
  },
});
const { client, input, dest } = values;
const inFlight = Number(values['in-flight']);
if (client !== 'node:http' && client !== 'node-fetch') usageError('--client: node:http or node-fetch', USAGE);
if (input === undefined || dest === undefined || !(inFlight >= 1)) usageError('--input, --dest and --in-flight N are required', USAGE);

const FLOOR_WRITE_BUFFER = 1024 * 1024;
const agent = new http.Agent({ keepAlive: true, maxSockets: inFlight });
const urls = (await readFile(input, 'utf8')).split('\n').filter((line) => line !== '');
let tempCount = 0;

async function overNodeHttp(url: string, temp: string): Promise<void> {
  const response = await new Promise<http.IncomingMessage>((resolve, reject) => http.get(url, { agent }, resolve).once('error', reject));
  if (response.statusCode !== 200) {
    response.resume();
    throw new Error(`HTTP ${response.statusCode} for ${url}`);
  }
  await pipeline(response, createWriteStream(temp, { highWaterMark: FLOOR_WRITE_BUFFER }));
}

async function overNodeFetch(url: string, temp: string): Promise<void> {
  const response = await fetch(url, { agent, compress: false });
  if (response.status !== 200) throw new Error(`HTTP ${response.status} for ${url}`);
  await pipeline(response.body!, createWriteStream(temp, { highWaterMark: FLOOR_WRITE_BUFFER }));
}

const save = client === 'node:http' ? overNodeHttp : overNodeFetch;
let next = 0;
const slot = async () => {
  while (next < urls.length) {
    const url = urls[next++]!;
    const temp = join(dest, `.floor-${++tempCount}`);
    await save(url, temp);
    await rename(temp, join(dest, decodeURIComponent(basename(new URL(url).pathname))));
  }
};
try {
  await Promise.all(Array.from({ length: inFlight }, slot));
} catch (error) {
  process.stderr.write(`${client} floor: ${(error as Error).message}\n`);
  process.exitCode = 1;
}
agent.destroy();
