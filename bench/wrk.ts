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

// wrk asks for one path; this script hands out the listed paths in turn instead.
const ROTATE = `local paths = {}
for line in io.lines(os.getenv("WRK_PATHS")) do paths[#paths + 1] = line end
local i = 0
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
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
      await writeFile(script, ROTATE);
      const timing = await timeProcess('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', '-s', script, baseUrl], {
        env: { ...process.env, WRK_PATHS: pathsFile },
      });
      if (timing.exitCode !== 0) throw new Error(`wrk failed (exit code ${timing.exitCode}): ${timing.stderr.trim()}`);
      return parseWrk(timing.stdout);
    },
  };
}

function parseWrk(output: string): WrkResult {
  const number = (pattern: RegExp) => {
    const match = pattern.exec(output);
    if (!match) throw new Error(`wrk printed no ${pattern.source}:\n${output}`);
    return Number(match[1]);
  };
  const duration = (pattern: RegExp) => {
    const match = pattern.exec(output);
    if (!match) throw new Error(`wrk printed no ${pattern.source}:\n${output}`);
    const factor = { us: 0.001, ms: 1, s: 1000, m: 60_000 }[match[2] as 'us' | 'ms' | 's' | 'm'];
    return Number(match[1]) * factor;
  };
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  return {
    requests: number(/(\d+) requests in/),
    requestsPerSecond: number(/Requests\/sec:\s+([\d.]+)/),
    errors:
      (/Non-2xx or 3xx responses: (\d+)/.exec(output) ? number(/Non-2xx or 3xx responses: (\d+)/) : 0) +
      (socketErrors ? socketErrors.slice(1).reduce((sum, count) => sum + Number(count), 0) : 0),
    latencyMs: { p50: duration(/50%\s+([\d.]+)(us|ms|s|m)/), p99: duration(/99%\s+([\d.]+)(us|ms|s|m)/) },
  };
}
