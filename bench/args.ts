import { type ParseArgsConfig, parseArgs } from 'node:util';

/** Ends a bench script on a usage error: what was wrong, then how to call it; exit 2, as the CLI's. */
export function usageError(message: string, usage: string): never {
  process.stderr.write(`${message}\nusage: ${usage}\n`);
  process.exit(2);
}

/**
 * The script's command line, parsed strictly: an unknown option (`--qiuck`), a missing value or
 * an unexpected argument is a usage error naming it, not a run that quietly ignores it.
 */
export function scriptArgs<T extends ParseArgsConfig>(usage: string, config: T): ReturnType<typeof parseArgs<T & { strict: true }>> {
  try {
    return parseArgs({ ...config, strict: true });
  } catch (error) {
    // Node's first sentence names the culprit; its hint about `--` would confuse an npm script's caller.
    usageError((error as Error).message.split('. ')[0]!, usage);
  }
}
