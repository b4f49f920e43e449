import { startEmbeddedServer } from '../src/server/embedded.js';
import { serverOptions } from '../src/server/server-options.js';
import { startNginx } from './nginx.js';

/** A server of every file under a folder, at its relative path under `baseUrl`. */
export interface FolderServer {
  /** `nginx`, or `the embedded server` where nginx is not installed. */
  name: string;
  baseUrl: string;
  stop(): Promise<void>;
}

/**
 * Serves `root` with nginx where it is installed, the fastest server at hand, so that the
 * clients and not the server set the pace; else with the embedded server (`flags serve --dir`,
 * no latency, no faults) in a thread of this process.
 */
export async function serveFolder(root: string): Promise<FolderServer> {
  const nginx = await startNginx(root);
  if (nginx) return { name: 'nginx', baseUrl: nginx.baseUrl, stop: nginx.stop };
  const embedded = await startEmbeddedServer(serverOptions('local', { dir: root }));
  return { name: 'the embedded server', baseUrl: embedded.baseUrl, stop: embedded.close };
}

/**
 * Serves `root` with nginx sending each connection at most `bytesPerSecond`, as many a mirror
 * caps them: where one stream is held to the cap, and only more streams go faster. Undefined
 * where nginx is not installed (the embedded server has no such cap).
 */
export async function serveFolderCapped(root: string, bytesPerSecond: number): Promise<FolderServer | undefined> {
  const nginx = await startNginx(root, { perConnectionRate: bytesPerSecond });
  return nginx && { name: 'nginx', baseUrl: nginx.baseUrl, stop: nginx.stop };
}
