import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createProxy } from 'proxy';

/** A real HTTP proxy on 127.0.0.1 (the `proxy` package) and what it saw. */
export interface TestProxy {
  url: string;
  /** Each request in order: `GET http://host:port/path` forwarded, or `CONNECT host:port` for a tunnel. */
  readonly log: string[];
  /** Client connections it accepted. */
  readonly connections: number;
  close(): Promise<void>;
}

/** Starts a proxy; with `credentials` (`user:password`), it answers 407 to any request without them. */
export async function startProxy(credentials?: string): Promise<TestProxy> {
  const server = createProxy(http.createServer());
  const log: string[] = [];
  const sockets = new Set<Socket>();
  let connections = 0;
  server.on('connection', (socket: Socket) => {
    connections++;
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('request', (request: http.IncomingMessage) => log.push(`${request.method} ${request.url}`));
  server.on('connect', (request: http.IncomingMessage) => log.push(`CONNECT ${request.url}`));
  if (credentials !== undefined) {
    server.authenticate = (request) => request.headers['proxy-authorization'] === `Basic ${Buffer.from(credentials).toString('base64')}`;
  }
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    log,
    get connections() {
      return connections;
    },
    async close() {
      // A tunnel's socket is no longer the HTTP server's to close.
      for (const socket of sockets) socket.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}

/** This process's environment without any proxy variable, plus `vars`: what a test's run sees. */
export function proxyEnv(vars: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(https?|all|no)_proxy$/i.test(name)));
  return { ...env, ...vars };
}
