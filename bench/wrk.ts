import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { timeProcess } from '../src/compare/process-timer.js';

export interface WrkResult {
  requests: number;
  requestsPerSecond: number;
  /** Answers other than 2xx/3xx, and socket errors of any kind. */
  errors: number;
  latencyMs: { p50: number; p99: number };
}

export interface Wrk {
  available: boolean;
  version?: string;
  install: string;
  /** `seconds` of load from one client thread with `connections` keep-alive connections, cycling over `paths`. */
  run(baseUrl: string, pathsFile: string, connections: number, seconds: number): Promise<WrkResult>;
}

/** Starts the line of figures that the script's done() writes after wrk's own report. */
const MARKER = 'flags-wrk-json ';

/**
 * wrk asks for one path: this script hands out the listed paths in turn instead. Its done() writes
 * the figures as JSON, unrounded (durations in µs), where wrk's report rounds them for reading.
 */
const SCRIPT = `local paths = {}
for line in io.lines(os.getenv("WRK_PATHS")) do paths[#paths + 1] = line end
local i = 0
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('${MARKER}{"requests":%d,"durationUs":%d,"errors":%d,"p50Us":%d,"p99Us":%d}\\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
`;

/**
 * wrk: a load generator in C that a Node server cannot outpace, unlike any client written in
 * Node, which on two cores tops out near the server's own speed and flattens the comparison.
 */
export function detectWrk(scriptFolder: string): Wrk {
  const probe = spawnSync('wrk', ['--version'], { encoding: 'utf8' });
  const install = 'apt-get update && apt-get install -y wrk';
  const available = !probe.error;
  return {
    available,
    install,
    version: /wrk (?:debian\/)?([\d.]+)/.exec(`${probe.stdout}${probe.stderr}`)?.[1],
    async run(baseUrl, pathsFile, connections, seconds) {
      const script = join(scriptFolder, 'rotate.lua');
      await writeFile(script, SCRIPT);
      const timing = await timeProcess('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', '-s', script, baseUrl], {
        env: { ...process.env, WRK_PATHS: pathsFile },
      });
      if (timing.exitCode !== 0) throw new Error(`wrk failed (exit code ${timing.exitCode}): ${timing.stderr.trim()}`);
      return parseWrk(timing.stdout);
    },
  };
}

/** The figures of the script's done(), from wrk's output. */
function parseWrk(output: string): WrkResult {
  const line = output.split('\n').find((text) => text.startsWith(MARKER));
  if (line === undefined) throw new Error(`wrk printed no figures from its script:\n${output}`);
  const figures = JSON.parse(line.slice(MARKER.length)) as { requests: number; durationUs: number; errors: number; p50Us: number; p99Us: number };
  return {
    requests: figures.requests,
    requestsPerSecond: figures.requests / (figures.durationUs / 1e6),
    // Answers other than 2xx/3xx (status), and connect, read, write and timeout errors on the sockets.
    errors: figures.errors,
    latencyMs: { p50: figures.p50Us / 1000, p99: figures.p99Us / 1000 },
  };
}
