/**
 * A small HTTP listener for components without one of their own (the controller, as
 * kube-controller-manager's :10257): GET /metrics, /healthz, and whatever extra paths
 * the caller serves.
 */
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import { type MetricsRegistry, serveMetrics } from './metrics-registry.js';

/** A handler of one extra path. */
export type PathHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

/** Where and what a metrics server serves. */
export interface MetricsServerOptions {
  host: string;
  port: number;
  registry: MetricsRegistry;
  /** Extra GET paths (exact match, no query). */
  paths?: Record<string, PathHandler>;
}

/** A listening metrics server. */
export interface MetricsServer {
  /** The bound port (useful with port 0). */
  readonly port: number;
  close(): Promise<void>;
}

/** Starts serving; resolves once it listens. */
export async function startMetricsServer(o: MetricsServerOptions): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET') {
      res.writeHead(405, { 'content-type': 'text/plain' }).end('method not allowed\n');
      return;
    }
    if (path === '/metrics') return void serveMetrics(o.registry, req, res);
    if (path === '/healthz') return void res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    const extra = path ? o.paths?.[path] : undefined;
    if (extra) return void extra(req, res);
    res.writeHead(404, { 'content-type': 'text/plain' }).end('404 page not found\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : o.port,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
