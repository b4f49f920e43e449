#!/usr/bin/env node
import { ownVersion } from './version.js';

// `flags --version` alone is answered before yargs, the option schemas and the commands load:
// they are most of the start-up of every other command, and it needs none of them. It prints
// what yargs' own --version prints; any other arguments go to yargs.
if (process.argv.length === 3 && process.argv[2] === '--version') process.stdout.write(`${ownVersion()}\n`);
else await import('./yargs-main.js');
