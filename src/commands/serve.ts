import type { CommandModule } from 'yargs';
import { wholeNumber } from '../numbers.js';
import { checkKeyPair, pemFile } from '../options.js';
import type { RunningServer } from '../server/flag-server.js';
import { describeServer, serverKnobs, serverOptions, type ServerProfile } from '../server/options.js';
import { serverProfiles } from '../server/profiles.js';

interface ServeArgs {
  profile: ServerProfile;
  port: number;
  host: string;
  dir?: string;
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
  describe: 'Serve flags over HTTP (or HTTPS with --cert and --key) on this machine until Ctrl-C',
  builder: (yargs) =>
    yargs
      .options({
        profile: {
          choices: serverProfiles,
          default: 'delay' as ServerProfile,
          describe: 'local: immediate; delay: 100-500 ms per answer; error: delay plus 20% faults',
        },
        port: { default: 8001, requiresArg: true, coerce: wholeNumber('port', 0, 65535), describe: 'TCP port (0: any free port) [number]' },
        host: { type: 'string', default: '127.0.0.1', requiresArg: true, describe: 'Address to listen on' },
        dir: {
          type: 'string',
          requiresArg: true,
          describe: "Serve this folder ({dir}/{cc}/{cc}.{ext}, {dir}/{cc}/metadata.json) instead of flag-icons' SVGs",
        },
        ...serverKnobs,
        cert: { requiresArg: true, coerce: pemFile('cert', 'certificate'), describe: 'Serve https with this PEM certificate [string]' },
        key: { requiresArg: true, coerce: pemFile('key', 'private key'), describe: "The certificate's PEM private key [string]" },
      })
      .check((argv) => {
        if ((argv.cert === undefined) !== (argv.key === undefined)) return '--cert and --key go together: give both for https';
        return argv.cert === undefined || checkKeyPair(argv.cert, argv.key!);
      })
      .example(
        '$0 serve --port 8443 --cert test/fixtures/tls/server-cert.pem --key test/fixtures/tls/server-key.pem',
        'https with the test certificate for 127.0.0.1 (its CA: test/fixtures/tls/ca.pem)',
      ),
  async handler(argv) {
    const options = serverOptions(argv.profile, {
      host: argv.host,
      port: argv.port,
      dir: argv.dir,
      latencyMs: argv.latency,
      jitterMs: argv.jitter,
      errorRate: argv.errorRate,
      seed: argv.seed,
      tls: argv.cert !== undefined && argv.key !== undefined ? { cert: argv.cert, key: argv.key } : undefined,
    });
    // Loaded here, not at start-up: every other command would pay for the server's modules.
    const { startFlagServer } = await import('../server/flag-server.js');
    const { ServerStartError } = await import('../server/start-error.js');
    let server: RunningServer;
    try {
      // No request log: nobody reads it, and it would grow for as long as we serve.
      server = await startFlagServer(options, { log: false });
    } catch (error) {
      if (!(error instanceof ServerStartError)) throw error;
      process.stderr.write(`flags serve: ${error.message}\n`);
      process.exitCode = error.culprit === 'dir' ? 2 : 1;
      return;
    }
    // Listening before the banner: whoever reads it may signal at once, and must not kill us unclosed.
    const stopped = untilSignal('SIGINT', 'SIGTERM');
    // With --dir the extension is whatever the folder holds, so the example shows the layout instead.
    const example = options.dir === undefined ? 'br/br.svg' : 'br/br.{ext}';
    process.stdout.write(`Serving flags at ${server.baseUrl} (${describeServer(options)})\n`);
    process.stdout.write(`Try: curl ${server.baseUrl}/${example}\n`);
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
