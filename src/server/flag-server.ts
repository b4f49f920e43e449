import { createServer, type IncomingMessage, type OutgoingHttpHeaders, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { notModified } from './conditional.js';
import { loadFlagFiles, type FlagFile } from './flag-files.js';
import { flagKey } from './flag-path.js';
import type { ServerOptions } from './options.js';
import { planAnswer, type AnswerPlan, type Fault } from './plan.js';
import { ServerStartError } from './start-error.js';

export interface RunningServer {
  /** e.g. `http://127.0.0.1:41234/flags`: a flag is at `{baseUrl}/{cc}/{cc}.svg`. */
  baseUrl: string;
  port: number;
  /** Stops listening, drops every connection and pending answer; idempotent. */
  close(): Promise<void>;
}

/** One request as the server saw it, so that tests and the soak can check what clients did. */
export interface ServedRequest {
  /** As requested, without the query. */
  path: string;
  method: string;
  /** Arrival, in ms since the epoch: `performance.timeOrigin + performance.now()`. */
  at: number;
  /** The status sent; 0 for a dropped connection, and while the answer is still held. */
  status: number;
  fault: Fault | null;
}

/** A flag server in this thread, whose requests can be read as they come. */
export interface FlagServer extends RunningServer {
  /** Every request in order of arrival; empty when started with `log: false`. */
  readonly requests: readonly ServedRequest[];
}

/** Clients that pause between batches should find their kept-alive sockets still open. */
const KEEP_ALIVE_MS = 60_000;

/**
 * Serves flags in the current thread; see `startEmbeddedServer` for one in a thread of its own.
 * `log: false` keeps no request log, for servers that run long with nobody to read it.
 */
export async function startFlagServer(options: ServerOptions, { log = true }: { log?: boolean } = {}): Promise<FlagServer> {
  const files = await loadFlagFiles(options.dir);
  // Per-file request counts, so that a retry gets a fresh draw while runs stay replayable.
  const attempts = new Map<string, number>();
  const requests: ServedRequest[] = [];

  /** Logs the request on arrival, holds the answer as planned, then logs the status sent. */
  function answer(request: IncomingMessage, response: ServerResponse, path: string, plan: AnswerPlan, send: () => void): void {
    const at = performance.timeOrigin + performance.now();
    const served: ServedRequest = { path, method: request.method ?? '', at, status: 0, fault: plan.fault };
    if (log) requests.push(served);
    const sendAndLog = () => {
      send();
      // A cut or stalled body went out with its status; a dropped connection sent none.
      served.status = response.headersSent ? response.statusCode : 0;
    };
    if (plan.delayMs === 0) {
      sendAndLog();
      return;
    }
    const timer = setTimeout(sendAndLog, plan.delayMs);
    // A client that gives up, or close() dropping every connection, frees the held answer at once.
    response.once('close', () => clearTimeout(timer));
  }

  function answerText(request: IncomingMessage, response: ServerResponse, path: string, status: number, headers: OutgoingHttpHeaders = {}) {
    answer(request, response, path, planAnswer(options, path, 0, false), () => sendText(response, status, headers));
  }

  const handle: RequestListener = (request, response) => {
    const url = request.url ?? '';
    const query = url.indexOf('?');
    const path = query < 0 ? url : url.slice(0, query);
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return answerText(request, response, path, 405, { allow: 'GET, HEAD' });
    }
    let key: string | undefined;
    try {
      key = flagKey(path);
    } catch {
      return answerText(request, response, path, 400);
    }
    const file = key === undefined ? undefined : files.get(key);
    if (key === undefined || file === undefined) return answerText(request, response, path, 404);
    const attempt = attempts.get(key) ?? 0;
    attempts.set(key, attempt + 1);
    const plan = planAnswer(options, key, attempt, true);
    answer(request, response, path, plan, () => deliver(request, response, file, plan.fault));
  };
  const server: Server = options.tls ? createTlsServer(options.tls, handle) : createServer(handle);
  server.keepAliveTimeout = KEEP_ALIVE_MS;

  await listen(server, options);
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  let closing: Promise<void> | undefined;
  return {
    baseUrl: `${options.tls ? 'https' : 'http'}://${host}:${port}/flags`,
    port,
    requests,
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
  const head = request.method === 'HEAD';
  if (fault === null) {
    if (notModified(request.headers, file)) response.writeHead(304, file.validators).end();
    else response.writeHead(200, file.headers).end(file.body);
  } else if (fault === 'status-500' || fault === 'status-503') {
    sendText(response, fault === 'status-500' ? 500 : 503);
  } else if (fault === 'status-429') {
    // Retry-After in seconds, the form every client understands, and short enough for tests.
    sendText(response, 429, { 'retry-after': '1' });
  } else if (fault === 'truncate' && !head) {
    // The full Content-Length promises more than arrives, so the client sees a body cut short.
    response.writeHead(200, file.headers).flushHeaders();
    response.write(halfOf(file.body), () => request.socket.destroy());
  } else if (fault === 'stall') {
    // Half the promised body, then nothing: the socket stays open until the client's timeout or
    // close() ends it. A HEAD has no body to stall in, so its headers are what never come.
    if (!head) response.writeHead(200, file.headers).write(halfOf(file.body));
  } else {
    // A dropped connection; also what a cut body becomes for a HEAD, which has no body to cut.
    request.socket.destroy();
  }
}

const halfOf = (body: Buffer) => body.subarray(0, body.length >> 1);

const reasons: Record<number, string> = {
  400: 'bad request',
  404: 'not found',
  405: 'method not allowed',
  429: 'too many requests (injected)',
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
