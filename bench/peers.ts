import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** A program the bench runs: whether it is installed here, its version, and what installs it. */
export interface Tool {
  name: string;
  available: boolean;
  version?: string;
  /** What installs it on Debian. */
  install: string;
}

/**
 * A whole-process downloader measured against the same server as flags: each
 * fetches a list of URLs into one folder, each file under its URL's last path
 * segment (`{cc}.svg` for a flag), with exactly `inFlight`
 * requests outstanding (one per HTTP/1.1 connection), no retries, no extra
 * requests, and fails with a non-zero exit code when any download fails.
 */
export interface Peer extends Tool {
  /** The files it leaves for each code the server has, by extension: `svg` when not given. */
  extensions?: readonly string[];
  /**
   * The program and arguments; `destDir` should be empty (the peers differ in how they treat existing
   * files) and its parent a temporary folder, where the URL list goes.
   */
  command(urls: string[], inFlight: number, destDir: string): { file: string; args: string[] };
}

/** curl (as typed and at its best), wget2 and aria2c, each with whether it is installed here and its version. */
export function detectPeers(): Peer[] {
  return [
    curl('curl --parallel', []),
    // Without it curl holds every transfer but the first until it knows whether that connection
    // can multiplex (HTTP/2): on HTTP/1.1 a whole round of latency lost. Both are measured: the
    // first is what `curl --parallel` does as typed, the second the best curl can do.
    curl('curl --parallel-immediate', ['--parallel-immediate']),
    {
      ...probe('wget2', 'wget2'),
      command: (urls, inFlight, destDir) => ({
        file: 'wget2',
        args: [
          // No ~/.wget2rc, so that runs on any machine are alike.
          '--no-config',
          `--max-threads=${inFlight}`,
          '--robots=off',
          '--tries=1',
          '--no-host-directories',
          '--quiet',
          `--directory-prefix=${destDir}`,
          `--input-file=${listFile(destDir, 'wget2', urls)}`,
        ],
      }),
    },
    {
      ...probe('aria2c', 'aria2'),
      command: (urls, inFlight, destDir) => ({
        file: 'aria2c',
        args: [
          '--no-conf',
          '--quiet',
          `--max-concurrent-downloads=${inFlight}`,
          // One connection per file: aria2c would otherwise split a download across several.
          '--max-connection-per-server=1',
          '--split=1',
          // By default it allocates a file over 5 MiB in full before its first byte; the others write as the bytes arrive.
          '--file-allocation=none',
          '--max-tries=1',
          `--dir=${destDir}`,
          `--input-file=${listFile(destDir, 'aria2c', urls)}`,
        ],
      }),
    },
  ];
}

function curl(name: string, extra: string[]): Peer {
  return {
    ...probe('curl', 'curl'),
    name,
    command: (urls, inFlight, destDir) => ({
      file: 'curl',
      args: [
        '--parallel',
        ...extra,
        '--parallel-max',
        String(inFlight),
        // Not --silent: curl 7.88.1 still draws its parallel progress meter with it (curl#10573).
        '--no-progress-meter',
        '--fail',
        '--create-dirs',
        '--output-dir',
        destDir,
        '--remote-name-all',
        '--config',
        listFile(
          destDir,
          'curl',
          urls.map((url) => `url = ${JSON.stringify(url)}`),
        ),
      ],
    }),
  };
}

/** rsvg-convert (librsvg), which turns the SVGs a peer downloaded into PNGs. */
export function detectRenderer(): Tool {
  return probe('rsvg-convert', 'librsvg2-bin');
}

/** The render half of renderingPeer, in the folder of the SVGs: each `{cc}.svg` to `{cc}.png`. */
export function renderCommand(width: number, processes: number): string {
  return `ls | sed -n 's/\\.svg$//p' | xargs -P ${processes} -I{} rsvg-convert -w ${width} -o {}.png {}.svg`;
}

/**
 * What a user without flags would type to download and render: `downloader` fetching every SVG,
 * then one rsvg-convert per SVG, `processes` at a time through xargs, turning each into a PNG
 * `width` px wide beside it. One shell job, so that one wall time covers both. A failed download
 * ends it before the rendering, with the downloader's exit code.
 */
export function renderingPeer(downloader: Peer, renderer: Tool, width: number, processes: number): Peer {
  // The folder and the download command come as arguments: no quoting of paths into the script.
  const script = `cd "$1" && shift && "$@" && ${renderCommand(width, processes)}`;
  const missing = [downloader, renderer].find((tool) => !tool.available);
  return {
    name: `${downloader.name} + xargs -P${processes} rsvg-convert`,
    available: missing === undefined,
    version: renderer.version,
    install: missing?.install ?? renderer.install,
    extensions: ['svg', 'png'],
    command(urls, inFlight, destDir) {
      const { file, args } = downloader.command(urls, inFlight, destDir);
      return { file: 'sh', args: ['-c', script, 'sh', destDir, file, ...args] };
    },
  };
}

function probe(program: string, debianPackage: string): Tool {
  const install = `apt-get update && apt-get install -y ${debianPackage}`;
  const answer = spawnSync(program, ['--version'], { encoding: 'utf8' });
  if (answer.error || answer.status !== 0) return { name: program, available: false, install };
  // The first dotted number of the first line: "curl 7.88.1 (...)", "GNU Wget2 1.99.1 - ...", "aria2 version 1.36.0".
  const version = /\d+(?:\.\d+)+/.exec(answer.stdout.split('\n', 1)[0]!)?.[0];
  return { name: program, available: true, install, version };
}

/**
 * The URL list as a file the program reads, beside `destDir` (in the bench's temporary folder) and
 * named after its content: repeated runs of one list share one file.
 */
function listFile(destDir: string, program: string, lines: string[]): string {
  const text = `${lines.join('\n')}\n`;
  const digest = createHash('sha256').update(text).digest('hex').slice(0, 16);
  const path = join(dirname(destDir), `${program}-urls-${digest}.txt`);
  writeFileSync(path, text);
  return path;
}
