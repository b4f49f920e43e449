import { proxyOf } from './request.js';
import { PROXY_REFUSED_CODE } from './proxy.js';
import { RedirectRefused } from './redirects.js';
import { CutShort } from './body-stream.js';

/**
 * Statuses that say "not now" rather than "no": worth another attempt. A 206 answers a request
 * that asked no range with a part of the file (a cache or proxy gone wrong): the next may be whole.
 */
export const TRANSIENT_STATUSES = new Set([206, 408, 429, 500, 502, 503, 504]);

/** Network failures that a later attempt may not meet; a certificate or DNS failure is final. */
const TRANSIENT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ERR_STREAM_PREMATURE_CLOSE',
  PROXY_REFUSED_CODE,
]);

/** Whether a failure of a request (thrown, not a status) may pass on another attempt. */
export const isTransient = (error: unknown) => error instanceof CutShort || (!(error instanceof RedirectRefused) && TRANSIENT_CODES.has(codeOf(error) ?? ''));

/** Words a server chose (a status text, a redirect's URL) as they go to a terminal: no escape sequence or bell of its making. */
export const printable = (text: string) => text.replace(/\p{Cc}/gu, '?');

const codeOf = (error: unknown) => (error as { code?: string } | null)?.code;

/**
 * The error's own words with node-fetch's "request to URL failed" prefix dropped, its code (a
 * certificate failure's says which), and the proxy the request went through.
 */
export function reason(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = codeOf(error);
  const message = error.message.replace(/^request to \S+ failed, reason: /, '');
  const proxy = proxyOf(error);
  const through = proxy === undefined || message.includes(proxy) ? '' : ` (through the proxy ${proxy})`;
  return `${code && !message.includes(code) ? `${code}: ${message}` : message}${through}`;
}
