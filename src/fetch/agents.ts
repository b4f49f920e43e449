import { readFileSync } from 'node:fs';
import http from 'node:http';
import type https from 'node:https';
import { proxyFor } from './proxy.js';
import type { FetchOptions } from '../types.js';

type AgentSettings = Pick<FetchOptions, 'ca' | 'insecure' | 'proxy'>;

// One keep-alive agent per thread: a worker's requests reuse its own sockets, as a browser tab would.
const httpAgent = new http.Agent({ keepAlive: true });
let httpsAgent: { agent: https.Agent; options: https.AgentOptions } | undefined;

/**
 * The agent for a request to `url` (node-fetch's `agent` option), and the proxy it goes through,
 * if one applies: then the proxy's agent, whose packages load on the first such request; else
 * the thread's agent for the URL's protocol, made with the run's TLS settings.
 */
export async function agentFor(url: URL, settings: AgentSettings): Promise<{ agent: http.Agent; proxy?: string }> {
  const proxy = proxyFor(url, settings.proxy);
  if (proxy === undefined) return { agent: url.protocol === 'https:' ? tlsAgent(settings) : httpAgent };
  const { proxyAgent } = await import('./proxy-agents.js');
  return { agent: proxyAgent(proxy, url.protocol === 'https:', tlsOptionsOf(settings)), proxy };
}

/**
 * Made on the first https request, and again only if a later task of this thread trusts otherwise.
 * https and tls load only then: they are most of the memory a worker thread adds for plain http.
 */
function tlsAgent(settings: AgentSettings): https.Agent {
  const options = tlsOptionsOf(settings);
  if (httpsAgent?.options !== options) httpsAgent = { agent: new (process.getBuiltinModule('node:https').Agent)({ keepAlive: true, ...options }), options };
  return httpsAgent.agent;
}

let tlsOptionsMade: { ca?: string; insecure: boolean; options: https.AgentOptions } | undefined;

/** The TLS options of the run's settings, the same object while they stay the same: an agent is kept as long as they are. */
function tlsOptionsOf(settings: AgentSettings): https.AgentOptions {
  if (tlsOptionsMade?.ca !== settings.ca || tlsOptionsMade?.insecure !== settings.insecure) {
    tlsOptionsMade = { ca: settings.ca, insecure: settings.insecure, options: tlsOptions(settings) };
  }
  return tlsOptionsMade.options;
}

/**
 * Node replaces its whole trust store when given `ca`, so an extra CA comes with the system's
 * roots and those of NODE_EXTRA_CA_CERTS, which it would otherwise drop.
 */
function tlsOptions({ ca, insecure }: AgentSettings): https.AgentOptions {
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
