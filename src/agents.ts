import { readFileSync } from 'node:fs';
import http from 'node:http';
import type https from 'node:https';
import type { FetchOptions } from './types.js';

type TlsSettings = Pick<FetchOptions, 'ca' | 'insecure'>;

// One keep-alive agent per thread: a worker's requests reuse its own sockets, as a browser tab would.
const httpAgent = new http.Agent({ keepAlive: true });
let httpsAgent: https.Agent | undefined;
let httpsSettings: TlsSettings | undefined;

/** node-fetch's `agent` option: the thread's agent for the URL's protocol, made with the run's TLS settings. */
export function agentFor(settings: TlsSettings): (url: URL) => http.Agent {
  return (url) => (url.protocol === 'https:' ? tlsAgent(settings) : httpAgent);
}

/**
 * Made on the first https request, and again only if a later task of this thread trusts otherwise.
 * https and tls load only then: they are most of the memory a worker thread adds for plain http.
 */
function tlsAgent(settings: TlsSettings): https.Agent {
  if (httpsAgent === undefined || httpsSettings?.ca !== settings.ca || httpsSettings?.insecure !== settings.insecure) {
    httpsAgent = new (process.getBuiltinModule('node:https').Agent)({ keepAlive: true, ...tlsOptions(settings) });
    httpsSettings = settings;
  }
  return httpsAgent;
}

/**
 * Node replaces its whole trust store when given `ca`, so an extra CA comes with the system's
 * roots and those of NODE_EXTRA_CA_CERTS, which it would otherwise drop.
 */
function tlsOptions({ ca, insecure }: TlsSettings): https.AgentOptions {
  if (insecure) return { rejectUnauthorized: false };
  if (ca === undefined) return {};
  return { ca: [...process.getBuiltinModule('node:tls').rootCertificates, ...extraCaCerts(), ca] };
}

function extraCaCerts(): string[] {
  const file = process.env.NODE_EXTRA_CA_CERTS;
  try {
    return file ? [readFileSync(file, 'utf8')] : [];
  } catch {
    return []; // Node has already warned that it cannot read it
  }
}
