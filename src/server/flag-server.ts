import { createServer, type IncomingMessage, type OutgoingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadFlagFiles, type FlagFile } from './flag-files.js';
import { flagKey } from './flag-path.js';
import type { ServerOptions } from './options.js';
import { planAnswer, type Fault } from './plan.js';
import { ServerStartError } from './start-error.js';

export interface RunningServer {
  /** e.g. `http://127.0.0.1:41234/flags`: a flag is at `{baseUrl}/{cc}/{cc}.svg`. */
  baseUrl: string;
  port: number;
  /** Stops listening, drops every connection and pending answer; idempotent. */
  close(): Promise<void>;
}

/** Clients that pause between batches should find their kept-alive sockets still open. */
const KEEP_ALIVE_MS = 60_000;

/** Serves flags in the current thread; see `startEmbeddedServer` for one in a thread of its own. */
export async function startFlagServer(options: ServerOptions): Promise<RunningServer> {
  const files = await loadFlagFiles(options.dir);
  // Per-file request counts, so that a retry gets a fresh draw while runs stay replayable.
  const attempts = new Map<string, number>();

  function hold(response: ServerResponse, delayMs: number, send: () => void): void {
    if (delayMs === 0) {
      send();
      return;
    }
    const timer = setTimeout(send, delayMs);
    // A client that gives up, or close() dropping every connection, frees the held answer at once.
    response.once('close', () => clearTimeout(timer));
  }

  function holdText(response: ServerResponse, path: string, status: number, headers: OutgoingHttpHeaders = {}) {
    hold(response, planAnswer(options, path, 0, false).delayMs, () => sendText(response, status, headers));
  }

  const server = createServer((request, response) => {
    const url = request.url ?? '';
    const query = url.indexOf('?');
    const path = query < 0 ? url : url.slice(0, query);
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return holdText(response, path, 405, { allow: 'GET, HEAD' });
    }
    let key: string | undefined;
    try {
      key = flagKey(path);
    } catch {
      return holdText(response, path, 400);
    }
    const file = key === undefined ? undefined : files.get(key);
    if (key === undefined || file === undefined) return holdText(response, path, 404);
    const attempt = attempts.get(key) ?? 0;
    attempts.set(key, attempt + 1);
    const plan = planAnswer(options, key, attempt, true);
    hold(response, plan.delayMs, () => deliver(request, response, file, plan.fault));
  });
  server.keepAliveTimeout = KEEP_ALIVE_MS;

  await listen(server, options);
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  let closing: Promise<void> | undefined;
  return {
    baseUrl: `http://${host}:${port}/flags`,
    port,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

function listen(server: Server, { host, port }: ServerOptions): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch((error: NodeJS.ErrnoException) => {
    const message = error.code === 'EADDRINUSE' ? `port ${port} on ${host} is already in use` : `cannot listen on ${host} port ${port}: ${error.message}`;
    throw new ServerStartError(message, 'address');
  });
}

function deliver(request: IncomingMessage, response: ServerResponse, file: FlagFile, fault: Fault | null): void {
  if (fault === null) {
    response.writeHead(200, file.headers).end(file.body);
  } else if (fault === 'status-500' || fault === 'status-503') {
    sendText(response, fault === 'status-500' ? 500 : 503);
  } else if (fault === 'truncate' && request.method === 'GET') {
    // The full Content-Length promises more than arrives, so the client sees a body cut short.
    response.writeHead(200, file.headers).flushHeaders();
    response.write(file.body.subarray(0, file.body.length >> 1), () => request.socket.destroy());
  } else {
    // A dropped connection; also what a cut body becomes for a HEAD, which has no body to cut.
    request.socket.destroy();
  }
}

const reasons: Record<number, string> = {
  400: 'bad request',
  404: 'not found',
  405: 'method not allowed',
  500: 'internal server error (injected)',
  503: 'service unavailable (injected)',
};

function sendText(response: ServerResponse, status: number, headers: OutgoingHttpHeaders = {}): void {
  const body = `${reasons[status]}\n`;
  response
    .writeHead(status, {
      'content-type': 'text/plain; charset=utf-8',
      'content-length': Buffer.byteLength(body),
      ...headers,
    })
    .end(body);
}
