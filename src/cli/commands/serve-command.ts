import type { CommandModule } from 'yargs';
import { wholeNumber } from '../../options/numbers.js';
import { checkKeyPair, choicesNote, oneOf, pemFile } from '../../options/definitions.js';
import type { Server } from '../../api/serve.js';
import { serverKnobs, type ServerProfile } from '../../server/server-options.js';
import { serverProfiles } from '../../server/profiles.js';
import { examplesText } from '../help-examples.js';
import { terminalWidth } from '../../report/terminal-width.js';

interface ServeArgs {
  profile: ServerProfile;
  port: number;
  host: string;
  dir?: string;
  list: boolean;
  latency?: number;
  jitter?: number;
  'error-rate'?: number;
  seed?: number;
  cert?: string;
  key?: string;
}

/** `flags serve`: the flag server in the foreground, for curl, a browser or another client. */
export const serveCommand: CommandModule<object, ServeArgs> = {
  command: 'serve',
  describe: 'Serve flags, or a folder with --dir, over HTTP (or HTTPS with --cert and --key) on this machine until Ctrl-C',
  builder: (yargs) =>
    yargs
      .options({
        profile: {
          default: 'delay' as ServerProfile,
          requiresArg: true,
          coerce: oneOf('profile', serverProfiles),
          describe: `local: immediate; delay: 100-500 ms per answer; error: delay plus 20% faults ${choicesNote(serverProfiles)}`,
        },
        port: { default: 8001, requiresArg: true, coerce: wholeNumber('port', 0, 65535), describe: 'TCP port (0: any free port) [number]' },
        host: { type: 'string', default: '127.0.0.1', requiresArg: true, describe: 'Address to listen on' },
        dir: {
          type: 'string',
          requiresArg: true,
          describe:
            "Serve every file of this folder at / (DIR/a/b.txt at http://HOST:PORT/a/b.txt, as python3 -m http.server does) instead of flag-icons' SVGs at /flags/; not dotfiles, nor symlinks that lead out of it",
        },
        list: {
          type: 'boolean',
          default: false,
          describe: 'Once listening, print the URL of every file served on stdout, one a line, sorted; the other messages go to stderr',
        },
        ...serverKnobs,
        cert: { requiresArg: true, coerce: pemFile('cert', 'certificate'), describe: 'Serve https with this PEM certificate [string]' },
        key: { requiresArg: true, coerce: pemFile('key', 'private key'), describe: "The certificate's PEM private key [string]" },
      })
      .check((argv) => {
        if ((argv.cert === undefined) !== (argv.key === undefined)) return '--cert and --key go together: give both for https';
        return argv.cert === undefined || checkKeyPair(argv.cert, argv.key!);
      })
      .epilog(
        examplesText(
          [
            ['$0 serve --dir some/tree --list > urls.txt', 'serve a folder and write the URL of each of its files, for flags -i urls.txt'],
            [
              '$0 serve --port 8443 --cert test/fixtures/tls/server-cert.pem --key test/fixtures/tls/server-key.pem',
              'https with the test certificate for 127.0.0.1 (its CA: test/fixtures/tls/ca.pem)',
            ],
          ],
          terminalWidth(),
        ),
      ),
  async handler(argv) {
    const { profile, host, port, dir, latency, jitter, errorRate, seed, cert, key } = argv;
    // Loaded here, not at start-up: every other command would pay for the server's modules.
    const { ServerStartError } = await import('../../server/start-error.js');
    const { fileUrl } = await import('../../server/flag-path.js');
    const { serve } = await import('../../api/serve.js');
    let server: Server;
    try {
      // No request log: nobody reads it, and it would grow for as long as we serve.
      server = await serve({ profile, host, port, dir, latency, jitter, errorRate, seed, cert, key, log: false });
    } catch (error) {
      if (!(error instanceof ServerStartError)) throw error;
      // A busy port is the usual case: another serve still running, or a server of its own.
      const busy = error.culprit === 'address' && port !== 0 && error.message.endsWith('already in use');
      process.stderr.write(`flags serve: ${error.message}${busy ? ` (--port 0 takes any free port)` : ''}\n`);
      process.exitCode = error.culprit === 'dir' ? 2 : 1;
      return;
    }
    // Listening before the banner: whoever reads it may signal at once, and must not kill us unclosed.
    const stopped = untilSignal('SIGINT', 'SIGTERM', 'SIGHUP');
    // With --list, stdout holds the URLs alone, so that it can be saved as a list for flags -i.
    const messages = argv.list ? process.stderr : process.stdout;
    const example = dir === undefined ? 'br/br.svg' : server.paths[0];
    // Where the files are, first: a folder's tree at /, the flags under /flags/.
    messages.write(dir === undefined ? `Serving flags at ${server.url} (${server.description})\n` : `Serving ${dir} at ${server.url}/ (${server.description})\n`);
    messages.write(`Try: curl ${fileUrl(server.url, example)}\n`);
    if (argv.list) {
      process.stdout.write(server.paths.map((path) => `${fileUrl(server.url, path)}\n`).join(''));
    }
    await stopped;
    await server.close();
  },
};

function untilSignal(...signals: NodeJS.Signals[]): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      for (const signal of signals) process.off(signal, stop);
      resolve();
    };
    for (const signal of signals) process.once(signal, stop);
  });
}
