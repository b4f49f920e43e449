import { OptionError } from '../errors.js';

/** Where a queue lives: the Redis server, and the queue's name on it. */
export interface QueueAddress {
  /** The Redis server alone, as ioredis takes it: `redis://[user:password@]host:port`. */
  redisUrl: string;
  name: string;
  /** How messages name it, without a password. */
  label: string;
}

/** A queue's name is a part of its Redis keys: kept to characters that need no quoting anywhere. */
const NAME = /^[A-Za-z0-9._-]{1,100}$/;

/**
 * `--queue redis://HOST:PORT/NAME` (or `rediss://` for TLS), or `FLAGS_QUEUE` when the option is
 * not given: an OptionError says what is wrong with it.
 */
export function parseQueueAddress(given: string | undefined, env: NodeJS.ProcessEnv = process.env): QueueAddress {
  const text = given ?? env.FLAGS_QUEUE;
  if (text === undefined || text === '') throw new OptionError('queue', 'redis://HOST:PORT/NAME is needed (or FLAGS_QUEUE in the environment)');
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new OptionError('queue', `${JSON.stringify(text)} is not a URL: give redis://HOST:PORT/NAME`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') throw new OptionError('queue', `${text}: only redis:// and rediss:// URLs name a queue`);
  if (url.hostname === '') throw new OptionError('queue', `${text}: no host: give redis://HOST:PORT/NAME`);
  const name = decodeURIComponent(url.pathname.slice(1));
  if (!NAME.test(name)) throw new OptionError('queue', `${text}: the queue's name (the path) must be 1 to 100 letters, digits, '.', '_' or '-'`);
  if (url.search !== '' || url.hash !== '') throw new OptionError('queue', `${text}: a queue URL has no query or fragment`);
  const server = `${url.protocol}//${url.host}`;
  const credentials = url.username || url.password ? `${url.username}${url.password ? `:${url.password}` : ''}@` : '';
  return { redisUrl: `${url.protocol}//${credentials}${url.host}`, name, label: `${server}/${name}` };
}
