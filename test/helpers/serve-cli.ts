import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { serveCommand } from '../../src/serve.js';

// A stand-in for the real CLI entry, so that the tests can run `serve` as a user would.
await yargs(hideBin(process.argv)).scriptName('flags').command(serveCommand).demandCommand(1).strict().parseAsync();
