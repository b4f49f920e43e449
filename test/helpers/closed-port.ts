import { once } from 'node:events';
import { type AddressInfo, createServer, connect, type Socket } from 'node:net';

let held: Promise<number> | undefined;

/**
 * A port on 127.0.0.1 that refuses every connection, and that no other process can listen on
 * while this one lives: the local end of a loopback connection of ours holds it. A port bound and
 * then closed would be free again at once, for another process's server (on a machine shared with
 * other test runs) to take before the test connects. The connection is unref'd: it keeps no test
 * process alive, and ends with it.
 */
export function closedPort(): Promise<number> {
  held ??= holdPort();
  return held;
}

async function holdPort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const accepted = once(server, 'connection') as Promise<[Socket]>;
  const client = connect((server.address() as AddressInfo).port, '127.0.0.1');
  await once(client, 'connect');
  const [peer] = await accepted;
  // No more listening: the server's port is free again, the client's stays taken by the connection.
  server.close();
  for (const socket of [client, peer]) socket.unref();
  return client.localPort!;
}
