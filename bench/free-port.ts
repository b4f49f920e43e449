import { once } from 'node:events';
import { type AddressInfo, createServer } from 'node:net';

/** A port nothing listens on now: the kernel picks it for a throwaway socket, released for a server of ours (nginx, redis-server) to take. */
export async function freePort(): Promise<number> {
  const probe = createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as AddressInfo;
  probe.close();
  await once(probe, 'close');
  return port;
}
