import type { Argv, CommandModule } from 'yargs';
import type { Server } from '../../api/serve.js';
import { pick, without } from '../../options/schema.js';
import { serveSchema } from '../../options/server-schema.js';
import { examplesText } from '../help-examples.js';
import { terminalWidth, writeFitted } from '../../report/terminal-width.js';
import { optionsFrom, optionTable } from '../option-table.js';

interface ServeArgs extends Record<string, unknown> {
  port: string | number;
  list: boolean;
}

/** `flags serve`: the flag server in the foreground, for curl, a browser or another client. */
export const serveCommand: CommandModule<object, ServeArgs> = {
  command: 'serve',
  describe: 'Serve flags, or a folder with --dir, over HTTP (or HTTPS with --cert and --key) on this machine until Ctrl-C',
  builder: ((yargs: Argv) =>
    yargs
      .options({
        // --list, the CLI's alone, stands beside --dir in the help.
        ...optionTable(pick(serveSchema, 'profile', 'port', 'host', 'dir'), { port: { default: 8001 } }),
        list: {
          type: 'boolean',
          default: false,
          describe: 'Once listening, print the URL of every file served on stdout, one a line, sorted; the other messages go to stderr',
        },
        ...optionTable(without(serveSchema, 'profile', 'port', 'host', 'dir')),
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
      )) as unknown as CommandModule<object, ServeArgs>['builder'],
  async handler(argv) {
    const { port, dir } = argv;
    // Loaded here, not at start-up: every other command would pay for the server's modules.
    const { ServerStartError } = await import('../../server/start-error.js');
    const { fileUrl } = await import('../../server/flag-path.js');
    const { serve } = await import('../../api/serve.js');
    let server: Server;
    try {
      // No request log: nobody reads it, and it would grow for as long as we serve.
      server = await serve({ ...optionsFrom(serveSchema, argv), log: false });
    } catch (error) {
      if (!(error instanceof ServerStartError)) throw error;
      // A busy port is the usual case: another serve still running, or a server of its own.
      const busy = error.culprit === 'address' && Number(port) !== 0 && error.message.endsWith('already in use');
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
    // A line of its own, never wrapped: a script may read the URL from it.
    messages.write(dir === undefined ? `Serving flags at ${server.url}\n` : `Serving ${dir} at ${server.url}/\n`);
    writeFitted(messages, `${server.description[0]!.toUpperCase()}${server.description.slice(1)}`);
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
