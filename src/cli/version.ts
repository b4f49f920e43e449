import { readFileSync } from 'node:fs';
import { packageJson } from '../paths.js';

/**
 * flags' version, from its own package.json: yargs would look for one from the working folder up,
 * and print "unknown" (or another package's version) when run from elsewhere.
 */
export function ownVersion(): string {
  return (JSON.parse(readFileSync(packageJson, 'utf8')) as { version: string }).version;
}
