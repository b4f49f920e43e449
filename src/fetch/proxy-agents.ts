import type http from 'node:http';
import type net from 'node:net';
import type tls from 'node:tls';
import { HttpProxyAgent } from 'http-proxy-agent';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { PROXY_REFUSED_CODE } from './proxy.js';
import { redact } from '../report/redact.js';

// Loaded only when a request goes through a proxy: a run without one never pays for these packages.

/** This thread's proxy agents, kept alive, by proxy and kind of origin; made anew only if the TLS settings change. */
const agents = new Map<string, { agent: http.Agent; tlsOptions: tls.ConnectionOptions }>();

/**
 * The thread's keep-alive agent through `proxy`: for an https origin a tunnel (CONNECT) whose TLS
 * to the origin uses `tlsOptions` (the run's `--ca`, `--insecure`), as do TLS connections to an
 * https proxy; for an http origin, requests sent to the proxy whole. Credentials in the proxy's
 * URL go as Proxy-Authorization.
 */
export function proxyAgent(proxy: string, secureOrigin: boolean, tlsOptions: tls.ConnectionOptions): http.Agent {
  const key = `${secureOrigin ? 'tunnel' : 'forward'} ${proxy}`;
  const kept = agents.get(key);
  if (kept !== undefined && kept.tlsOptions === tlsOptions) return kept.agent;
  const agent = secureOrigin ? new TunnelAgent(proxy, tlsOptions) : new HttpProxyAgent(proxy, { keepAlive: true, ...tlsOptions });
  agents.set(key, { agent, tlsOptions });
  return agent;
}

/**
 * https-proxy-agent with two changes: the run's TLS settings apply to the origin (the package
 * takes them from the request, and node-fetch passes none), and a CONNECT the proxy answers with
 * anything but 200 is an error naming the proxy, where the package would hand the proxy's answer
 * over as if the origin had said it.
 */
class TunnelAgent extends HttpsProxyAgent<string> {
  constructor(
    proxy: string,
    private readonly originTls: tls.ConnectionOptions,
  ) {
    super(proxy, { keepAlive: true, ...originTls });
  }

  override async connect(request: http.ClientRequest, options: Parameters<HttpsProxyAgent<string>['connect']>[1]): Promise<net.Socket> {
    let refusal: string | undefined;
    request.once('proxyConnect', ({ statusCode, statusText }: { statusCode: number; statusText: string }) => {
      if (statusCode !== 200) refusal = `${statusCode}${statusText ? ` ${statusText}` : ''}`;
    });
    const socket = await super.connect(request, { ...options, ...this.originTls });
    if (refusal === undefined) return socket;
    socket.destroy();
    throw Object.assign(new Error(`the proxy ${redact(this.proxy.href)} answered CONNECT ${options.host}:${options.port} with ${refusal}`), { code: PROXY_REFUSED_CODE });
  }
}
