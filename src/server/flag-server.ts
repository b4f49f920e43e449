import { once } from 'node:events';
import { createServer, type IncomingMessage, type OutgoingHttpHeaders, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { ifRangeHolds, notModified } from './conditional.js';
import { loadFlagFiles } from './flag-files.js';
import { servedSegments } from './flag-path.js';
import type { ServerOptions } from './server-options.js';
import { planAnswer, type AnswerPlan, type Fault } from './fault-plan.js';
import { rangeAnswer } from './ranges.js';
import type { ServedFile } from './served-file.js';
import { ServerStartError } from './start-error.js';

export interface RunningServer {
  /** e.g. `http://127.0.0.1:41234/flags`: a flag is at `{baseUrl}/{cc}/{cc}.svg`; a folder's files are at `http://127.0.0.1:41234/{path}`. */
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
  /** The relative path of every file served, as listed at start, sorted by URL: `{baseUrl}/{path}` percent-encoded (see fileUrl). */
  readonly paths: readonly string[];
}

/** Clients that pause between batches should find their kept-alive sockets still open. */
const KEEP_ALIVE_MS = 60_000;

/**
 * Serves flags (or with `dir` a folder's files) in the current thread; see `startEmbeddedServer`
 * for one in a thread of its own. `log: false` keeps no request log, for servers that run long
 * with nobody to read it.
 */
export async function startFlagServer(options: ServerOptions, { log = true }: { log?: boolean } = {}): Promise<FlagServer> {
  const files = await loadFlagFiles(options.dir);
  // Per-file request counts, so that a retry gets a fresh draw while runs stay replayable.
  const attempts = new Map<string, number>();
  const requests: ServedRequest[] = [];

  /** Logs the request, holds the answer as planned, then logs the status sent. */
  function answer(request: IncomingMessage, response: ServerResponse, path: string, at: number, plan: AnswerPlan, send: () => void): void {
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

  function answerText(request: IncomingMessage, response: ServerResponse, path: string, at: number, status: number, headers: OutgoingHttpHeaders = {}) {
    answer(request, response, path, at, planAnswer(options, path, 0, false), () => sendText(response, status, headers));
  }

  async function answerFile(request: IncomingMessage, response: ServerResponse, path: string, at: number, segments: string[]): Promise<void> {
    const file = await files.open(segments).catch(() => undefined);
    if (file === undefined) return answerText(request, response, path, at, 404);
    if (response.destroyed) return file.release(); // the client left while the file was opened
    response.once('close', () => file.release());
    const key = segments.join('/');
    const attempt = attempts.get(key) ?? 0;
    attempts.set(key, attempt + 1);
    const plan = planAnswer(options, key, attempt, true);
    answer(request, response, path, at, plan, () => deliver(request, response, file, plan.fault));
  }

  const handle: RequestListener = (request, response) => {
    const at = performance.timeOrigin + performance.now();
    const url = request.url ?? '';
    const query = url.indexOf('?');
    const path = query < 0 ? url : url.slice(0, query);
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return answerText(request, response, path, at, 405, { allow: 'GET, HEAD' });
    }
    let segments: string[] | undefined;
    try {
      segments = servedSegments(path, files.under);
    } catch {
      return answerText(request, response, path, at, 400);
    }
    if (segments === undefined) return answerText(request, response, path, at, 404);
    void answerFile(request, response, path, at, segments);
  };
  const server: Server = options.tls ? createTlsServer(options.tls, handle) : createServer(handle);
  server.keepAliveTimeout = KEEP_ALIVE_MS;

  await listen(server, options);
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  let closing: Promise<void> | undefined;
  return {
    baseUrl: `${options.tls ? 'https' : 'http'}://${host}:${port}${files.under === undefined ? '' : `/${files.under}`}`,
    port,
    requests,
    paths: files.paths,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

async function listen(server: Server, { host, port }: ServerOptions): Promise<void> {
  server.listen(port, host);
  try {
    await once(server, 'listening');
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    throw new ServerStartError(code === 'EADDRINUSE' ? `port ${port} on ${host} is already in use` : `cannot listen on ${host} port ${port}: ${message}`, 'address');
  }
}

function deliver(request: IncomingMessage, response: ServerResponse, file: ServedFile, fault: Fault | null): void {
  if (fault === 'status-500' || fault === 'status-503') sendText(response, fault === 'status-500' ? 500 : 503);
  // Retry-After in seconds, the form every client understands, and short enough for tests.
  else if (fault === 'status-429') sendText(response, 429, { 'retry-after': '1' });
  else if (fault === 'drop') request.socket.destroy();
  else if (fault === null && notModified(request.headers, file)) response.writeHead(304, validatorsOf(file)).end();
  else deliverBytes(request, response, file, fault);
}

const validatorsOf = (file: ServedFile) => ({ etag: file.etag, 'last-modified': new Date(file.modifiedMs).toUTCString() });

/** The whole file (200) or the part Range asks for (206), or 416; cut or stalled when `fault` says so. */
function deliverBytes(request: IncomingMessage, response: ServerResponse, file: ServedFile, fault: 'truncate' | 'stall' | null): void {
  // Range is defined for GET alone (RFC 9110, 14.2): a HEAD gets the headers of the whole file.
  const honoured = request.method === 'GET' && ifRangeHolds(request.headers, file);
  const range = honoured ? rangeAnswer(request.headers.range, file.size) : ({ status: 200, start: 0, end: file.size } as const);
  if (fault !== null && (range.status === 416 || request.method === 'HEAD')) {
    // No body to spoil: a cut one becomes a dropped connection, a stalled one never sends its headers.
    if (fault === 'truncate') request.socket.destroy();
    return;
  }
  if (range.status === 416) {
    sendText(response, 416, { 'content-range': `bytes */${file.size}` });
    return;
  }
  response.writeHead(range.status, {
    'content-type': file.type,
    'content-length': range.end - range.start,
    'accept-ranges': 'bytes',
    ...(range.status === 206 ? { 'content-range': `bytes ${range.start}-${range.end - 1}/${file.size}` } : {}),
    ...validatorsOf(file),
  });
  if (request.method === 'HEAD') {
    response.end();
    return;
  }
  // A cut or stalled body sends half of what Content-Length promised, so the client sees it short.
  const half = range.start + Math.floor((range.end - range.start) / 2);
  if (fault === null) sendBytes(response, file, range.start, range.end, true);
  else if (fault === 'truncate') {
    // The connection is cut once the half has reached the socket.
    response.once('finish', () => request.socket.destroy());
    sendBytes(response, file, range.start, half, true);
  } else {
    // Then nothing: the socket stays open until the client's timeout or close() ends it.
    sendBytes(response, file, range.start, half, false);
  }
}

/** Sends bytes `start` to `end` of the file, streamed when it is on disk, then ends the answer if `endAnswer`. */
function sendBytes(response: ServerResponse, file: ServedFile, start: number, end: number, endAnswer: boolean): void {
  const bytes = start < end ? file.read(start, end) : Buffer.alloc(0);
  if (Buffer.isBuffer(bytes)) {
    if (endAnswer) response.end(bytes);
    else response.write(bytes);
    return;
  }
  // A read error cuts the connection: the client sees a body cut short, as it would from any server.
  bytes.once('error', () => response.destroy());
  response.once('close', () => bytes.destroy());
  bytes.pipe(response, { end: endAnswer });
}

const reasons: Record<number, string> = {
  400: 'bad request',
  404: 'not found',
  405: 'method not allowed',
  416: 'range not satisfiable',
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
